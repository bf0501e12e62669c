"""The console's pages and actions, through Django's test client."""

import pytest
from django.db import connections
from django.db.models import F
from django.urls import reverse

from balcao.accounts.actions import do_add_staff_member, do_change_staff_member
from balcao.accounts.models import Department
from balcao.console import selectors
from balcao.console.forms import ACTIVE
from balcao.console.tests.conftest import flashes, open_unlinked, text, url
from balcao.core import prepared
from balcao.customers.actions import do_authorize_contact, do_change_company, do_remove_contact
from balcao.customers.models import Contact
from balcao.factories import StaffFactory, open_ticket
from balcao.tickets import actions
from balcao.tickets.models import Status, Ticket
from balcao.tickets.selectors import list_tickets

pytestmark = pytest.mark.django_db


# ---- home ------------------------------------------------------------------------------


def test_home_counts_each_status_per_department_and_the_unlinked_queue(
    as_agent, customer, suporte_agent, atendimento_agent
):
    a = open_ticket(customer, "suporte")
    open_ticket(customer, "suporte")
    actions.do_assign_ticket(a, actor=suporte_agent, assignee=suporte_agent)
    open_ticket(customer, "financeiro")  # not the agent's department
    open_unlinked()  # in Atendimento: not the agent's either
    response = as_agent.get(url("home"))
    assert response.status_code == 200
    queues = response.context["queues"]
    assert [q.department.slug for q in queues.departments] == ["suporte"]
    suporte = queues.departments[0]
    assert suporte.counts == {Status.OPEN: 1, Status.ASSIGNED: 1}
    assert suporte.active == 2
    assert queues.unlinked_active == 0
    assert [t.number for t in response.context["mine"]] == [a.number]
    page = text(response)
    assert "Suporte" in page and 'Em aberto: <span class="n">1</span>' in page
    assert "Não vinculados" in page


def test_home_unlinked_queue_counts_what_the_viewer_sees(client, atendimento_agent, profile):
    open_unlinked()
    closed = open_unlinked(subject="Outro")
    actions.do_close_ticket(closed, actor=atendimento_agent)
    client.force_login(atendimento_agent)
    assert client.get(url("home")).context["queues"].unlinked_active == 1


def test_the_kept_home_is_made_again_after_a_change_and_when_its_counts_are_recounted(
    as_agent, customer, suporte_agent, django_capture_on_commit_callbacks
):
    mine = open_ticket(customer, "suporte")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_assign_ticket(mine, actor=suporte_agent, assignee=suporte_agent)
    first = as_agent.get(url("home"))
    assert 'Atribuído: <span class="n">1</span>' in text(first) and f"#{mine.number}" in text(first)
    again = as_agent.get(url("home"))
    assert again.context is None and again.status_code == 200  # kept: not rendered again
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_start_progress(mine, actor=suporte_agent)
    changed = as_agent.get(url("home"))
    assert 'Atribuído: <span class="n">0</span>' in text(changed)
    assert 'Em andamento: <span class="n">1</span>' in text(changed)
    # the SLA counts move with time alone: once the queues' cache lets them go (after
    # QUEUES_SECONDS) they are counted again, and the page made again with them
    version = changed.context["version"]
    assert as_agent.get(url("home")).context is None
    selectors.cache.delete(selectors.queues_key(suporte_agent, version))
    assert as_agent.get(url("home")).context["queues"].departments[0].active == 1


def test_the_home_reads_queues_cached_by_a_release_that_did_not_time_them(as_agent, suporte_agent):
    version = as_agent.get(url("home")).context["version"]
    earlier = selectors.Queues([], 0)
    del earlier.__dict__["counted_at"]  # as an earlier release pickled them
    selectors.cache.set(selectors.queues_key(suporte_agent, version), earlier)
    assert as_agent.get(url("home")).status_code == 200


