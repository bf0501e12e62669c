"""Query counts of the console's pages, pinned: they do not grow with tickets or messages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from balcao.console.tests.conftest import open_unlinked
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment

pytestmark = pytest.mark.django_db

HOME = 8  # session, user, version, departments, counts per status, unlinked count, SLA counts,
# my tickets
HOME_AGAIN = 4  # session, user, version, my tickets: the queues are cached under the version
LIST = 8  # session, user, version, staff, departments, the page's ids in order with their
# count, its tickets with all they show (clock joined), their tags' names — besides the
# cache's statements
LIST_AGAIN = 3  # session, user, version: the same list under the same token is kept rendered
# (each list below is pinned as made from nothing kept: cache.clear(); a list showing rows the
# viewer already has loads none of them, test_list_cache)
TICKET = 13  # session, user, ticket (its SLA clock joined), the LGPD access record (an
# insert), departments, messages (the version counts their deliveries: no query), their
# attachments, events, staff who may take it, contacts, add-ons, other open count, the tags
TICKET_CLOSED = TICKET - 2  # no attachment to read, and a closed ticket is not assigned


def fill(n, agent, media):
    company, primary = make_company("team")
    for i in range(n):
        ticket = open_ticket(primary, "suporte", subject=f"Chamado {i}")
        actions.do_assign_ticket(ticket, actor=agent, assignee=agent)
        actions.do_set_tags(ticket, actor=agent, tags=[f"tag {i}", "checkout"])
        actions.do_set_priority(ticket, actor=agent, priority="urgent" if i % 2 else "high")
        open_unlinked(email=f"x{i}@gmail.com")
    for i in range(n):
        actions.do_add_message(
            ticket,
            actor=agent if i % 2 else primary,
            body=f"Mensagem {i}",
            internal=i % 2 == 1 and i % 3 == 0,
            attachments=[NewAttachment(f"f{i}.txt", "text/plain", b"x")] if i % 4 == 0 else (),
        )
    return ticket


@pytest.mark.parametrize("n", [3, 30])
def test_pages_take_a_constant_number_of_queries(
    client, profile, media, n, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["suporte", "atendimento"])
    StaffFactory(departments=["suporte"])
    ticket = fill(n, agent, media)
    client.force_login(agent)
    queries = assert_queries_besides_the_cache
    with queries(HOME):
        client.get(reverse("console:home"))
    # Again, nothing changed: the queues come from the shared cache under the same token
    with queries(HOME_AGAIN):
        client.get(reverse("console:home"))
    with queries(LIST):
        response = client.get(reverse("console:tickets"))
    assert len(response.context["page"].object_list) == min(2 * n, 25)
    with queries(LIST_AGAIN):
        again = client.get(reverse("console:tickets"))
    assert again.content.decode().count("<tr>") == min(2 * n, 25) + 1  # and the header
    cache.clear()
    with queries(LIST):
        client.get(reverse("console:tickets"), {"department": "suporte", "sort": "status"})
    # SLA order: counted alone, then the tickets with a due, soonest first; on the page where
    # they end (n = 3: 3 of 6), one more query for those without
    cache.clear()
    with queries(LIST + 1 + (1 if n == 3 else 0)):
        response = client.get(reverse("console:tickets"), {"sort": "sla"})
    assert len(response.context["page"].object_list) == min(2 * n, 25)
    cache.clear()
    with queries(LIST):
        response = client.get(
            reverse("console:tickets"),
            {"priority": "urgent", "tag": "checkout", "sort": "priority"},
        )
    assert len(response.context["page"].object_list) == n // 2
    assert b"checkout" in response.content
    with queries(TICKET):
        response = client.get(reverse("console:ticket", args=[ticket.number]))
    assert response.status_code == 200
    assert len([e for e in response.context["timeline"] if e.message]) == n + 1


def test_polls_that_find_nothing_new_are_cheap(client, profile, media, django_assert_num_queries):
    agent = StaffFactory(departments=["suporte"])
    ticket = fill(5, agent, media)
    client.force_login(agent)
    version = client.get(reverse("console:tickets")).context["version"]
    with django_assert_num_queries(3):  # session, user, version
        response = client.get(reverse("console:tickets"), {"v": version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    url = reverse("console:ticket", args=[ticket.number])
    version = client.get(url).context["version"]
    with django_assert_num_queries(4):  # session, user, ticket, version
        assert client.get(url, {"v": version}, HTTP_HX_REQUEST="true").status_code == 204


def test_unlinked_ticket_page_with_company_search(
    client, profile, media, django_assert_num_queries
):
    agent = StaffFactory(departments=["atendimento"])
    for i in range(5):
        make_company(name=f"Mega {i}")
    ticket = open_unlinked()
    client.force_login(agent)
    # session, user, ticket, the LGPD access record, departments, messages (none has a file),
    # events, staff, the ticket's tags, the companies found
    with django_assert_num_queries(10):
        response = client.get(
            reverse("console:ticket", args=[ticket.number]), {"company_q": "mega"}
        )
    assert len(response.context["companies"]) == 5


def test_a_closed_ticket_without_files_reads_neither_files_nor_staff(
    client, profile, media, django_assert_num_queries
):
    agent = StaffFactory(departments=["suporte"])
    company, primary = make_company("team")
    ticket = open_ticket(primary, "suporte", subject="Sem anexos")
    actions.do_add_message(ticket, actor=agent, body="Resolvido.")
    actions.do_close_ticket(ticket, actor=agent)
    client.force_login(agent)
    with django_assert_num_queries(TICKET_CLOSED):
        response = client.get(reverse("console:ticket", args=[ticket.number]))
    assert "assign_form" not in response.context
    assert "Resolvido." in response.content.decode()
    assert 'class="files"' not in response.content.decode()
