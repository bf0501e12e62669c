"""Issue 11 at the action level: staff-opened tickets, priority and tags, canned replies, merge."""

from datetime import timedelta

import pytest
from django.utils import translation

from balcao.accounts.models import Department
from balcao.core.errors import ActionRefused, NotFound
from balcao.events.models import Event, EventKind
from balcao.factories import (
    StaffFactory,
    contact_sender,
    make_authorized,
    make_company,
    open_ticket,
    receive,
)
from balcao.sla.models import TicketSla
from balcao.tickets import actions
from balcao.tickets.history import visible_events
from balcao.tickets.models import (
    CannedResponse,
    DepartmentOptions,
    Message,
    Origin,
    Priority,
    PriorityPolicy,
    Status,
    Ticket,
)
from balcao.tickets.selectors import canned_responses_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(profile):
    return make_company("essencial")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte", "atendimento"], name="Ana Suporte")


def dep(slug):
    return Department.objects.get(slug=slug)


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def task_names(tasks):
    return [r.task.name for r in tasks.results]


# Staff open a ticket for a customer (R14)


def test_agent_logs_a_phone_call_in_the_customers_words_and_the_customer_is_told(
    company, agent, tasks, django_capture_on_commit_callbacks
):
    company_, primary = company
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.do_open_ticket_for_customer(
            actor=agent,
            company=company_,
            requester_email=primary.email.upper(),
            department=dep("suporte"),
            subject="Ligou: checkout fora do ar",
            body="O cliente diz que ninguém consegue pagar.",
            channel=Origin.PHONE,
        )
    assert ticket.origin == Origin.PHONE and ticket.requester == primary
    assert ticket.company == company_ and ticket.status == Status.OPEN
    message = ticket.messages.get()
    assert message.direction == Message.Direction.INBOUND and not message.internal
    assert kinds(ticket) == [EventKind.TICKET_OPENED, EventKind.SLA_STARTED]
    assert ticket.events.first().actor == agent
    assert "acknowledge_ticket_task" in task_names(tasks)


def test_agent_notes_a_meeting_without_telling_the_customer(
    company, agent, tasks, django_capture_on_commit_callbacks
):
    company_, primary = company
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.do_open_ticket_for_customer(
            actor=agent,
            company=company_,
            requester_email=primary.email,
            department=dep("atendimento"),
            subject="Reunião de renovação",
            body="Combinamos enviar a proposta até sexta.",
            channel=Origin.MEETING,
            as_note=True,
            notify_customer=False,
        )
    note = ticket.messages.get()
    assert note.internal and note.author == agent
    assert EventKind.NOTE_ADDED in kinds(ticket)
    assert "acknowledge_ticket_task" not in task_names(tasks)
    # The customer sees the ticket, not the note.
    assert [e.kind for e in visible_events(primary, ticket)] == [EventKind.TICKET_OPENED]


def test_staff_cannot_open_for_someone_outside_the_company(company, agent):
    company_, _primary = company
    _, other = make_company()
    with pytest.raises(ActionRefused) as refused:
        actions.do_open_ticket_for_customer(
            actor=agent,
            company=company_,
            requester_email=other.email,
            department=dep("suporte"),
            subject="X",
            body="Y",
        )
    assert refused.value.code == "forbidden"
    assert not Ticket.objects.exists()


def test_customers_cannot_use_the_staff_opening(company):
    company_, primary = company
    with pytest.raises(ActionRefused):
        actions.do_open_ticket_for_customer(
            actor=primary,
            company=company_,
            requester_email=primary.email,
            department=dep("suporte"),
            subject="X",
            body="Y",
        )
    assert not Ticket.objects.exists()


