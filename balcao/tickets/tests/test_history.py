"""A ticket's history read through ``visible_events``: what each viewer sees, worded for them;
and what a director may open (R4)."""

import pytest
from django.utils import translation

from balcao.accounts.models import Department, User
from balcao.accounts.selectors import get_department
from balcao.core.errors import NotFound
from balcao.events import actions as events
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment
from balcao.tickets.history import visible_events
from balcao.tickets.selectors import get_ticket, list_tickets, read_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(profile):
    return make_company("team", name="Mega")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana Suporte", email="ana@balcao.localhost")


def test_staff_read_assignments_by_name_in_the_active_language(company, agent):
    ticket = open_ticket(company[1])
    bruno = StaffFactory(departments=["suporte"], name="Bruno Lima")
    events.assigned_event(ticket=ticket, actor=agent, old=None, new=agent)
    events.assigned_event(ticket=ticket, actor=agent, old=agent, new=bruno)
    with translation.override("en"):
        history = visible_events(agent, ticket)
        assigned = [h for h in history if h.kind == EventKind.ASSIGNED]
        assert [h.text for h in assigned] == [
            "Assignee: nobody → Ana Suporte.",
            "Assignee: Ana Suporte → Bruno Lima.",
        ]
        assert {h.author_name for h in assigned} == {"Ana Suporte"}
    with translation.override("pt-br"):
        assert visible_events(agent, ticket)[-1].text == "Responsável: Ana Suporte → Bruno Lima."


def test_a_contact_reads_no_note_assignment_nor_sla_and_no_staff_address(company, agent):
    customer = company[1]
    ticket = open_ticket(customer)
    actions.do_add_message(ticket, actor=agent, body="Nota interna", internal=True)
    events.assigned_event(ticket=ticket, actor=agent, old=None, new=agent)
    reply = actions.do_add_message(ticket, actor=agent, body="Resposta")
    events.delivery_failed_event(message=reply, error="550 <ana@balcao.localhost> unknown")
    seen = visible_events(customer, ticket)
    assert [h.kind for h in seen] == [
        "message",
        EventKind.TICKET_OPENED,
        "message",
        EventKind.STATUS_CHANGED,
        EventKind.DELIVERY_FAILED,
    ]
    assert all("ana@" not in h.text + h.author_name and "550" not in h.text for h in seen)
    assert seen[2].author_name == "Ana Suporte"
    staff = visible_events(agent, ticket)
    assert {EventKind.ASSIGNED, EventKind.SLA_STARTED, EventKind.SLA_PAUSED} <= {
        h.kind for h in staff
    }
    assert any("550" in h.text for h in staff) and [h.message.internal for h in staff if h.message]


def test_an_unnamed_agents_reply_is_signed_by_the_team_not_by_address(company):
    nameless = StaffFactory(departments=["suporte"], name="")
    ticket = open_ticket(company[1])
    actions.do_add_message(ticket, actor=nameless, body="Resolvido")
    reply = [h for h in visible_events(company[1], ticket) if h.message][-1]
    assert reply.author_name == ""  # the page says "Support team"
    assert [h for h in visible_events(nameless, ticket) if h.message][-1].author_name == (
        nameless.email
    )


def test_a_director_opens_the_earlier_ticket_an_ouvidoria_complaint_refers_to(company):
    customer = company[1]
    earlier = open_ticket(customer, "suporte", subject="Atendimento ruim")
    unrelated = open_ticket(customer, "suporte", subject="Outro assunto")
    complaint = open_ticket(customer, "ouvidoria", subject="Reclamação", reference=earlier.number)
    director = StaffFactory(departments=[], role=User.Role.DIRECTOR)
    assert get_ticket(director, complaint.number) == complaint
    assert get_ticket(director, earlier.number) == earlier
    with pytest.raises(NotFound):
        get_ticket(director, unrelated.number)
    assert set(list_tickets(director)) == {complaint, earlier}
    member = StaffFactory(departments=["ouvidoria"])  # not a director: none of it
    with pytest.raises(NotFound):
        get_ticket(member, earlier.number)


