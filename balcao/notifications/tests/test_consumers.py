"""The console's sockets through the real ASGI application: a notification reaches the
agent's open pages live; presence on a ticket's page between two agents."""

import pytest
from asgiref.sync import async_to_sync

from balcao.connectors.webchat.tests.test_consumers import Socket, session
from balcao.factories import StaffFactory, make_company, open_ticket
from balcao.tickets import actions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(profile):
    return make_company("team", name="Mega Store")


def test_a_notification_reaches_the_agents_open_console_live(team, tasks):
    ana = StaffFactory(departments=["suporte"], name="Ana")
    bia = StaffFactory(departments=["suporte"], name="Bia")

    as_bia = session(bia)

    async def scenario():
        socket = Socket("/ws/console/notifications/", as_bia)
        assert (await socket.connect())[0]
        ticket = await _open_and_assign(team[1], ana, bia)
        message = await socket.receive_json_from()
        await socket.disconnect()
        return ticket, message

    ticket, message = async_to_sync(scenario)()
    assert message["type"] == "notification"
    assert message["item"]["ticket"] == ticket.number
    assert message["item"]["url"] == f"/console/chamados/{ticket.number}/"
    assert message["count"] >= 1


async def _open_and_assign(customer, ana, bia):
    from channels.db import database_sync_to_async

    def act():
        ticket = open_ticket(customer)
        actions.do_assign_ticket(ticket, actor=ana, assignee=bia)  # a real commit
        return ticket

    return await database_sync_to_async(act)()


def test_customers_and_strangers_get_no_notification_socket(team):
    sessions = [session(team[1]), session(None)]

    async def scenario():
        refused = []
        for headers in sessions:
            socket = Socket("/ws/console/notifications/", headers)
            refused.append(await socket.connect())
        return refused

    assert [accepted for accepted, _code in async_to_sync(scenario)()] == [False, False]


def test_agents_see_each_other_viewing_and_writing_on_a_ticket(team):
    ana = StaffFactory(departments=["suporte"], name="Ana")
    bia = StaffFactory(departments=["suporte"], name="Bia")
    ticket = open_ticket(team[1])
    path = f"/ws/console/tickets/{ticket.number}/presence/"
    as_ana, as_bia = session(ana), session(bia)

    async def scenario():
        first = Socket(path, as_ana)
        assert (await first.connect())[0]
        second = Socket(path, as_bia)
        assert (await second.connect())[0]
        joined = await first.receive_json_from()
        await first.send_json_to({"state": "viewing"})  # the page answers a newcomer
        answered = await second.receive_json_from()
        await second.send_json_to({"state": "typing"})
        typing = await first.receive_json_from()
        await second.disconnect()
        left = await first.receive_json_from()
        await first.disconnect()
        return joined, answered, typing, left

    joined, answered, typing, left = async_to_sync(scenario)()
    assert (joined["name"], joined["state"], joined["joined"]) == ("Bia", "viewing", True)
    assert (answered["name"], answered["state"]) == ("Ana", "viewing")
    assert (typing["name"], typing["state"]) == ("Bia", "typing")
    assert (left["name"], left["state"]) == ("Bia", "left")


def test_presence_of_a_ticket_out_of_sight_is_refused(team):
    ticket = open_ticket(team[1])
    as_outsider = session(StaffFactory(departments=["financeiro"]))

    async def scenario():
        path = f"/ws/console/tickets/{ticket.number}/presence/"
        return await Socket(path, as_outsider).connect()

    assert async_to_sync(scenario)() == (False, 4404)