def test_the_plans_rules_apply_unless_the_agent_overrides_them_saying_why(company, agent):
    company_, primary = company
    opening = dict(
        actor=agent,
        company=company_,
        requester_email=primary.email,
        department=dep("sucesso"),  # from TEAM up; the company is Essencial
        subject="Estratégia de marketing",
        body="Quer conversar sobre campanhas.",
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_open_ticket_for_customer(**opening)
    assert refused.value.code == "department_not_available"
    assert not Ticket.objects.exists()
    ticket = actions.do_open_ticket_for_customer(
        **opening, override_reason="Cortesia acertada pela diretoria"
    )
    assert ticket.department.slug == "sucesso"
    override = ticket.events.get(kind=EventKind.DEPARTMENT_OVERRIDDEN)
    assert override.actor == agent and override.data["why"] == "Cortesia acertada pela diretoria"
    assert "TEAM" in override.data["refusal"]
    staff_texts = [e.text for e in visible_events(agent, ticket) if e.event]
    assert any("Cortesia acertada" in t for t in staff_texts)
    assert EventKind.DEPARTMENT_OVERRIDDEN not in [e.kind for e in visible_events(primary, ticket)]


def test_only_staff_channels(company, agent):
    company_, primary = company
    with pytest.raises(ActionRefused):
        actions.do_open_ticket_for_customer(
            actor=agent,
            company=company_,
            requester_email=primary.email,
            department=dep("suporte"),
            subject="X",
            body="Y",
            channel=Origin.WHATSAPP,
        )
    assert not Ticket.objects.exists()


# Priority and tags


def test_staff_set_priority_recorded_and_hidden_from_the_customer_by_default(company, agent):
    _, primary = company
    ticket = open_ticket(primary)
    actions.do_set_priority(ticket, actor=agent, priority=Priority.URGENT)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    event = ticket.events.get(kind=EventKind.PRIORITY_CHANGED)
    assert event.data == {"old": "normal", "new": "urgent", "public": False}
    assert EventKind.PRIORITY_CHANGED not in [e.kind for e in visible_events(primary, ticket)]
    with pytest.raises(ActionRefused) as refused:
        actions.do_set_priority(ticket, actor=agent, priority=Priority.URGENT)
    assert refused.value.code == "unchanged"


def test_customer_sets_priority_only_where_the_department_allows(company):
    _, primary = company
    ticket = open_ticket(primary)
    with pytest.raises(ActionRefused) as refused:
        actions.do_set_priority(ticket, actor=primary, priority=Priority.HIGH)
    assert refused.value.code == "forbidden"
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL
    DepartmentOptions.objects.create(department=dep("suporte"), customers_set_priority=True)
    actions.do_set_priority(ticket, actor=primary, priority=Priority.HIGH)
    with translation.override("en"):
        texts = [e.text for e in visible_events(primary, ticket) if e.event]
    assert "Priority: Normal → High." in texts


def test_another_company_cannot_set_the_priority(company):
    _, primary = company
    _, other = make_company()
    DepartmentOptions.objects.create(department=dep("suporte"), customers_set_priority=True)
    ticket = open_ticket(primary)
    with pytest.raises(ActionRefused):
        actions.do_set_priority(ticket, actor=other, priority=Priority.HIGH)


def test_priority_shortens_the_sla_targets_per_policy(company, agent):
    _, primary = company
    PriorityPolicy.objects.create(priority=Priority.URGENT, sla_percent=50)
    ticket = open_ticket(primary)
    sla = TicketSla.objects.get(ticket=ticket)
    before_minutes, before_due = sla.first_response_minutes, sla.first_response_due
    actions.do_set_priority(ticket, actor=agent, priority=Priority.URGENT)
    sla.refresh_from_db()
    assert sla.first_response_minutes == before_minutes // 2
    assert sla.first_response_due < before_due
    actions.do_set_priority(ticket, actor=agent, priority=Priority.NORMAL)
    sla.refresh_from_db()
    assert sla.first_response_minutes == before_minutes
    assert sla.first_response_due == before_due


def test_an_urgent_ticket_starts_with_the_shorter_targets(company, agent):
    company_, primary = company
    PriorityPolicy.objects.create(priority=Priority.URGENT, sla_percent=25)
    ticket = actions.do_open_ticket_for_customer(
        actor=agent,
        company=company_,
        requester_email=primary.email,
        department=dep("suporte"),
        subject="Loja fora do ar",
        body="Nada abre.",
        priority=Priority.URGENT,
    )
    assert ticket.sla.first_response_minutes == company_.plan.first_response_minutes // 4


def test_tags_added_and_removed_with_their_event(company, agent):
    _, primary = company
    ticket = open_ticket(primary)
    actions.do_set_tags(ticket, actor=agent, tags=["Boleto", " nota  fiscal ", "boleto"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["boleto", "nota fiscal"]
    actions.do_set_tags(ticket, actor=agent, tags=["boleto", "checkout"])
    events = list(ticket.events.filter(kind=EventKind.TAGS_CHANGED).values_list("data", flat=True))
    assert events == [
        {"added": ["boleto", "nota fiscal"], "removed": []},
        {"added": ["checkout"], "removed": ["nota fiscal"]},
    ]
    assert EventKind.TAGS_CHANGED not in [e.kind for e in visible_events(primary, ticket)]
    with pytest.raises(ActionRefused):
        actions.do_set_tags(ticket, actor=primary, tags=["x"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["boleto", "checkout"]


# Canned replies


@pytest.fixture
def canned(agent, profile):
    return CannedResponse.objects.create(
        title="Boleto enviado",
        body="Olá {customer_name}, segue o boleto do chamado #{ticket_number} da {company}"
        " (plano {plan}). {agent_name}. {unknown}",
        set_status=Status.CLOSED,
        assign_to_me=True,
        add_tags="financeiro, boleto",
    )


def test_canned_reply_filled_on_the_server_and_its_actions_run(
    company, agent, canned, tasks, django_capture_on_commit_callbacks
):
    company_, primary = company
    ticket = open_ticket(primary)
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.do_reply_with_canned(ticket, actor=agent, canned_id=canned.pk)
    assert message.body_text == (
        f"Olá {primary.name}, segue o boleto do chamado #{ticket.number} da {company_.name}"
        f" (plano Essencial). {agent.name}. {{unknown}}"
    )
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == Status.CLOSED
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["boleto", "financeiro"]
    assert "deliver_reply_task" in task_names(tasks)


def test_personal_canned_replies_are_their_owners(company, agent, profile):
    other = StaffFactory(departments=["suporte"])
    mine = actions.do_save_canned_response(actor=agent, title="Meu", body="Olá {customer_name}")
    assert list(canned_responses_for(agent)) == [mine]
    assert list(canned_responses_for(other)) == []
    _, primary = company
    ticket = open_ticket(primary)
    with pytest.raises(NotFound):
        actions.do_reply_with_canned(ticket, actor=other, canned_id=mine.pk)
    with pytest.raises(ActionRefused):
        actions.do_save_canned_response(actor=other, canned=mine, title="Teu", body="x")
    with pytest.raises(ActionRefused):
        actions.do_save_canned_response(actor=agent, title="Da equipe", body="x", shared=True)
    assert CannedResponse.objects.count() == 1 and ticket.messages.count() == 1


def test_department_canned_replies_reach_only_who_works_there(profile):
    financeiro = StaffFactory(departments=["financeiro"])
    suporte = StaffFactory(departments=["suporte"])
    admin = StaffFactory(role="administrator")
    reply = actions.do_save_canned_response(
        actor=admin, title="NF", body="Nota", department=dep("financeiro"), shared=True
    )
    assert list(canned_responses_for(financeiro)) == [reply]
    assert list(canned_responses_for(suporte)) == []


# Merge (R17)


def test_merge_moves_everything_and_tells_the_customer(
    company, agent, media, tasks, django_capture_on_commit_callbacks
):
    _, primary = company
    survivor = open_ticket(primary, subject="Checkout fora do ar")
    duplicate = open_ticket(
        primary,
        subject="Não consigo pagar",
        attachments=[actions.NewAttachment("print.png", "image/png", b"\x89PNG")],
    )
    actions.do_set_tags(duplicate, actor=agent, tags=["checkout"])
    actions.do_add_message(duplicate, actor=agent, body="Nota interna", internal=True)
    duplicate_events = duplicate.events.count()
    survivor_events = survivor.events.count()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_merge_ticket(duplicate, actor=agent, into=survivor)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.status == Status.CLOSED
    assert not duplicate.messages.exists()
    bodies = list(survivor.messages.values_list("body_text", flat=True))
    assert "Nota interna" in bodies and "Os clientes não conseguem pagar." in bodies
    assert survivor.messages.filter(attachments__name="print.png").exists()
    assert list(survivor.tags.values_list("name", flat=True)) == ["checkout"]
    # Every event of the duplicate moved; the merge is recorded on both.
    assert survivor.events.count() == survivor_events + duplicate_events + 2
    assert EventKind.MERGED in kinds(duplicate)
    customer_kinds = [e.kind for e in visible_events(primary, survivor)]
    assert EventKind.MERGED_FROM in customer_kinds
    assert [e.kind for e in visible_events(primary, duplicate)][-1] == EventKind.MERGED
    notice = survivor.messages.order_by("-id").first()
    assert f"#{duplicate.number}" in notice.body_text and not notice.internal
    assert "deliver_reply_task" in task_names(tasks)
    survivor.refresh_from_db()
    assert survivor.status == Status.OPEN  # a notice is not an answer


def test_merge_refused_across_companies_and_twice(company, agent):
    _, primary = company
    _, other = make_company()
    mine, theirs = open_ticket(primary), open_ticket(other)
    with pytest.raises(ActionRefused):
        actions.do_merge_ticket(mine, actor=agent, into=theirs)
    with pytest.raises(ActionRefused):
        actions.do_merge_ticket(mine, actor=agent, into=mine)
    with pytest.raises(ActionRefused):
        actions.do_merge_ticket(mine, actor=primary, into=open_ticket(primary))
    assert not Ticket.objects.exclude(merged_into=None).exists()
    assert mine.messages.count() == 1 and not Event.objects.filter(kind=EventKind.MERGED).exists()
    third = open_ticket(primary)
    actions.do_merge_ticket(third, actor=agent, into=mine)
    with pytest.raises(ActionRefused):
        actions.do_merge_ticket(third, actor=agent, into=mine)


def test_an_email_reply_to_a_merged_ticket_continues_in_the_survivor(company, agent):
    company_, primary = company
    survivor = open_ticket(primary, subject="Checkout fora do ar")
    duplicate = open_ticket(primary, subject="Não consigo pagar")
    actions.do_merge_ticket(duplicate, actor=agent, into=survivor)
    joined = receive(
        sender=contact_sender(primary),
        department="suporte",
        subject="Re: Não consigo pagar",
        ticket_number=duplicate.number,
        body="Continua sem funcionar.",
    )
    assert joined == survivor
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED


def test_authorized_contact_ticket_merges_into_primarys(company, agent):
    company_, primary = company
    other = make_authorized(company_, primary)
    a, b = open_ticket(primary), open_ticket(other)
    actions.do_merge_ticket(b, actor=agent, into=a)
    assert Ticket.objects.get(pk=b.pk).merged_into_id == a.pk


def test_unused_time_in_merged_duplicate_stops_its_clock(company, agent):
    _, primary = company
    a, b = open_ticket(primary), open_ticket(primary)
    actions.do_merge_ticket(b, actor=agent, into=a)
    assert TicketSla.objects.get(ticket=b).state == "stopped"
    assert TicketSla.objects.get(ticket=a).first_response_due > a.created_at + timedelta(0)
