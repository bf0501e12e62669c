"""The chat's sockets through the real ASGI application (origin check, session auth, routing)
and the in-memory channel layer. Tests are synchronous and drive the async side with
async_to_sync, so the ORM calls of the consumers run in this thread, on the test database.

``channels.testing`` imports daphne (for its live server), which the project does not install:
``Socket`` is its WebsocketCommunicator's few lines over asgiref's ApplicationCommunicator."""

import json
import os
from unittest import mock
from urllib.parse import urlparse

import pytest
import time_machine
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.test import Client

from balcao.accounts.models import Department

with mock.patch.dict(os.environ):  # asgi.py sets DB_POOL for a server, not for this test run's
    from balcao.asgi import application  # subprocesses (a pooled worker was the RQ defect)
from balcao.connectors.webchat.actions import do_start_chat
from balcao.connectors.webchat.tests.conftest import SATURDAY
from balcao.core.errors import ActionRefused
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets.models import Message, Origin, Status, Ticket

# The consumers' actions broadcast on commit: real transactions. (After the flush the channel
# hours are the default ones, as stored by the migration.)
pytestmark = pytest.mark.django_db(transaction=True)


class Socket(ApplicationCommunicator):
    def __init__(self, path: str, headers):
        url = urlparse(path)
        scope = {"type": "websocket", "path": url.path, "query_string": url.query.encode()}
        super().__init__(application, {**scope, "headers": headers, "subprotocols": []})

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(1)
        return response["type"] == "websocket.accept", response.get("code")

    async def send_json_to(self, data: dict) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self) -> dict:
        response = await self.receive_output(1)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def session(user) -> list:
    """The headers of a browser signed in as ``user`` (None: nobody), from an allowed origin."""
    headers = [(b"origin", b"http://testserver")]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


def start_chat(user, body="Não consigo emitir a nota fiscal."):
    return do_start_chat(actor=user, department=Department.objects.get(slug="suporte"), body=body)


def test_a_chat_goes_live_and_is_kept_as_the_ticket(at_work, team, agent):
    _company, contact = team
    as_contact, as_agent = session(contact), session(agent)

    @async_to_sync
    async def conversation():
        queue = Socket("/ws/chat/queue/", as_agent)
        assert (await queue.connect())[0]
        ticket = await database_sync_to_async(start_chat)(contact)
        assert await queue.receive_json_from() == {"type": "changed"}

        customer = Socket(f"/ws/chat/{ticket.number}/", as_contact)
        assert (await customer.connect())[0]
        first = await customer.receive_json_from()
        assert first["body"] == "Não consigo emitir a nota fiscal." and not first["staff"]
        staff = Socket(f"/ws/chat/{ticket.number}/", as_agent)
        assert (await staff.connect())[0]
        assert (await staff.receive_json_from())["id"] == first["id"]

        await customer.send_json_to({"type": "message", "body": "É urgente."})
        for side in (customer, staff):
            received = await side.receive_json_from()
            assert received["body"] == "É urgente." and received["author"] == contact.name
        assert await queue.receive_json_from() == {"type": "changed"}

        await staff.send_json_to({"type": "message", "body": "Vou verificar agora."})
        for side in (customer, staff):
            assert (await side.receive_json_from())["staff"] is True

        await staff.send_json_to({"type": "message", "body": "Cliente nervoso.", "internal": True})
        assert (await staff.receive_json_from())["internal"] is True
        assert await customer.receive_nothing()

        await customer.send_json_to({"type": "message", "body": "x", "internal": True})
        refused = await customer.receive_json_from()
        assert refused["type"] == "error"

        await customer.send_json_to({"type": "end"})
        assert await customer.receive_json_from() == {"type": "ended"}
        assert await staff.receive_json_from() == {"type": "ended"}
        for side in (customer, staff, queue):
            await side.disconnect()
        return ticket

    ticket = Ticket.objects.get(pk=conversation().pk)
    assert ticket.origin == Origin.CHAT and ticket.status == Status.CLOSED
    messages = list(ticket.messages.order_by("id"))
    assert [(m.body_text, m.internal, m.channel) for m in messages] == [
        ("Não consigo emitir a nota fiscal.", False, "chat"),
        ("É urgente.", False, "chat"),
        ("Vou verificar agora.", False, "chat"),
        ("Cliente nervoso.", True, "chat"),
    ]
    statuses = list(
        ticket.events.filter(kind="status_changed").order_by("id").values_list("data", flat=True)
    )
    assert [s["new"] for s in statuses] == ["customer_reply", "answered", "closed"]


