"""A chat the contact left while waiting for an answer is closed after CHAT_ABANDON_MINUTES by
a scheduled task, recorded with the reason, its SLA clock stopped; a chat answered, written
to, or rejoined since is left alone."""

from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django_tasks_db.models import DBTaskResult

from balcao.connectors.webchat.presence import abandon_minutes, contact_joined, contact_left
from balcao.connectors.webchat.tasks import close_abandoned_chat_task
from balcao.connectors.webchat.tests.conftest import WEDNESDAY
from balcao.connectors.webchat.tests.test_consumers import Socket, session, start_chat
from balcao.events.models import EventKind
from balcao.sla.models import ClockState
from balcao.tickets.actions import do_add_message
from balcao.tickets.history import visible_events
from balcao.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _scheduled(tasks):
    return [r for r in tasks.results if r.task.name == "close_abandoned_chat_task"]


def _leave_by_socket(ticket, contact):
    as_contact = session(contact)

    @async_to_sync
    async def visit():
        customer = Socket(f"/ws/chat/{ticket.number}/", as_contact)
        assert (await customer.connect())[0]
        await customer.receive_json_from()  # the first message
        await customer.disconnect()

    visit()


def test_the_contact_leaving_unanswered_closes_the_chat_after_the_set_time(team, settings):
    # The socket's code runs in another context than the test's: the task is stored by the
    # database backend, where the test reads it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CHAT_ABANDON_MINUTES = 20
    _company, contact = team
    with time_machine.travel(WEDNESDAY, tick=False):
        ticket = start_chat(contact)
        _leave_by_socket(ticket, contact)
    [scheduled] = DBTaskResult.objects.filter(task_path__endswith="close_abandoned_chat_task")
    assert scheduled.run_after == WEDNESDAY + timedelta(minutes=20)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=20), tick=False):
        close_abandoned_chat_task.call(*scheduled.args_kwargs["args"])
    ticket = Ticket.objects.select_related("sla").get(pk=ticket.pk)
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == WEDNESDAY + timedelta(minutes=20)
    assert ticket.sla.state == ClockState.STOPPED and ticket.sla.running_since is None
    assert ticket.events.filter(kind=EventKind.SLA_STOPPED).exists()
    assert ticket.events.get(kind=EventKind.CHAT_ABANDONED).data == {"minutes": 20}
    seen = [e.text for e in visible_events(contact, ticket) if e.event is not None]
    assert "Fechado automaticamente: o contato saiu do chat sem resposta há 20 minutos." in seen
    # nobody served it: no satisfaction question
    assert not DBTaskResult.objects.filter(task_path__endswith="ask_satisfaction_task").exists()


def test_an_answer_a_message_or_a_return_keeps_the_chat_open(at_work, team, agent):
    _company, contact = team
    answered, written, back = (start_chat(contact) for _ in range(3))
    left_at = WEDNESDAY
    for ticket in (answered, written, back):
        contact_joined(ticket.pk)
        contact_left(ticket.pk)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=5), tick=False):
        do_add_message(answered, actor=agent, body="Estou aqui.", channel="chat")
        do_add_message(written, actor=contact, body="Voltei pelo portal.")
        contact_joined(back.pk)
    with time_machine.travel(WEDNESDAY + timedelta(minutes=30), tick=False):
        for ticket in (answered, written, back):
            close_abandoned_chat_task.call(ticket.pk, left_at.isoformat(), 30)
    for ticket in (answered, written, back):
        ticket.refresh_from_db()
        assert ticket.status != Status.CLOSED
        assert not ticket.events.filter(kind=EventKind.CHAT_ABANDONED).exists()


def test_a_second_open_page_keeps_the_contact_in_the_chat(at_work, team, tasks):
    _company, contact = team
    ticket = start_chat(contact)
    contact_joined(ticket.pk)
    contact_joined(ticket.pk)
    contact_left(ticket.pk)
    assert _scheduled(tasks) == []
    contact_left(ticket.pk)
    assert len(_scheduled(tasks)) == 1


@pytest.mark.parametrize("value", [0, -5, "15", None, 100_000])
def test_a_bad_setting_counts_as_the_default(settings, value):
    settings.CHAT_ABANDON_MINUTES = value
    assert abandon_minutes() == 30
