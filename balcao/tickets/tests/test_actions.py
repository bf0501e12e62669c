"""One test per rule at the action level; every refusal asserts nothing changed."""

import pytest

from balcao.accounts.models import Department
from balcao.core.errors import ActionRefused
from balcao.events.models import Event, EventKind
from balcao.factories import StaffFactory, make_authorized, make_company, open_ticket, receive
from balcao.tickets import actions
from balcao.tickets.inbound import Sender
from balcao.tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(profile):
    return make_company("essencial")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


def dep(slug):
    return Department.objects.get(slug=slug)


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def test_contact_opens_ticket_open_with_history_and_ack_scheduled(
    company, tasks, django_capture_on_commit_callbacks
):
    _, primary = company
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(primary)
    assert ticket.status == Status.OPEN and ticket.number > 1000
    assert ticket.company == company[0] and ticket.linked and ticket.requester == primary
    assert ticket.messages.get().body_text == "Os clientes não conseguem pagar."
    assert kinds(ticket) == [EventKind.TICKET_OPENED, EventKind.SLA_STARTED]  # linked: SLA runs
    assert "acknowledge_ticket_task" in [r.task.name for r in tasks.results]


def test_numbers_are_sequential_and_unique(company):
    _, primary = company
    a, b = open_ticket(primary), open_ticket(primary)
    assert b.number == a.number + 1


def test_authorized_contact_opens_for_the_company(company):
    company_, primary = company
    ti = make_authorized(company_, primary)
    assert open_ticket(ti).company == company_


def test_plan_gate_refuses_sucesso_below_team(company):
    _, primary = company
    with pytest.raises(ActionRefused, match="TEAM"):
        open_ticket(primary, "sucesso")
    assert not Ticket.objects.exists() and not Event.objects.filter(ticket__isnull=False).exists()


def test_plan_gate_allows_sucesso_from_team(profile):
    _, primary = make_company("team")
    assert open_ticket(primary, "sucesso").department.slug == "sucesso"


def test_addon_gate_refuses_qualidade_without_pacote_expresso(company):
    _, primary = company
    with pytest.raises(ActionRefused, match="Pacote Expresso"):
        open_ticket(primary, "qualidade")
    assert not Ticket.objects.exists()


def test_addon_gate_allows_qualidade_with_pacote_expresso(profile):
    from balcao.customers.models import AddOn

    _, primary = make_company("essencial", addons=AddOn.objects.all())
    assert open_ticket(primary, "qualidade").department.slug == "qualidade"


def test_ouvidoria_requires_reference(company):
    _, primary = company
    with pytest.raises(ActionRefused) as refused:
        open_ticket(primary, "ouvidoria")
    assert refused.value.code == "reference_required"
    assert not Ticket.objects.exists()


def test_ouvidoria_refuses_another_companys_ticket(company, profile):
    _, primary = company
    _, other = make_company()
    foreign = open_ticket(other)
    with pytest.raises(ActionRefused) as refused:
        open_ticket(primary, "ouvidoria", reference=foreign.number)
    assert refused.value.code == "reference_invalid"
    assert Ticket.objects.count() == 1


def test_ouvidoria_with_own_reference(company):
    _, primary = company
    earlier = open_ticket(primary)
    ticket = open_ticket(primary, "ouvidoria", reference=earlier.number)
    assert ticket.reference == earlier


def test_staff_user_without_contact_cannot_open_as_customer(profile):
    from balcao.accounts.models import User

    stranger = User.objects.create_user("x@y.com", "pw")
    with pytest.raises(ActionRefused):
        open_ticket(stranger)
    assert not Ticket.objects.exists()


def test_empty_subject_refused(company):
    with pytest.raises(ActionRefused, match="assunto"):
        open_ticket(company[1], subject="   ")
    assert not Ticket.objects.exists()


def test_assign_sets_assigned_and_records(company, agent):
    ticket = open_ticket(company[1])
    actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assignee == agent
    event = ticket.events.get(kind=EventKind.ASSIGNED)
    assert event.actor == agent
    assert event.data == {"old": None, "new": {"id": agent.pk, "name": agent.name}}
    assert ticket.events.get(kind=EventKind.STATUS_CHANGED).data == {
        "old": "open",
        "new": "assigned",
    }


def test_assign_to_someone_outside_department_refused(company, agent):
    ticket = open_ticket(company[1])
    outsider = StaffFactory(departments=["financeiro"])
    with pytest.raises(ActionRefused):
        actions.do_assign_ticket(ticket, actor=agent, assignee=outsider)
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == Status.OPEN
    assert kinds(ticket) == [EventKind.TICKET_OPENED, EventKind.SLA_STARTED]


def test_customer_cannot_assign(company, agent):
    ticket = open_ticket(company[1])
    with pytest.raises(ActionRefused):
        actions.do_assign_ticket(ticket, actor=company[1], assignee=agent)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_unassign_returns_to_queue(company, agent):
    ticket = open_ticket(company[1])
    actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
    actions.do_assign_ticket(ticket, actor=agent, assignee=None)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.assignee is None


def test_start_progress_takes_the_ticket(company, agent):
    ticket = actions.do_start_progress(open_ticket(company[1]), actor=agent)
    assert ticket.status == Status.IN_PROGRESS and ticket.assignee == agent


def test_public_reply_answers_and_schedules_email(
    company, agent, tasks, django_capture_on_commit_callbacks
):
    ticket = open_ticket(company[1])
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.do_add_message(ticket, actor=agent, body="Resolvido, confira.")
    ticket.refresh_from_db()
    assert ticket.status == Status.ANSWERED
    assert message.direction == Message.Direction.OUTBOUND and message.delivery == "pending"
    assert [(r.task.name, r.args) for r in tasks.results] == [
        ("deliver_reply_task", [message.pk]),
        ("follow_up_answer_task", [message.pk]),  # the reminder and the automatic close
    ]