def test_a_reconnect_gets_what_it_missed(at_work, team):
    _company, contact = team
    ticket = start_chat(contact)
    seen = ticket.messages.get()
    later = Message.objects.create(ticket=ticket, body_text="Perdida", channel="chat")
    as_contact = session(contact)

    @async_to_sync
    async def reconnect():
        customer = Socket(f"/ws/chat/{ticket.number}/?after={seen.pk}", as_contact)
        assert (await customer.connect())[0]
        missed = await customer.receive_json_from()
        assert await customer.receive_nothing()
        await customer.disconnect()
        return missed

    assert reconnect()["id"] == later.pk


def refused_on_connect(user, number: int, *cookies: bytes) -> tuple[dict, int]:
    headers = session(user) + [(b"cookie", cookie) for cookie in cookies]

    @async_to_sync
    async def connect():
        customer = Socket(f"/ws/chat/{number}/", headers)
        assert (await customer.connect())[0]
        reason = await customer.receive_json_from()
        closed = await customer.receive_output()
        return reason, closed["code"]

    return connect()


def test_a_plan_without_chat_is_refused(at_work):
    _company, contact = make_company("essencial")
    with pytest.raises(ActionRefused, match="Seu plano não inclui chat."):
        start_chat(contact)
    ticket = open_ticket(contact, origin=Origin.CHAT)
    reason, code = refused_on_connect(contact, ticket.number)
    assert reason == {"type": "refused", "reason": "Seu plano não inclui chat."}
    assert code == 4403


def test_the_socket_speaks_the_person_s_language(at_work):
    _company, contact = make_company("essencial")
    ticket = open_ticket(contact, origin=Origin.CHAT)
    reason, _code = refused_on_connect(contact, ticket.number, b"django_language=en")
    assert reason["reason"] == "Your plan does not include chat."  # the switcher's cookie
    contact.language = "en"
    contact.save(update_fields=["language"])
    reason, _code = refused_on_connect(contact, ticket.number)
    assert reason["reason"] == "Your plan does not include chat."  # the person's preference


def test_outside_hours_the_chat_is_refused_and_says_when_it_opens(at_work, team):
    _company, contact = team
    ticket = start_chat(contact)
    with time_machine.travel(SATURDAY):
        expected = "O chat está fechado agora e abre segunda-feira às 9:00."
        with pytest.raises(ActionRefused, match=expected):
            start_chat(contact)
        reason, code = refused_on_connect(contact, ticket.number)
    assert reason["reason"] == expected and code == 4403


def test_a_chat_out_of_sight_does_not_exist(at_work, team, agent):
    _company, contact = team
    other = start_chat(make_company("team")[1])
    not_a_chat = open_ticket(contact)
    as_contact = session(contact)
    as_financeiro = session(StaffFactory(departments=["financeiro"]))

    @async_to_sync
    async def attempts():
        codes = []
        for headers, path in [
            (as_contact, f"/ws/chat/{other.number}/"),
            (as_contact, f"/ws/chat/{not_a_chat.number}/"),
            (session(None), f"/ws/chat/{other.number}/"),
            (as_financeiro, f"/ws/chat/{other.number}/"),
            (as_contact, "/ws/chat/queue/"),
            ([(b"origin", b"http://evil.example")] + as_contact[1:], f"/ws/chat/{other.number}/"),
        ]:
            connected, code = await Socket(path, headers).connect()
            codes.append((connected, code))
        return codes

    assert attempts() == [(False, 4404)] * 5 + [(False, None)]
