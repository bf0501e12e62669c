"""Who reaches what: staff only; a ticket out of sight is 404 on every console URL;
the Ouvidoria only for directors; a customer contact finds no console at all."""

import pytest
from django.urls import reverse

from balcao.factories import open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment
from balcao.tickets.models import Status

pytestmark = pytest.mark.django_db

LIST_URLS = [("home", "get"), ("tickets", "get"), ("bulk", "post")]
TICKET_URLS = [
    ("ticket", "get"),
    ("message", "post"),
    ("assign", "post"),
    ("progress", "post"),
    ("close", "post"),
    ("reopen", "post"),
    ("transfer", "post"),
    ("link", "post"),
]
POSTS = {
    "message": {"body": "Olá", "kind": "reply"},
    "assign": {"assignee": "me"},
    "transfer": {"department": "atendimento"},
    "link": {"company": "1"},
}


def every_ticket_url(ticket, attachment):
    for name, method in TICKET_URLS:
        yield reverse(f"console:{name}", args=[ticket.number]), method, POSTS.get(name, {})
    yield reverse("console:ticket", args=[ticket.number]), "get", {"v": "x"}
    yield reverse("console:attachment", args=[attachment.pk]), "get", {}


@pytest.fixture
def with_file(customer, media):
    ticket = open_ticket(customer, "suporte")

    actions.do_add_message(
        ticket,
        actor=customer,
        body="Segue o print",
        attachments=[NewAttachment("print.png", "image/png", b"\x89PNG demo")],
    )
    return ticket, ticket.messages.last().attachments.get()


def call(client, url, method, data, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return getattr(client, method)(url, data, **headers)


def test_anonymous_goes_to_the_login_page(client, with_file):
    ticket, attachment = with_file
    login = reverse("portal:login")
    urls = [(reverse(f"console:{n}"), m, {}) for n, m in LIST_URLS]
    for url, method, data in urls + list(every_ticket_url(ticket, attachment)):
        response = call(client, url, method, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login + "?next="), url
    poll = call(client, reverse("console:tickets"), "get", {"v": "1"}, htmx=True)
    assert poll["HX-Redirect"] == login


def test_a_customer_contact_gets_404_everywhere(client, customer, with_file):
    ticket, attachment = with_file  # the contact's own ticket: still no console for them
    client.force_login(customer)
    urls = [(reverse(f"console:{n}"), m, {}) for n, m in LIST_URLS]
    urls.append((reverse("console:logout"), "post", {}))
    for url, method, data in urls + list(every_ticket_url(ticket, attachment)):
        assert call(client, url, method, data).status_code == 404, url
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY and ticket.messages.count() == 2


def test_an_agent_outside_the_department_gets_404_on_every_ticket_url(
    client, with_file, atendimento_agent
):
    ticket, attachment = with_file
    client.force_login(atendimento_agent)
    for url, method, data in every_ticket_url(ticket, attachment):
        assert call(client, url, method, data).status_code == 404, url
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.department.slug == "suporte"
    assert ticket.messages.count() == 2
    listed = client.get(reverse("console:tickets"), {"q": str(ticket.number)})
    assert list(listed.context["page"].object_list) == []
    bulk = client.post(reverse("console:bulk"), {"operation": "close", "tickets": [ticket.number]})
    assert bulk.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status != Status.CLOSED


def test_the_department_agent_reaches_the_same_urls(client, with_file, suporte_agent):
    ticket, attachment = with_file
    client.force_login(suporte_agent)
    assert client.get(reverse("console:ticket", args=[ticket.number])).status_code == 200
    response = client.get(reverse("console:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="print.png"'


def test_a_non_director_cannot_see_the_ouvidoria(client, ouvidoria_ticket, suporte_agent):
    """Even an agent who is a member of the Ouvidoria (restricted) department."""
    suporte_agent.departments.add(ouvidoria_ticket.department)
    client.force_login(suporte_agent)
    home = client.get(reverse("console:home"))
    assert "ouvidoria" not in [q.department.slug for q in home.context["queues"].departments]
    for params in ({}, {"department": "ouvidoria"}, {"q": str(ouvidoria_ticket.number)}):
        listed = client.get(reverse("console:tickets"), params)
        listed_numbers = [row.number for row in listed.context["page"].object_list]
        assert ouvidoria_ticket.number not in listed_numbers
    for name, method in TICKET_URLS:
        url = reverse(f"console:{name}", args=[ouvidoria_ticket.number])
        assert call(client, url, method, POSTS.get(name, {})).status_code == 404, url
    client.post(
        reverse("console:bulk"),
        {"operation": "assign_me", "tickets": [ouvidoria_ticket.number]},
    )
    ouvidoria_ticket.refresh_from_db()
    assert ouvidoria_ticket.assignee is None and ouvidoria_ticket.status == Status.OPEN


def test_a_director_sees_and_works_the_ouvidoria(client, ouvidoria_ticket, director):
    client.force_login(director)
    home = client.get(reverse("console:home"))
    assert [q.department.slug for q in home.context["queues"].departments] == ["ouvidoria"]
    listed = client.get(reverse("console:tickets"), {"department": "ouvidoria"})
    assert [row.number for row in listed.context["page"].object_list] == [ouvidoria_ticket.number]
    page = client.get(reverse("console:ticket", args=[ouvidoria_ticket.number]))
    assert page.status_code == 200 and "Refere-se ao chamado" in page.content.decode()
    client.post(reverse("console:assign", args=[ouvidoria_ticket.number]), {"assignee": "me"})
    ouvidoria_ticket.refresh_from_db()
    assert ouvidoria_ticket.assignee == director