def test_internal_note_changes_no_status_and_sends_nothing(
    company, agent, tasks, django_capture_on_commit_callbacks
):
    ticket = open_ticket(company[1])
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_add_message(ticket, actor=agent, body="Cliente VIP", internal=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and tasks.results == []
    assert EventKind.NOTE_ADDED in kinds(ticket)


def test_customer_cannot_write_internal_note(company):
    ticket = open_ticket(company[1])
    with pytest.raises(ActionRefused):
        actions.do_add_message(ticket, actor=company[1], body="x", internal=True)
    assert ticket.messages.count() == 1


def test_customer_message_is_customer_reply(company, agent):
    ticket = open_ticket(company[1])
    actions.do_add_message(ticket, actor=agent, body="Qual navegador?")
    actions.do_add_message(ticket, actor=company[1], body="Chrome.")
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY


def test_customer_message_reopens_closed_ticket(company, agent):
    ticket = open_ticket(company[1])
    actions.do_close_ticket(ticket, actor=agent)
    actions.do_add_message(ticket, actor=company[1], body="Voltou a acontecer.")
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY and ticket.closed_at is None
    assert EventKind.REOPENED in kinds(ticket)


def test_automatic_message_never_reopens(company, agent):
    ticket = open_ticket(company[1])
    actions.do_close_ticket(ticket, actor=agent)
    actions.do_add_message(
        ticket,
        actor=None,
        body="Estou de férias.",
        channel="email",
        author_email="x@y.com",
        automatic=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.messages.count() == 2


def test_customer_closes_own_ticket(company):
    ticket = actions.do_close_ticket(open_ticket(company[1]), actor=company[1])
    assert ticket.status == Status.CLOSED and ticket.closed_at


def test_closing_twice_refused(company, agent):
    ticket = actions.do_close_ticket(open_ticket(company[1]), actor=agent)
    before = ticket.events.count()
    with pytest.raises(ActionRefused):
        actions.do_close_ticket(ticket, actor=agent)
    assert ticket.events.count() == before


@pytest.mark.parametrize("status", ["answered", "customer_reply", "assigned", "bogus"])
def test_statuses_reached_only_by_their_action(company, agent, status):
    ticket = open_ticket(company[1])
    with pytest.raises(ActionRefused):
        actions.do_change_status(ticket, actor=agent, status=status)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_customer_cannot_set_in_progress(company):
    ticket = open_ticket(company[1])
    with pytest.raises(ActionRefused):
        actions.do_change_status(ticket, actor=company[1], status="in_progress")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_staff_reopen(company, agent):
    ticket = actions.do_close_ticket(open_ticket(company[1]), actor=agent)
    assert actions.do_change_status(ticket, actor=agent, status="open").status == Status.OPEN


def test_transfer_records_and_drops_assignee_outside(company, agent):
    ticket = open_ticket(company[1])
    actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
    actions.do_transfer_ticket(ticket, actor=agent, department=dep("financeiro"))
    ticket.refresh_from_db()
    assert ticket.department.slug == "financeiro" and ticket.assignee is None
    assert ticket.status == Status.OPEN
    assert ticket.events.get(kind=EventKind.TRANSFERRED).data == {
        "old": "suporte",
        "new": "financeiro",
    }


def test_transfer_respects_eligibility(company, agent):
    ticket = open_ticket(company[1])
    with pytest.raises(ActionRefused):
        actions.do_transfer_ticket(ticket, actor=agent, department=dep("sucesso"))
    ticket.refresh_from_db()
    assert ticket.department.slug == "suporte"
    assert EventKind.TRANSFERRED not in kinds(ticket)


def test_unlinked_ticket_then_linked(profile, agent):
    ticket = receive(
        sender=Sender(address="desconhecido@gmail.com", email="desconhecido@gmail.com")
    )
    assert not ticket.linked and ticket.company is None
    company_, _ = make_company()
    actions.do_link_ticket(ticket, actor=agent, company=company_)
    ticket.refresh_from_db()
    assert ticket.company == company_
    assert ticket.events.filter(kind=EventKind.LINKED).exists()


@pytest.mark.parametrize("name", ["fatura.pdf.exe. ", "boleto.HTA", "nota.pdf\u202eexe.scr"])
def test_executables_are_refused_whatever_their_name_s_disguise(company, media, name):
    with pytest.raises(ActionRefused, match="tipo de arquivo"):
        open_ticket(company[1], attachments=[actions.NewAttachment(name, "text/plain", b"x")])


def test_attachment_names_are_stored_normalised(company, media):
    file = actions.NewAttachment("C:\\Users\\ana\\print tela. ", "image/png", b"png")
    ticket = open_ticket(company[1], attachments=[file])
    assert ticket.messages.get().attachments.get().name == "print tela"


def test_upload_limits(company, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 10
    big = actions.NewAttachment("log.txt", "text/plain", b"x" * 11)
    with pytest.raises(ActionRefused, match="mais de"):
        open_ticket(company[1], attachments=[big])
    exe = actions.NewAttachment("virus.exe", "application/octet-stream", b"MZ")
    with pytest.raises(ActionRefused, match="tipo de arquivo"):
        open_ticket(company[1], attachments=[exe])
    assert not Ticket.objects.exists()


def test_attachment_stored_by_hash(company, media):
    png = actions.NewAttachment("tela.png", "image/png", b"\x89PNG fake")
    ticket = open_ticket(company[1], attachments=[png])
    attachment = ticket.messages.get().attachments.get()
    assert attachment.size == 9 and attachment.file.read() == b"\x89PNG fake"
    assert attachment.sha256 in attachment.file.name
