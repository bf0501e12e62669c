"""The console's ticket list is kept rendered under the viewer's list token (core.listcache):
what it shows again is never stale, nor another viewer's."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.sessions.backends import cached_db
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from balcao.accounts.actions import do_change_staff_member
from balcao.accounts.models import Department
from balcao.console.rows import RowWriter
from balcao.customers.actions import do_change_company
from balcao.customers.models import Plan
from balcao.factories import SESSION, StaffFactory, open_ticket
from balcao.sla.models import TicketSla
from balcao.tickets import actions
from balcao.tickets.models import Tag

pytestmark = pytest.mark.django_db

TICKETS = reverse("console:tickets")


def rows(response) -> str:
    html = re.sub(r"\s+", " ", response.content.decode())
    return html[html.index('id="ticket-rows"') :]


def rendered(response) -> bool:
    """Whether the rows were rendered for this response (not shown from the cache)."""
    return "console/_ticket_rows.html" in [t.name for t in response.templates]


def test_the_same_list_again_is_not_rendered_again(client, customer, suporte_agent):
    open_ticket(customer, "suporte", subject="Checkout fora do ar")
    client.force_login(suporte_agent)
    first = client.get(TICKETS, {"status": "open"})
    again = client.get(TICKETS, {"status": "open"})
    assert rendered(first) and not rendered(again)
    assert rows(again) == rows(first) and "Checkout fora do ar" in rows(again)
    assert rendered(client.get(TICKETS, {"status": "open", "page": "1"}))  # another query


def test_a_change_made_by_an_action_shows_at_once(
    client, customer, suporte_agent, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    client.force_login(suporte_agent)
    assert "Ana Suporte" not in rows(client.get(TICKETS))
    with django_capture_on_commit_callbacks(execute=True):  # the token moves on commit
        actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    assert "Ana Suporte" in rows(client.get(TICKETS))
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(customer, "suporte", subject="Boleto duplicado")
    assert "Boleto duplicado" in rows(client.get(TICKETS))
    # the live list's poll, which swaps the rows only, too
    version = client.get(TICKETS).context["version"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_tags(ticket, actor=suporte_agent, tags=["pagamento"])
    poll = client.get(TICKETS, {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "pagamento" in poll.content.decode()


def test_a_viewer_who_sees_other_departments_never_gets_the_list_kept_for_another(
    client, customer, suporte_agent, atendimento_agent
):
    open_ticket(customer, "suporte", subject="Só do suporte")
    open_ticket(customer, "atendimento", subject="Só do atendimento")
    client.force_login(suporte_agent)
    shown = rows(client.get(TICKETS))
    assert "Só do suporte" in shown and "Só do atendimento" not in shown
    client.force_login(atendimento_agent)  # same browser, same address
    shown = rows(client.get(TICKETS))
    assert "Só do atendimento" in shown and "Só do suporte" not in shown


def test_a_colleague_with_the_same_token_gets_their_own_list(
    client, customer, suporte_agent, django_capture_on_commit_callbacks
):
    colleague = StaffFactory(departments=["suporte"], name="Caio Suporte")
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    client.force_login(suporte_agent)
    assert "Checkout fora do ar" in rows(client.get(TICKETS, {"assignee": "me"}))
    client.force_login(colleague)  # the same departments: the same list token
    mine = client.get(TICKETS, {"assignee": "me"})
    assert rendered(mine) and "Checkout fora do ar" not in rows(mine)


def test_each_language_is_kept_apart(client, customer, suporte_agent):
    open_ticket(customer, "suporte")
    client.force_login(suporte_agent)
    assert 'data-label="Número"' in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="pt-br"))
    assert 'data-label="Number"' in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en"))
    assert 'data-label="Número"' in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="pt-br"))


def test_an_sla_badge_turns_at_its_instant_however_the_list_is_kept(
    client, customer, suporte_agent, time_machine
):
    ticket = open_ticket(customer, "suporte")
    sla = TicketSla.objects.get(ticket=ticket)
    client.force_login(suporte_agent)
    # seconds apart, well within what the cache keeps a list
    time_machine.move_to(sla.at_risk_from - timedelta(seconds=10), tick=False)
    assert "SLA running" in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en"))
    time_machine.move_to(sla.at_risk_from + timedelta(seconds=10), tick=False)
    assert "SLA at risk" in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en"))
    time_machine.move_to(sla.next_due - timedelta(seconds=10), tick=False)
    assert "SLA at risk" in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en"))
    time_machine.move_to(sla.next_due + timedelta(seconds=10), tick=False)
    assert "SLA breached" in rows(client.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en"))


def test_after_a_change_the_filters_are_kept_and_only_the_rows_made_again(
    client,
    customer,
    suporte_agent,
    django_capture_on_commit_callbacks,
    assert_queries_besides_the_cache,
):
    ticket = open_ticket(customer, "suporte")
    client.force_login(suporte_agent)
    client.get(TICKETS)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_priority(ticket, actor=suporte_agent, priority="urgent")
    # the session, user, version, the page's ids with their count, its tickets, their tags
    with assert_queries_besides_the_cache(SESSION + 5):
        response = client.get(TICKETS)
    made = [t.name for t in response.templates]
    assert "console/_ticket_rows.html" in made and "console/_ticket_filters.html" not in made
    assert "priority-urgent" in rows(response)


def test_the_list_and_its_filters_are_read_and_written_in_one_round_trip_each(
    client, customer, suporte_agent, django_capture_on_commit_callbacks, monkeypatch
):
    ticket = open_ticket(customer, "suporte")
    calls: list[str] = []
    inside = []  # a backend's set_many may call its own set: the outer call counted alone

    def counted(name, method):
        def call(*args, **kwargs):
            session = str(args[0]).startswith(cached_db.KEY_PREFIX)  # read through Redis
            if not inside and not session:
                calls.append(name)
            inside.append(name)
            try:
                return method(*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "set", "set_many"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    client.force_login(suporte_agent)
    calls.clear()
    first = client.get(TICKETS)
    assert rendered(first) and calls == ["get_many", "set_many"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_priority(ticket, actor=suporte_agent, priority="urgent")
    calls.clear()
    after = client.get(TICKETS)  # the filters kept, the list made again
    made = [t.name for t in after.templates]
    assert "console/_ticket_filters.html" not in made and calls == ["get_many", "set"]
    calls.clear()
    assert not rendered(client.get(TICKETS)) and calls == ["get_many"]


def test_a_department_joined_shows_in_the_filters_at_once(client, suporte_agent, admin_user):
    client.force_login(suporte_agent)
    assert 'value="atendimento"' not in client.get(TICKETS).content.decode()
    do_change_staff_member(
        suporte_agent,
        actor=admin_user,
        departments=list(Department.objects.filter(slug__in=["suporte", "atendimento"])),
    )
    assert 'value="atendimento"' in client.get(TICKETS).content.decode()


def test_after_a_change_only_the_changed_rows_are_loaded_and_rendered(
    client, customer, suporte_agent, django_capture_on_commit_callbacks, monkeypatch
):
    changed, kept = (open_ticket(customer, "suporte", subject=s) for s in ("Mudou", "Ficou"))
    written = []
    row = RowWriter.row
    monkeypatch.setattr(
        RowWriter, "row", lambda self, ticket: written.append(ticket.pk) or row(self, ticket)
    )
    client.force_login(suporte_agent)
    client.get(TICKETS)
    assert sorted(written) == sorted([changed.pk, kept.pk])
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_priority(changed, actor=suporte_agent, priority="urgent")
    written.clear()
    after = client.get(TICKETS)
    assert written == [changed.pk]
    assert [row.number for row in after.context["page"].object_list] == [
        changed.number,
        kept.number,
    ]
    assert "priority-urgent" in rows(after) and "Ficou" in rows(after)
    assert rows(after).count("<tr>") == 3  # the header and both tickets


def _admin_saves(obj, admin_user):
    """What the admin does when a change form (or a list's editable column) saves ``obj``:
    its ModelAdmin's ``save_model``, in the post's transaction."""
    request = RequestFactory().post("/")
    request.user = admin_user
    with transaction.atomic():
        admin.site._registry[type(obj)].save_model(request, obj, None, True)


def _rename_company(ticket, admin_user):
    do_change_company(ticket.company, actor=admin_user, name="Mega Store Renomeada")
    return "Mega Store Renomeada"


def _move_company_to_another_plan(ticket, admin_user):
    do_change_company(ticket.company, actor=admin_user, plan=Plan.objects.get(slug="essencial"))
    return f"({Plan.objects.get(slug='essencial').name})"


def _rename_plan(ticket, admin_user):
    plan = ticket.company.plan
    plan.name = "Team Plus"
    _admin_saves(plan, admin_user)
    return "(Team Plus)"


def _rename_department(ticket, admin_user):
    department = Department.objects.get(slug="suporte")
    department.name = "Suporte Técnico"
    _admin_saves(department, admin_user)
    return "Suporte Técnico"


def _rename_agent(ticket, admin_user):
    do_change_staff_member(ticket.assignee, actor=admin_user, name="Ana Souza")
    return "Ana Souza"


def _rename_tag(ticket, admin_user):
    tag = Tag.objects.get(name="pagamento")
    tag.name = "pagamentos"
    _admin_saves(tag, admin_user)
    return ">pagamentos<"


@pytest.mark.parametrize(
    "rename",
    [
        _rename_company,
        _move_company_to_another_plan,
        _rename_plan,
        _rename_department,
        _rename_agent,
        _rename_tag,
    ],
)
def test_a_name_the_list_shows_changed_shows_at_once(
    client, customer, suporte_agent, admin_user, rename
):
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    actions.do_set_tags(ticket, actor=suporte_agent, tags=["pagamento"])
    ticket.refresh_from_db()
    client.force_login(suporte_agent)
    before = client.get(TICKETS)
    client.get(TICKETS, {"status": "open"})  # another list, whose rows a new one may reuse
    shown = rename(ticket, admin_user)
    after = client.get(TICKETS)
    assert after.context["version"] != before.context["version"]  # the live list swaps
    assert shown in rows(after)


@pytest.mark.parametrize(
    ("rename", "where"), [(_rename_department, "filters"), (_rename_agent, "assignees")]
)
def test_a_name_the_filters_show_changed_shows_at_once(
    client, customer, suporte_agent, admin_user, rename, where
):
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    ticket.refresh_from_db()
    client.force_login(suporte_agent)
    client.get(TICKETS)
    shown = rename(ticket, admin_user)
    assert shown in client.get(TICKETS).context["shown"][where]