def test_home_is_in_english_when_asked(as_agent, profile):
    response = as_agent.get(url("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Queues" in text(response) and "Unlinked" in text(response)


# ---- list -------------------------------------------------------------------------------


def test_list_filters(as_agent, customer, suporte_agent, atendimento_agent):
    mine = open_ticket(customer, "suporte", subject="Meu chamado")
    actions.do_assign_ticket(mine, actor=suporte_agent, assignee=suporte_agent)
    other = open_ticket(customer, "suporte", subject="Pagamento recusado")
    closed = open_ticket(customer, "suporte", subject="Antigo")
    actions.do_close_ticket(closed, actor=suporte_agent)

    def numbers(**params):
        response = as_agent.get(url("tickets"), params)
        assert response.status_code == 200
        return {t.number for t in response.context["page"].object_list}

    assert numbers() == {mine.number, other.number, closed.number}
    assert numbers(status="closed") == {closed.number}
    assert numbers(status=ACTIVE) == {mine.number, other.number}
    assert numbers(assignee="me") == {mine.number}
    assert numbers(assignee="none") == {other.number, closed.number}
    assert numbers(assignee=suporte_agent.email) == {mine.number}
    assert numbers(q="pagamento") == {other.number}
    assert numbers(q=f"#{closed.number}") == {closed.number}
    assert numbers(q=customer.email) == {mine.number, other.number, closed.number}
    assert numbers(department="suporte") == {mine.number, other.number, closed.number}
    assert numbers(department="financeiro") == set()
    assert numbers(unlinked="on") == set()
    assert numbers(status="bogus") == set()


def test_list_unlinked_queue(client, atendimento_agent, customer):
    unlinked = open_unlinked()
    open_ticket(customer, "atendimento")
    client.force_login(atendimento_agent)
    response = client.get(url("tickets"), {"unlinked": "on"})
    assert [t.number for t in response.context["page"].object_list] == [unlinked.number]
    assert "Chamados não vinculados" in text(response)


def test_list_sorts(as_agent, customer, suporte_agent):
    first = open_ticket(customer, "suporte")
    second = open_ticket(customer, "suporte")
    actions.do_add_message(first, actor=suporte_agent, body="Olá")  # first updated last

    def order(sort):
        response = as_agent.get(url("tickets"), {"sort": sort})
        return [t.number for t in response.context["page"].object_list]

    assert order("updated") == [first.number, second.number]
    assert order("-updated") == [second.number, first.number]
    assert order("created") == [second.number, first.number]
    assert order("-created") == [first.number, second.number]
    assert order("number") == [second.number, first.number]
    assert order("-number") == [first.number, second.number]
    # Open (waits for us) before Answered (waits for the customer)
    assert order("status") == [second.number, first.number]
    # What breaches first: the running clock; then, by last update, the tickets that owe
    # nothing now (paused while waiting for the customer, or outside SLA)
    unlinked = open_unlinked(department="suporte")
    assert order("sla") == [second.number, unlinked.number, first.number]


def test_the_sla_order_pages_on_from_the_tickets_due_to_those_with_nothing_due(
    customer, suporte_agent
):
    due = [open_ticket(customer, "suporte", subject=f"Devido {i}") for i in range(4)]
    nothing_due = [open_unlinked(email=f"x{i}@gmail.com", department="suporte") for i in range(3)]
    # the order as one sort of every ticket joined to its clock
    expected = list(
        list_tickets(suporte_agent)
        .order_by(F("sla__next_due").asc(nulls_last=True), "-updated_at", "-id")
        .values_list("pk", flat=True)
    )
    assert set(expected[:4]) == {t.pk for t in due}
    assert expected[4:] == [t.pk for t in reversed(nothing_due)]

    def page(number):
        listed = selectors.console_page(suporte_agent, number, size=3, sort="sla")
        return [pk for pk, _updated_at in listed.object_list]

    # 3 due; 1 due and 2 with nothing due; the last one
    assert page(1) + page(2) + page(3) == expected
    assert page(3) == expected[6:]


def test_list_paginates_by_25(as_agent, customer):
    for _ in range(27):
        open_ticket(customer, "suporte")
    first = as_agent.get(url("tickets"))
    assert len(first.context["page"].object_list) == 25
    assert "page=2" in text(first)
    second = as_agent.get(url("tickets"), {"page": 2})
    assert len(second.context["page"].object_list) == 2


def test_a_long_list_is_counted_up_to_a_cap(as_agent, customer, monkeypatch):
    """A large desk's list does not count every ticket on every request: past the cap it
    says "more than" and pages on; filtered below the cap, it counts exactly."""
    monkeypatch.setattr("balcao.console.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("balcao.console.views.PAGE_SIZE", 2)
    for _ in range(5):
        open_ticket(customer, "suporte")
    first = as_agent.get(url("tickets"))
    assert first.context["page"].paginator.capped
    assert "Mais de 3 chamados · página 1" in text(first)
    assert "page=2" in text(first)
    assert len(as_agent.get(url("tickets"), {"page": 2}).context["page"].object_list) == 2
    closed = as_agent.get(url("tickets"), {"status": "closed"}).context["page"].paginator
    assert (closed.count, closed.capped) == (0, False)


def test_a_page_and_its_count_are_one_query(
    suporte_agent, customer, monkeypatch, django_assert_num_queries
):
    """The page's ids carry the capped count; a number out of range shows the last page
    (or the first, not a number), as Django's paginator does, at one query more."""
    monkeypatch.setattr("balcao.console.selectors.COUNT_CAP", 3)
    opened = [open_ticket(customer, "suporte").pk for _ in range(5)]
    newest = opened[::-1]

    def page(number, **filters):
        with django_assert_num_queries(queries):
            found = selectors.console_page(suporte_agent, number, size=2, **filters)
        return found.number, found.paginator.count, [pk for pk, _stamp in found.object_list]

    queries = 1  # the ids and the count, and a first page found empty
    assert page(None) == (1, 4, newest[:2])
    assert page("2") == (2, 4, newest[2:4])
    assert page("abc") == (1, 4, newest[:2])
    assert page(1, status="closed") == (1, 0, [])
    queries = 2  # past the last page or below the first: the count, then the last page
    assert page("3") == (2, 4, newest[2:4])  # the capped list ends at its fourth ticket
    assert page("0") == (2, 4, newest[2:4])
    assert page(2, status="closed") == (1, 0, [])  # an empty page is read from no table
    assert page("99") == (2, 4, newest[2:4])  # past the cap's last page: not looked at
    assert page(str(10**21)) == (2, 4, newest[2:4])


def test_a_list_filtered_by_status_department_or_linkedness_is_counted_from_the_kept_counts(
    customer,
    suporte_agent,
    atendimento_agent,
    director,
    admin_user,
    ouvidoria_ticket,
    django_assert_num_queries,
):
    """Such a list's count reads no ticket (issue 17: counting even 10,001 of a million took
    14–28 ms a list): it sums the counts the database keeps, in the page's own query, and says
    what counting the list would, for each kind of staff; other filters, and a director (who
    also sees the tickets complaints refer to), count the tickets."""
    for department in ["suporte", "suporte", "atendimento", "financeiro"]:
        open_ticket(customer, department)
    open_unlinked(department="suporte")
    open_unlinked(email="outra@gmail.com", department="atendimento")
    closed = open_ticket(customer, "suporte")
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    lists = [
        {},
        {"status": "open"},
        {"status": "open,closed"},
        {"status": "closed"},
        {"department": "suporte"},
        {"department": "atendimento", "status": "open"},
        {"department": "nenhum"},
        {"unlinked": True},
        {"unlinked": True, "status": "open", "department": "suporte"},
    ]
    for viewer in [suporte_agent, atendimento_agent, admin_user]:
        for filters in lists:
            with django_assert_num_queries(1) as captured:
                page = selectors.console_page(viewer, None, size=2, **filters)
            assert "tickets_ticketcount" in captured.captured_queries[0]["sql"]
            assert page.paginator.count == list_tickets(viewer, **filters).count(), filters
    for viewer, filters in [(suporte_agent, {"assignee": "none"}), (director, {})]:
        with django_assert_num_queries(1) as captured:
            page = selectors.console_page(viewer, None, size=2, **filters)
        assert "tickets_ticketcount" not in captured.captured_queries[0]["sql"]
        assert page.paginator.count == list_tickets(viewer, **filters).count()
    # the SLA order counts apart, from the same kept counts
    page = selectors.console_page(admin_user, None, size=2, sort="sla", status="open")
    assert page.paginator.count == list_tickets(admin_user, status="open").count()


def test_a_page_of_the_list_is_built_once_per_role_and_filters(
    customer, suporte_agent, atendimento_agent, monkeypatch, django_assert_num_queries
):
    """Its SQL is built once and run with each agent's own id (core.prepared): each still
    lists only the tickets of their departments; a search is built each time."""
    monkeypatch.setitem(connections["default"].__dict__, prepared.BUILT, {})
    built = []
    console_tickets = selectors.console_tickets

    def counted(viewer, **filters):
        built.append(filters)
        return console_tickets(viewer, **filters)

    monkeypatch.setattr(selectors, "console_tickets", counted)
    support = open_ticket(customer, "suporte", subject="Impressora")
    service = open_ticket(customer, "atendimento", subject="Impressora")

    def listed(viewer, **filters):
        with django_assert_num_queries(1):
            page = selectors.console_page(viewer, None, size=25, **filters)
        return [pk for pk, _stamp in page.object_list], page.paginator.count

    for _ in range(2):
        assert listed(suporte_agent) == ([support.pk], 1)
        assert listed(atendimento_agent) == ([service.pk], 1)
        assert listed(suporte_agent, status="closed") == ([], 0)
    assert len(built) == 2  # the whole list, the closed ones
    assert listed(suporte_agent, q="impressora") == ([support.pk], 1)
    assert listed(atendimento_agent, q="impressora") == ([service.pk], 1)
    assert len(built) == 4


def test_list_poll_answers_204_until_something_changes(
    as_agent, customer, suporte_agent, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, "suporte")
    page = as_agent.get(url("tickets"), {"status": "open"})
    version = page.context["version"]
    assert f"v={version}" in page.content.decode().replace("&amp;", "&").replace("%2D", "-")
    poll = as_agent.get(url("tickets"), {"status": "open", "v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        actions.do_assign_ticket(ticket, actor=suporte_agent, assignee=suporte_agent)
    poll = as_agent.get(url("tickets"), {"status": "open", "v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert poll.templates[0].name == "console/_ticket_rows.html"
    assert 'id="ticket-rows"' in poll.content.decode() and "<html" not in poll.content.decode()
    assert list(poll.context["page"].object_list) == []


def test_home_poll_answers_204_until_something_changes(
    as_agent, customer, django_capture_on_commit_callbacks
):
    version = as_agent.get(url("home")).context["version"]
    assert as_agent.get(url("home"), {"v": version}, HTTP_HX_REQUEST="true").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(customer, "suporte")
    poll = as_agent.get(url("home"), {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and 'id="live-home"' in poll.content.decode()


def test_poll_sees_a_ticket_leave_the_department(
    as_agent, customer, suporte_agent, django_capture_on_commit_callbacks
):
    """The agent sees only Suporte: a transfer away changes no ticket of theirs that is
    still there, and the list must still drop it."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer, "suporte")
        open_ticket(customer, "suporte")  # a newer one, untouched by the transfer
    version = as_agent.get(url("tickets")).context["version"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_transfer_ticket(
            ticket, actor=suporte_agent, department=Department.objects.get(slug="financeiro")
        )
    poll = as_agent.get(url("tickets"), {"v": version}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert ticket.number not in [t.number for t in poll.context["page"].object_list]


# ---- bulk -------------------------------------------------------------------------------


def test_bulk_assign_to_me_reports_each_refusal_and_does_the_rest(
    as_agent, customer, suporte_agent
):
    a, b = open_ticket(customer, "suporte"), open_ticket(customer, "suporte")
    closed = open_ticket(customer, "suporte")
    actions.do_close_ticket(closed, actor=suporte_agent)
    hidden = open_ticket(customer, "financeiro")
    response = as_agent.post(
        url("bulk"),
        {
            "operation": "assign_me",
            "tickets": [a.number, closed.number, b.number, hidden.number],
            "next": url("tickets") + "?status=open",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("tickets") + "?status=open"
    for t in (a, b):
        t.refresh_from_db()
        assert t.assignee == suporte_agent and t.status == Status.ASSIGNED
    hidden.refresh_from_db()
    assert hidden.assignee is None
    notes = flashes(response)
    assert (
        f"#{closed.number}: Um chamado fechado não pode ser atribuído; reabra-o primeiro." in notes
    )
    assert any(n.startswith(f"#{hidden.number}:") for n in notes)
    assert "2 chamados atualizados." in notes


def test_bulk_assign_to_someone_and_close(as_agent, customer, suporte_agent, profile):
    colleague = StaffFactory(departments=["suporte"])
    a, b = open_ticket(customer, "suporte"), open_ticket(customer, "suporte")
    as_agent.post(
        url("bulk"),
        {"operation": "assign", "assignee": colleague.email, "tickets": [a.number, b.number]},
    )
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {colleague.pk}
    as_agent.post(url("bulk"), {"operation": "close", "tickets": [a.number]})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Status.CLOSED and b.status == Status.ASSIGNED


def test_bulk_refuses_unusable_input_without_changing_anything(as_agent, customer):
    a = open_ticket(customer, "suporte")
    response = as_agent.post(
        url("bulk"), {"operation": "assign", "tickets": [a.number]}, follow=True
    )
    assert "Escolha quem recebe os chamados." in flashes(response)
    response = as_agent.post(
        url("bulk"), {"operation": "close", "next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("tickets")
    a.refresh_from_db()
    assert a.status == Status.OPEN


# ---- ticket page ------------------------------------------------------------------------


def test_ticket_page_shows_conversation_notes_history_and_customer(
    as_agent, customer, suporte_agent, mega
):
    ticket = open_ticket(customer, "suporte", subject="Checkout fora do ar")
    actions.do_add_message(ticket, actor=suporte_agent, body="Nota só da equipe", internal=True)
    reply = actions.do_add_message(ticket, actor=suporte_agent, body="Já estamos vendo.")
    actions.do_record_delivery(reply, message_id="<x@y>", error="550 mailbox unavailable")
    open_ticket(customer, "suporte")  # another open ticket of the company
    response = as_agent.get(url("ticket", ticket.number))
    assert response.status_code == 200
    page = text(response)
    assert "Nota só da equipe" in page and "nota interna" in page
    assert 'class="msg out note"' in page
    assert "Já estamos vendo." in page
    assert "Falha na entrega" in page and "550 mailbox unavailable" in page
    assert "Status: Em aberto → Respondido." in page
    assert "Plano" in page and "TEAM" in page and "Pacote Expresso" in page
    assert "contato principal" in page
    assert response.context["panel"].other_open == 1


def test_who_may_take_a_ticket_shows_a_change_to_the_staff_at_once(
    as_agent, customer, suporte_agent, admin_user
):
    ticket = open_ticket(customer, "suporte")

    def offered():
        response = as_agent.get(url("ticket", ticket.number))
        return {label for _, label in response.context["assign_form"].fields["assignee"].choices}

    assert "Nova Pessoa" not in offered()  # and the options are kept
    suporte = Department.objects.filter(slug="suporte")
    newcomer = do_add_staff_member(
        actor=admin_user,
        email="nova@balcao.localhost",
        name="Nova Pessoa",
        role="agent",
        password=None,
        departments=list(suporte),
    )
    assert "Nova Pessoa" in offered()
    do_change_staff_member(newcomer, actor=admin_user, is_active=False)
    assert "Nova Pessoa" not in offered()


def test_the_customer_panel_shows_a_change_to_contacts_and_add_ons_at_once(
    as_agent, mega, suporte_agent
):
    company, primary = mega
    contact = do_authorize_contact(company, actor=primary, email="ti@megastore.com.br")
    ticket = open_ticket(contact.user, "suporte")

    def panel():  # the page as shown (kept whole while nothing it shows changed)
        page = text(as_agent.get(url("ticket", ticket.number)))
        return page[page.index('id="customer"') : page.index("Outros chamados abertos")]

    assert "contato autorizado" in panel()  # and the panel is kept
    do_remove_contact(contact, actor=primary)
    assert "não é um contato autorizado" in panel()
    do_authorize_contact(company, actor=primary, email="ti@megastore.com.br")
    assert "contato autorizado" in panel() and "não é um contato" not in panel()
    assert "Pacote Expresso" in panel()
    do_change_company(company, actor=suporte_agent, addons=[])
    assert "Pacote Expresso" not in panel()


def test_other_open_tickets_count_only_what_each_viewer_sees(
    client, customer, suporte_agent, atendimento_agent
):
    ticket = open_ticket(customer, "suporte")
    open_ticket(customer, "suporte")
    open_ticket(customer, "atendimento")
    both = StaffFactory(departments=["suporte", "atendimento"])
    for viewer, others in ((both, 2), (suporte_agent, 1), (both, 2)):
        client.force_login(viewer)
        page = text(client.get(url("ticket", ticket.number)))  # the second kept whole
        assert f"Outros chamados abertos</dt><dd>{others}</dd>" in page
    client.force_login(atendimento_agent)  # another department's agent: not even the page
    assert client.get(url("ticket", ticket.number)).status_code == 404
    client.force_login(customer)  # nor a contact: the console is the team's
    response = client.get(url("ticket", ticket.number))
    assert response.status_code != 200 and "panel" not in (response.context or {})


def test_requester_no_longer_authorized_is_flagged(client, suporte_agent, mega, authorized):
    company, primary = mega
    ticket = open_ticket(authorized, "suporte")
    from balcao.customers.actions import do_remove_contact

    do_remove_contact(Contact.objects.get(user=authorized), actor=primary)
    client.force_login(suporte_agent)
    assert "não é um contato autorizado" in text(client.get(url("ticket", ticket.number)))


# ---- session, admin ---------------------------------------------------------------------


def test_logout_ends_the_session(as_agent):
    response = as_agent.post(url("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")
    assert as_agent.get(url("home")).status_code == 302


def test_administrators_get_a_link_to_the_admin_site(client, admin_user, suporte_agent):
    client.force_login(suporte_agent)
    assert reverse("admin:index") not in client.get(url("home")).content.decode()
    client.force_login(admin_user)
    page = client.get(url("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in page


def test_admin_site_works_in_portuguese_for_every_model(client, admin_user):
    from django.contrib import admin

    client.force_login(admin_user)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "Administração do Django" in text(index) or "Administração" in text(index)
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
    assert "Departamentos" in text(index) and "Empresas" in text(index)


def test_the_demo_administrator_signs_in_to_the_admin_site(client, settings):
    from balcao.console.demo import PASSWORD, load_demo

    load_demo()
    assert client.login(username="admin@balcao.localhost", password=PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "Planos" in text(response)
    assert f'href="{reverse("admin:index")}"' in client.get(url("home")).content.decode()


def test_every_demo_login_signs_in_and_each_meeting_host_can_be_booked_by_a_demo_company(client):
    from balcao.console.demo import DEMO_LOGINS, HOSTS, PASSWORD, load_demo
    from balcao.customers.models import Company
    from balcao.meetings.selectors import bookable_hosts, kind_refusal

    load_demo()
    for email, _who in DEMO_LOGINS:
        assert client.login(username=email, password=PASSWORD), email
    companies = list(Company.objects.all())
    for email, kind, _place in HOSTS:
        allowed = [c for c in companies if not kind_refusal(c, kind)]
        bookable = {host.user.email for c in allowed for host in bookable_hosts(c, kind)}
        assert email in bookable, (email, kind)
