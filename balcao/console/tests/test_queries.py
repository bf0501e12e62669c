"""Query counts of the console's pages, pinned: they do not grow with tickets or messages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from balcao.accounts.models import User
from balcao.console.tests.conftest import open_unlinked
from balcao.factories import SESSION, StaffFactory, make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment

pytestmark = pytest.mark.django_db

# Each besides the session's row (SESSION; 1 after cache.clear(), which empties it from Redis):
HOME = 6  # user, version, departments, the kept counts (per status and the unlinked: the same
# rows), SLA counts (the live clocks alone), my tickets — whatever the number of tickets
HOME_DIRECTOR = HOME + 1  # and the unlinked tickets the restricted departments' complaints
# refer to outside the departments the director is in
HOME_AGAIN = 2  # user, version: the page is kept rendered under the version and the queues
LIST = 7  # user, version, staff, departments, the page's ids in order with their count, its
# tickets with all they show (clock joined), their tags' names — besides the cache's statements
LIST_AGAIN = 2  # user, version: the same list under the same token is kept rendered
# (each list below is pinned as made from nothing kept: cache.clear(); a list showing rows the
# viewer already has loads none of them, test_list_cache)
TICKET = 11  # user, ticket (its SLA clock joined, its version, the departments' token and
# the company's other open tickets read with it), the LGPD access record (an insert),
# departments (the process's first read under their token), messages, their attachments,
# events, staff who may take it, contacts, add-ons, the tags — besides the cache's statements
TICKET_AGAIN = TICKET - 8  # the history kept rendered under the same version, with the tags:
# no messages, attachments, events or tags read; the departments from the process's copy; the
# staff who may take it, the contacts and add-ons kept under the names counter
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
    with queries(SESSION + HOME):
        client.get(reverse("console:home"))
    # Again, nothing changed: the queues come from the shared cache under the same token
    with queries(SESSION + HOME_AGAIN):
        client.get(reverse("console:home"))
    with queries(SESSION + LIST):
        response = client.get(reverse("console:tickets"))
    assert len(response.context["page"].object_list) == min(2 * n, 25)
    with queries(SESSION + LIST_AGAIN):
        again = client.get(reverse("console:tickets"))
    assert again.content.decode().count("<tr>") == min(2 * n, 25) + 1  # and the header
    cache.clear()
    with queries(1 + LIST):
        client.get(reverse("console:tickets"), {"department": "suporte", "sort": "status"})
    # SLA order: counted alone, then the tickets with a due, soonest first; on the page where
    # they end (n = 3: 3 of 6), one more query for those without
    cache.clear()
    with queries(1 + LIST + 1 + (1 if n == 3 else 0)):
        response = client.get(reverse("console:tickets"), {"sort": "sla"})
    assert len(response.context["page"].object_list) == min(2 * n, 25)
    cache.clear()
    with queries(1 + LIST):
        response = client.get(
            reverse("console:tickets"),
            {"priority": "urgent", "tag": "checkout", "sort": "priority"},
        )
    assert len(response.context["page"].object_list) == n // 2
    assert b"checkout" in response.content
    for pinned in (TICKET, TICKET_AGAIN):
        with queries(SESSION + pinned):
            response = client.get(reverse("console:ticket", args=[ticket.number]))
        assert response.status_code == 200
        assert response.content.decode().count('<li class="msg') == n + 1


@pytest.mark.parametrize("n", [3, 30])
def test_the_home_counts_without_reading_the_tickets_for_every_kind_of_staff(
    client, profile, media, n, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["suporte", "atendimento"])
    fill(n, agent, media)
    director = StaffFactory(departments=["suporte"], role=User.Role.DIRECTOR)
    administrator = StaffFactory(role=User.Role.ADMINISTRATOR)
    for viewer, pinned in [(administrator, HOME), (director, HOME_DIRECTOR), (agent, HOME)]:
        cache.clear()
        client.force_login(viewer)
        with assert_queries_besides_the_cache(SESSION + pinned) as captured:
            response = client.get(reverse("console:home"))
        assert response.status_code == 200
        # no statement reads the tickets' table but the viewer's own and the director's few
        reads = [q["sql"] for q in captured.captured_queries if '"tickets_ticket"' in q["sql"]]
        assert len(reads) == (2 if viewer is director else 1), reads


def test_polls_that_find_nothing_new_are_cheap(
    client, profile, media, django_assert_num_queries, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["suporte"])
    ticket = fill(5, agent, media)
    client.force_login(agent)
    version = client.get(reverse("console:tickets")).context["version"]
    with django_assert_num_queries(SESSION + 2):  # user, version
        response = client.get(reverse("console:tickets"), {"v": version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    url = reverse("console:ticket", args=[ticket.number])
    version = client.get(url).context["version"]
    with assert_queries_besides_the_cache(SESSION + 2):  # user, ticket with its version
        assert client.get(url, {"v": version}, HTTP_HX_REQUEST="true").status_code == 204


def test_unlinked_ticket_page_with_company_search(
    client, profile, media, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["atendimento"])
    for i in range(5):
        make_company(name=f"Mega {i}")
    ticket = open_unlinked()
    client.force_login(agent)
    # the session, user, ticket, the LGPD access record, departments, messages (none has a
    # file), events, staff, the ticket's tags, the companies found
    with assert_queries_besides_the_cache(SESSION + 9):
        response = client.get(
            reverse("console:ticket", args=[ticket.number]), {"company_q": "mega"}
        )
    assert len(response.context["companies"]) == 5


def test_a_closed_ticket_without_files_reads_neither_files_nor_staff(
    client, profile, media, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["suporte"])
    company, primary = make_company("team")
    ticket = open_ticket(primary, "suporte", subject="Sem anexos")
    actions.do_add_message(ticket, actor=agent, body="Resolvido.")
    actions.do_close_ticket(ticket, actor=agent)
    client.force_login(agent)
    with assert_queries_besides_the_cache(SESSION + TICKET_CLOSED):
        response = client.get(reverse("console:ticket", args=[ticket.number]))
    assert "assign_form" not in response.context
    assert "Resolvido." in response.content.decode()
    assert 'class="files"' not in response.content.decode()
