"""Idempotent writes and input that no database can store: retries create nothing twice, and
no input gets a 500."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from balcao.core.models import IdempotentRequest
from balcao.factories import PASSWORD, make_company, open_ticket
from balcao.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

TICKET = {"department": "suporte", "subject": "Checkout fora do ar", "body": "Erro 500 no checkout"}


@pytest.fixture
def contact(profile):
    return make_company("team", name="Mega Store")[1]


def token_for(user) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    return response.json()["token"]


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def post(client: Client, path: str, data, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_returns_the_first_ticket(contact):
    client = api(contact)
    first = post(client, "/api/v1/tickets", TICKET, key="abc-1")
    again = post(client, "/api/v1/tickets", TICKET, key="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    # Another key, or none, is another ticket.
    assert (
        post(client, "/api/v1/tickets", TICKET, key="abc-2").json()["number"]
        != (first.json()["number"])
    )
    post(client, "/api/v1/tickets", TICKET)
    assert Ticket.objects.count() == 3


def test_a_retry_of_a_message_adds_nothing(contact):
    ticket = open_ticket(contact, "suporte")
    client = api(contact)
    path = f"/api/v1/tickets/{ticket.number}/messages"
    first = post(client, path, {"body": "Mais detalhes"}, key="m-1")
    again = post(client, path, {"body": "Mais detalhes"}, key="m-1")
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert Message.objects.filter(ticket=ticket, body_text="Mais detalhes").count() == 1


def test_a_key_reused_with_another_body_is_refused(contact):
    client = api(contact)
    post(client, "/api/v1/tickets", TICKET, key="k")
    response = post(client, "/api/v1/tickets", {**TICKET, "subject": "Outro"}, key="k")
    assert response.status_code == 422 and Ticket.objects.count() == 1


def test_keys_are_each_user_s_own(contact, profile):
    other = make_company("team", name="Outra")[1]
    post(api(contact), "/api/v1/tickets", TICKET, key="same")
    response = post(api(other), "/api/v1/tickets", TICKET, key="same")
    assert response.status_code == 201 and Ticket.objects.count() == 2


def test_a_refusal_is_replayed_too_and_an_expired_key_is_forgotten(contact):
    client = api(contact)
    refused = post(client, "/api/v1/tickets", {**TICKET, "department": "nope"}, key="r")
    assert refused.status_code == 400
    assert post(client, "/api/v1/tickets", {**TICKET, "department": "nope"}, key="r").content == (
        refused.content
    )
    IdempotentRequest.objects.update(expires_at="2000-01-01T00:00:00Z")
    post(client, "/api/v1/tickets", TICKET, key="fresh")
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]


def test_an_absurd_key_is_a_400(contact):
    assert post(api(contact), "/api/v1/tickets", TICKET, key="k" * 256).status_code == 400
    assert Ticket.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_ticket(profile):
    contact = make_company("team", name="Mega Store")[1]
    token = token_for(contact)
    statuses = []

    def send():
        client = Client(headers={"Authorization": f"Bearer {token}"})
        statuses.append(post(client, "/api/v1/tickets", TICKET, key="race").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4 and Ticket.objects.count() == 1


@pytest.mark.parametrize("text", ["nul\u0000byte", "lone \ud800 surrogate"])
def test_unstorable_text_in_a_body_is_a_400(contact, text):
    client = api(contact)
    body = json.dumps({**TICKET, "subject": text})  # escapes: \u0000, \ud800
    response = post(client, "/api/v1/tickets", body)
    assert response.status_code == 400 and Ticket.objects.count() == 0


@pytest.mark.parametrize("query", ["q=%00", "status=a%00b", "q=%ED%A0%80"])
def test_unstorable_text_in_a_query_is_never_a_500(contact, query):
    response = api(contact).get(f"/api/v1/tickets?{query}")
    assert response.status_code in {200, 400}


def test_absurd_pages_and_long_searches_are_4xx(contact):
    client = api(contact)
    assert client.get("/api/v1/tickets?page=999999999999999999999").status_code == 422
    assert client.get("/api/v1/tickets?page=999999").json()["items"] == []
    assert client.get("/api/v1/tickets?page_size=999999999999999999999").status_code in {
        200,
        422,
    }
    assert client.get("/api/v1/tickets?q=" + "x" * 10_000).status_code == 422
