"""Messages of one number arriving at once land in one conversation, each once."""

import json
import threading

import pytest
from django.db import connection

from balcao.connectors.whatsapp.actions import do_receive_webhook
from balcao.connectors.whatsapp.models import WhatsAppMessage
from balcao.connectors.whatsapp.tests.conftest import notification, text_message
from balcao.tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_simultaneous_messages_open_one_ticket_and_duplicates_are_filed_once(whatsapp):
    first = json.dumps(notification(messages=[text_message("5531999990000", "Oi")])).encode()
    second = json.dumps(notification(messages=[text_message("5531999990000", "Alô")])).encode()
    bodies = [first, second, first, second]
    errors = []
    barrier = threading.Barrier(len(bodies))

    def work(raw):
        try:
            barrier.wait()
            do_receive_webhook(raw)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(raw,)) for raw in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    assert WhatsAppMessage.objects.count() == 2
