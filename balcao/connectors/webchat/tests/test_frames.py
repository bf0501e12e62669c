"""Frames a socket cannot read get an error frame; the socket stays open and still works."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from balcao.connectors.webchat.tests.test_consumers import Socket, session, start_chat
from balcao.factories import make_company
from balcao.tickets.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

MALFORMED = [
    {"type": "websocket.receive", "text": "{not json"},
    {"type": "websocket.receive", "text": "[1, 2]"},
    {"type": "websocket.receive", "text": '"just a string"'},
    {"type": "websocket.receive", "bytes": b"\x00\x01binary"},
    {"type": "websocket.receive", "text": '{"body": "nul \\u0000 inside"}'},
    {"type": "websocket.receive", "text": '{"body": "lone \\ud800 surrogate"}'},
]


def test_malformed_chat_frames_get_an_error_frame(at_work, team):
    _company, contact = team
    headers = session(contact)

    @async_to_sync
    async def talk():
        ticket = await database_sync_to_async(start_chat)(contact)
        socket = Socket(f"/ws/chat/{ticket.number}/", headers)
        assert (await socket.connect())[0]
        await socket.receive_json_from()  # the backlog: the first message
        for frame in MALFORMED:
            await socket.send_input(frame)
            error = await socket.receive_json_from()
            assert error["type"] == "error" and "não pôde ser lida" in error["reason"]
        await socket.send_json_to({"body": "Ainda estou aqui"})
        assert (await socket.receive_json_from())["body"] == "Ainda estou aqui"
        await socket.disconnect()
        return ticket

    ticket = talk()
    bodies = list(Message.objects.filter(ticket=ticket).values_list("body_text", flat=True))
    assert bodies[-1] == "Ainda estou aqui" and len(bodies) == 2


def test_malformed_queue_frames_get_an_error_frame(agent):
    headers = session(agent)

    @async_to_sync
    async def talk():
        socket = Socket("/ws/chat/queue/", headers)
        assert (await socket.connect())[0]
        await socket.send_input({"type": "websocket.receive", "text": "{oops"})
        assert (await socket.receive_json_from())["type"] == "error"
        await socket.disconnect()

    talk()


def test_refusals_close_with_the_documented_codes(at_work, team, agent):
    """docs/architecture.md, Chat: 4404 not found (also a non-agent on the queue), 4403 closed
    for the company (test_consumers), another origin refused at the handshake."""
    _company, contact = team
    stranger = make_company("team")[1]
    ticket = start_chat(contact)
    as_stranger, as_contact = session(stranger), session(contact)
    foreign = [(b"origin", b"http://evil.example.com"), *as_contact[1:]]

    @async_to_sync
    async def codes():
        return [
            await Socket(f"/ws/chat/{ticket.number}/", as_stranger).connect(),
            await Socket("/ws/chat/queue/", as_contact).connect(),
            await Socket(f"/ws/chat/{ticket.number}/", foreign).connect(),
        ]

    assert codes() == [(False, 4404), (False, 4404), (False, None)]