def test_files_are_read_only_when_a_message_has_some(
    company, agent, media, django_assert_num_queries
):
    customer = company[1]
    ticket = open_ticket(customer)
    actions.do_add_message(ticket, actor=agent, body="Sem anexo")
    departments = list(Department.objects.all())
    with django_assert_num_queries(2):  # messages, events: no message has a file
        history = visible_events(agent, ticket, departments=departments)
    assert [h.files for h in history if h.message] == [(), ()]
    actions.do_add_message(
        ticket,
        actor=customer,
        body="Segue",
        attachments=[
            NewAttachment("b.txt", "text/plain", b"b"),
            NewAttachment("a.txt", "text/plain", b"a"),
        ],
    )
    with django_assert_num_queries(3):  # and the files, for every message at once
        history = visible_events(agent, ticket, departments=departments)
    assert [[a.name for a in h.files] for h in history if h.message] == [[], [], ["b.txt", "a.txt"]]


def test_departments_are_read_only_when_the_history_names_another(
    company, agent, django_assert_num_queries
):
    customer = company[1]
    ticket = open_ticket(customer, "suporte")
    with translation.override("pt-br"):
        ticket = get_ticket(customer, ticket.number)
        with django_assert_num_queries(2):  # messages, events: the opening names the ticket's own
            history = visible_events(customer, ticket)
        assert history[1].text.startswith("Aberto em Suporte")
        actions.do_transfer_ticket(ticket, actor=agent, department=get_department("financeiro"))
        ticket = get_ticket(customer, ticket.number)
        with django_assert_num_queries(3):  # and the departments: it left Suporte
            texts = [h.text for h in visible_events(customer, ticket)]
    assert texts[1].startswith("Aberto em Suporte")
    assert "Transferido para o departamento Financeiro." in texts


def test_a_contact_held_reads_its_company_tickets_and_no_one_elses(
    company, profile, django_assert_num_queries
):
    from balcao.customers.selectors import get_contact

    customer = company[1]
    ticket = open_ticket(customer)
    _, stranger = make_company("team", name="Outra")
    contact = get_contact(customer)
    with django_assert_num_queries(1):
        assert read_ticket(customer, ticket.number, related=(), contact=contact) == ticket
    with pytest.raises(NotFound):
        read_ticket(stranger, ticket.number, related=(), contact=get_contact(stranger))
    with pytest.raises(NotFound):  # someone else's contact record is not taken for theirs
        read_ticket(stranger, ticket.number, related=(), contact=contact)


def test_a_ticket_is_read_with_the_relations_asked_and_no_other(company, agent):
    from balcao.tickets.models import Ticket

    number = open_ticket(company[1]).number
    full = get_ticket(agent, number)
    assert Ticket.department.is_cached(full) and Ticket.company.is_cached(full)
    bare = get_ticket(agent, number, related=())
    assert not Ticket.department.is_cached(bare) and not Ticket.company.is_cached(bare)
    page = get_ticket(agent, number, related=("assignee",))
    assert Ticket.assignee.is_cached(page) and not Ticket.company.is_cached(page)


def test_the_histories_sql_is_built_once_per_kind_of_viewer_and_each_reads_its_own(
    company, agent, built_sql
):
    _, contact = company
    first, second = open_ticket(contact, subject="Primeiro"), open_ticket(contact)
    actions.do_add_message(first, actor=agent, body="Nota da equipe.", internal=True)
    actions.do_add_message(second, actor=agent, body="Resposta ao cliente.")
    built_sql.clear()  # what opening and replying built
    staff_first = [h.message.body_text for h in visible_events(agent, first) if h.message]
    assert "Nota da equipe." in staff_first
    assert [h.message.body_text for h in visible_events(agent, second) if h.message][-1] == (
        "Resposta ao cliente."
    )
    assert len(built_sql) == 2  # its messages and its events, for staff
    customer_first = [h.message.body_text for h in visible_events(contact, first) if h.message]
    assert "Nota da equipe." not in customer_first and len(customer_first) == 1
    assert len(built_sql) == 4  # and for a customer
