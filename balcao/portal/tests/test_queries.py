"""Query counts of the client area's pages, pinned: they do not grow with tickets or messages."""

import pytest
from django.urls import reverse

from balcao.accounts.selectors import get_department
from balcao.factories import SESSION, StaffFactory, open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment

pytestmark = pytest.mark.django_db

# The user is read with their contact, company and plan in one row (accounts.backends).
HOME = SESSION + 2  # the session, user with contact, recent tickets
LIST = SESSION + 4  # the session, user with contact, version, departments, the page with its count
# (with departments) — besides the cache's statements
LIST_AGAIN = SESSION + 2  # the session, user with contact, version: the same list under the same
# token is kept
TICKET = SESSION + 6  # the session, user with contact, ticket (its SLA clock joined, its version
# read with it), messages, their attachments, events, the departments (the history names the one
# it was transferred from) — besides the cache's statements
TICKET_AGAIN = SESSION + 2  # the history kept rendered under the same version: the ticket alone
TICKET_PLAIN = TICKET - 2  # no message with a file, the history names only the ticket's department


def _listed(response) -> str:
    """The list as shown: the filters, the table and its pager (the page around them carries
    a nonce and a CSRF token of its own)."""
    html = response.content.decode()
    return html[html.index('<form class="filters') : html.index("</nav>", html.index("pager"))]


def fill(n, customer, agent):
    for i in range(n):
        ticket = open_ticket(customer, "suporte", subject=f"Chamado {i}")
    for i in range(n):
        actions.do_add_message(
            ticket,
            actor=agent if i % 2 else customer,
            body=f"Mensagem {i}",
            internal=i % 3 == 0 and i % 2 == 1,
            attachments=[NewAttachment(f"f{i}.txt", "text/plain", b"x")] if i % 4 == 0 else (),
        )
    actions.do_transfer_ticket(ticket, actor=agent, department=get_department("atendimento"))
    return ticket


@pytest.mark.parametrize("n", [3, 30])
def test_pages_take_a_constant_number_of_queries(
    client_for, customer, media, n, django_assert_num_queries, assert_queries_besides_the_cache
):
    agent = StaffFactory(departments=["suporte", "atendimento"])
    ticket = fill(n, customer, agent)
    client = client_for(customer)
    with django_assert_num_queries(HOME):
        assert client.get(reverse("portal:home")).status_code == 200
    with assert_queries_besides_the_cache(LIST):
        response = client.get(reverse("portal:tickets"))
    assert len(response.context["page"].object_list) == min(n, 25)
    with assert_queries_besides_the_cache(LIST_AGAIN):
        again = client.get(reverse("portal:tickets"))
    assert _listed(again) == _listed(response)
    # a search counts apart from its page, and reads the messages its excerpts quote
    with assert_queries_besides_the_cache(LIST + 2):
        response = client.get(
            reverse("portal:tickets"), {"department": "atendimento", "q": "Chamado"}
        )
    assert [t.number for t in response.context["page"]] == [ticket.number]
    for pinned in (TICKET, TICKET_AGAIN):
        with assert_queries_besides_the_cache(pinned):
            response = client.get(reverse("portal:ticket", args=[ticket.number]))
        shown = response.content.decode().count('<li class="msg')
        assert shown == ticket.messages.filter(internal=False).count()


def test_a_ticket_about_an_earlier_one_reads_it_by_its_key(
    client_for, customer, assert_queries_besides_the_cache
):
    earlier = open_ticket(customer, "suporte", subject="Primeiro")
    later = open_ticket(customer, "ouvidoria", subject="Segundo", reference=earlier.number)
    client = client_for(customer)
    with assert_queries_besides_the_cache(TICKET_PLAIN + 1):  # the earlier ticket, not joined
        response = client.get(reverse("portal:ticket", args=[later.number]))
    assert f"#{earlier.number}" in response.content.decode()
