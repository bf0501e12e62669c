"""What Balcão sends by WhatsApp, over a real socket to a fake Graph API: the team's replies
(R10: a failure shows on the ticket) and the funnel's automatic answers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from balcao.connectors.whatsapp.models import WhatsAppMessage
from balcao.connectors.whatsapp.tests.conftest import (
    COMMERCIAL_ID,
    SUPPORT_ID,
    notification,
    post,
    text_message,
)
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, open_ticket
from balcao.tickets.actions import do_add_message
from balcao.tickets.delivery import MAX_ATTEMPTS
from balcao.tickets.models import Message, Receipt, Ticket
from balcao.tickets.tasks import deliver_answer_task, deliver_reply_task

pytestmark = pytest.mark.django_db

WEDNESDAY_NOON = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
MEGA, LOJA, STRANGER = "5511987654321", "5521912345678", "5531999990000"


@pytest.fixture(autouse=True)
def _open_hours():
    with time_machine.travel(WEDNESDAY_NOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def conversation(client, mega):
    incoming = text_message(MEGA, "O checkout caiu")
    number = post(client, notification(messages=[incoming])).json()["created"][0]
    return Ticket.objects.get(number=number), StaffFactory(departments=["suporte"]), incoming


def test_reply_goes_out_by_whatsapp_and_follows_its_statuses(client, conversation, graph):
    ticket, agent, _incoming = conversation
    reply = do_add_message(ticket, actor=agent, body="Já estamos olhando.")
    deliver_reply_task.call(reply.pk, 1)
    [sent] = graph.sends()
    assert sent["path"] == f"/{SUPPORT_ID}/messages" and sent["auth"] == "Bearer token-de-acesso"
    assert sent["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": MEGA,
        "type": "text",
        "text": {"preview_url": False, "body": "Já estamos olhando."},
    }
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.message_id == "wamid.OUT1"
    row = WhatsAppMessage.objects.get(direction=WhatsAppMessage.Direction.OUTBOUND)
    assert row.message == reply and row.status == "sent"

    def status(value, **extra):
        return {
            "id": "wamid.OUT1",
            "status": value,
            "timestamp": "1773241300",
            "recipient_id": MEGA,
            **extra,
        }

    post(client, notification(statuses=[status("read"), status("delivered")]))
    row.refresh_from_db()
    assert row.status == "read"
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "error_data": {"details": "Número sem WhatsApp"},
    }
    response = post(client, notification(statuses=[status("failed", errors=[error])]))
    assert response.json()["statuses"] == 1
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED
    assert "131026 Message undeliverable Número sem WhatsApp" in reply.delivery_error
    assert reply.delivery_error.startswith("O WhatsApp não conseguiu entregar")
    assert ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()


def test_reply_outside_the_24_hour_window_is_recorded_not_sent(conversation, graph):
    ticket, agent, _incoming = conversation
    with time_machine.travel(WEDNESDAY_NOON + timedelta(hours=25), tick=True):
        reply = do_add_message(ticket, actor=agent, body="Desculpe a demora.")
        deliver_reply_task.call(reply.pk, 1)
    reply.refresh_from_db()
    assert graph.sends() == []
    assert reply.delivery == Message.Delivery.FAILED
    assert "fora da janela de 24 horas do WhatsApp" in reply.delivery_error
    assert "responda por e-mail" in reply.delivery_error


def test_graph_refusing_the_window_is_not_retried(conversation, graph, tasks):
    ticket, agent, _incoming = conversation
    graph.fail.append((400, {"message": "Re-engagement message", "code": 131047}))
    reply = do_add_message(ticket, actor=agent, body="Olá")
    tasks.clear()
    deliver_reply_task.call(reply.pk, 1)
    reply.refresh_from_db()
    assert tasks.results == [] and reply.delivery == Message.Delivery.FAILED
    assert "janela de 24 horas" in reply.delivery_error


def test_failure_is_retried_then_recorded_on_the_ticket(conversation, graph, tasks):
    ticket, agent, _incoming = conversation
    graph.fail.extend([(503, {"message": "Service unavailable", "code": 2})] * 2)
    reply = do_add_message(ticket, actor=agent, body="Resposta")
    tasks.clear()
    deliver_reply_task.call(reply.pk, 1)
    [retry] = [r for r in tasks.results if r.task.name == "deliver_reply_task"]
    assert retry.args == [reply.pk, 2] and retry.task.run_after is not None
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.PENDING
    deliver_reply_task.call(reply.pk, MAX_ATTEMPTS)
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED and "HTTP 503" in reply.delivery_error
    assert ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()


def test_reply_to_a_ticket_that_did_not_come_by_whatsapp_goes_by_e_mail(mega, graph, mailoutbox):
    _company, primary = mega
    ticket = open_ticket(primary)
    reply = do_add_message(ticket, actor=StaffFactory(departments=["suporte"]), body="Por e-mail")
    deliver_reply_task.call(reply.pk, 1)
    assert graph.sends() == [] and len(mailoutbox) == 1


def test_unknown_number_gets_one_explanation(client, whatsapp, graph):
    post(
        client, notification(messages=[text_message(STRANGER, "Oi")], phone_number_id=COMMERCIAL_ID)
    )
    row = WhatsAppMessage.objects.get()
    deliver_answer_task.call(Receipt.objects.get(external_id=row.wamid).pk)
    [sent] = graph.sends()
    assert sent["path"] == f"/{COMMERCIAL_ID}/messages" and sent["json"]["to"] == STRANGER
    assert sent["json"]["context"] == {"message_id": row.wamid}
    text = sent["json"]["text"]["body"]
    assert "não está cadastrado" in text and "Números de WhatsApp" in text
    assert f"#{row.ticket.number}" in text and "/cliente/" in text
    assert WhatsAppMessage.objects.filter(direction="out", ticket=row.ticket).exists()


def test_plan_without_the_channel_is_explained(client, loja, graph):
    post(client, notification(messages=[text_message(LOJA, "Erro no site")]))
    deliver_answer_task.call(Receipt.objects.get().pk)
    text = graph.sends()[0]["json"]["text"]["body"]
    assert "não inclui WhatsApp Suporte" in text and "Atendimento" in text


def test_outside_hours_says_when_the_channel_opens(client, mega, graph, _open_hours):
    _open_hours.move_to(datetime(2026, 3, 13, 22, 0, tzinfo=UTC))  # Friday 19:00 in Brasília
    post(client, notification(messages=[text_message(MEGA, "Urgente")]))
    deliver_answer_task.call(Receipt.objects.get().pk)
    text = graph.sends()[0]["json"]["text"]["body"]
    assert "WhatsApp Suporte está fechado agora e abre em 16/03/2026 09:00" in text
