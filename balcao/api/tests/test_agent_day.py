"""Issue 11 through the API: staff-opened tickets, priority and tags, canned replies, merge."""

import pytest

from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets.models import CannedResponse, DepartmentOptions, Ticket

from .test_api import api_client, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def loja(profile):
    return make_company("essencial", name="Loja")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"], name="Ana")


def test_staff_open_a_ticket_for_a_customer_from_a_phone_call(loja, agent):
    company, primary = loja
    client = api_client(agent)
    response = post(
        client,
        "/api/v1/tickets",
        {
            "company": "loja",
            "requester_email": primary.email,
            "department": "suporte",
            "subject": "Ligação: erro no frete",
            "body": "O frete não calcula.",
            "channel": "phone",
            "notify_customer": False,
            "priority": "high",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["origin"] == "phone" and body["company"] == "Loja"
    assert body["requester_email"] == primary.email and body["priority"] == "high"
    assert body["tags"] == [] and body["merged_into"] is None
    by_id = post(
        client,
        "/api/v1/tickets",
        {
            "company": company.pk,
            "requester_email": primary.email,
            "department": "suporte",
            "subject": "Reunião",
            "body": "Notas",
            "channel": "meeting",
            "as_note": True,
        },
    )
    assert by_id.status_code == 201 and by_id.json()["messages"][0]["internal"]


def test_staff_opening_needs_a_contact_of_the_company(loja, agent):
    response = post(
        api_client(agent),
        "/api/v1/tickets",
        {
            "company": "Loja",
            "requester_email": "x@y.z",
            "department": "suporte",
            "subject": "A",
            "body": "B",
        },
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_priority_and_tags_on_the_ticket_and_the_list(loja, agent):
    ticket = open_ticket(loja[1])
    other = open_ticket(loja[1], subject="Outro")
    client = api_client(agent)
    base = f"/api/v1/tickets/{ticket.number}"
    changed = client.patch(
        base,
        {"priority": "urgent", "tags": ["Boleto", "checkout"]},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["priority"] == "urgent"
    assert changed.json()["tags"] == ["boleto", "checkout"]
    listed = client.get("/api/v1/tickets", {"priority": "urgent,high"}).json()["items"]
    assert [t["number"] for t in listed] == [ticket.number]
    assert listed[0]["tags"] == ["boleto", "checkout"]
    by_tag = client.get("/api/v1/tickets", {"tag": "boleto"}).json()["items"]
    assert [t["number"] for t in by_tag] == [ticket.number]
    assert other.number not in [t["number"] for t in by_tag]


def test_a_customer_sets_priority_only_where_the_department_allows(loja):
    ticket = open_ticket(loja[1])
    client = api_client(loja[1])
    base = f"/api/v1/tickets/{ticket.number}"
    patch = {"priority": "high"}
    assert client.patch(base, patch, content_type="application/json").status_code == 403
    assert client.patch(base, {"tags": ["x"]}, content_type="application/json").status_code == 403
    DepartmentOptions.objects.create(department=ticket.department, customers_set_priority=True)
    response = client.patch(base, patch, content_type="application/json")
    assert response.status_code == 200 and response.json()["priority"] == "high"


def test_canned_responses_listed_and_filled_on_the_server(loja, agent):
    ticket = open_ticket(loja[1])
    canned = CannedResponse.objects.create(
        title="Recebido", body="Olá {customer_name}, recebemos o #{ticket_number}."
    )
    CannedResponse.objects.create(title="De outro", body="x", owner=StaffFactory())
    client = api_client(agent)
    listed = client.get("/api/v1/canned-responses").json()
    assert [c["id"] for c in listed] == [canned.pk] and listed[0]["shared"]
    response = post(
        client, f"/api/v1/tickets/{ticket.number}/messages", {"canned_response": canned.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["messages"][-1]["body_text"] == (
        f"Olá {loja[1].name}, recebemos o #{ticket.number}."
    )
    assert api_client(loja[1]).get("/api/v1/canned-responses").json() == []


def test_merge(loja, agent):
    survivor, duplicate = open_ticket(loja[1]), open_ticket(loja[1], subject="Duplicado")
    client = api_client(agent)
    response = post(client, f"/api/v1/tickets/{duplicate.number}/merge", {"into": survivor.number})
    assert response.status_code == 200, response.content
    assert response.json()["merged_into"] == survivor.number
    assert response.json()["status"] == "closed"
    merged = client.get(f"/api/v1/tickets/{survivor.number}").json()
    assert len(merged["messages"]) == 3  # both openings and the notice to the customer
    assert "merged_from" in [e["kind"] for e in merged["events"]]
    customer = api_client(loja[1]).get(f"/api/v1/tickets/{duplicate.number}").json()
    assert customer["merged_into"] == survivor.number
    other = make_company(name="Outra")[1]
    foreign = open_ticket(other)
    refused = post(client, f"/api/v1/tickets/{foreign.number}/merge", {"into": survivor.number})
    assert refused.status_code == 400
