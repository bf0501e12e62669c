"""An agent answers a WhatsApp customer whose 24-hour window closed, in a real browser: the
console says plainly a free-form reply cannot go, offers the approved templates, and the one
sent is in the history."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from balcao.accounts.models import Department, User
from balcao.connectors.whatsapp.actions import do_receive_webhook
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    MessageTemplate,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.connectors.whatsapp.tests.conftest import COMMERCIAL_ID, notification, text_message
from balcao.tickets.models import Message, Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AGENT = "agente.suporte@balcao.localhost"
NUMBER = "5511987654321"


def test_outside_the_window_the_agent_sends_an_approved_template(page_for, live_server):
    BusinessNumber.objects.create(
        phone_number_id=COMMERCIAL_ID,
        display_number="+55 11 4000-0001",
        channel=BusinessNumber.Kind.COMMERCIAL,
        department=Department.objects.get(slug="suporte"),
    )
    customer = User.objects.get(email="cliente@lojaexemplo.com.br")
    WhatsAppIdentity.objects.create(wa_id=NUMBER, contact=customer.contact)
    result = do_receive_webhook(
        json.dumps(
            notification(
                messages=[text_message(NUMBER, "Preciso da segunda via do boleto")],
                phone_number_id=COMMERCIAL_ID,
            )
        ).encode()
    )
    ticket = Ticket.objects.get(number=result.created[0])
    WhatsAppMessage.objects.update(created_at=timezone.now() - timedelta(hours=25))
    MessageTemplate.objects.create(
        name="retomar_atendimento",
        language="pt_BR",
        body="Olá {{1}}, temos novidades sobre o chamado #{{2}}.",
        parameters=["customer_name", "ticket_number"],
    )

    page = page_for(AGENT)
    page.goto(f"{live_server.url}/console/chamados/{ticket.number}/")
    notice = page.locator("#whatsapp-window")
    expect(notice).to_contain_text("A janela de 24 horas do WhatsApp está fechada")
    page.get_by_label("Mensagem").fill("Segue a segunda via.")
    page.get_by_role("button", name="Enviar resposta ao cliente").click()
    expect(page.locator("ul.errorlist")).to_contain_text("não é possível enviar uma resposta livre")
    assert not ticket.messages.filter(direction=Message.Direction.OUTBOUND).exists()

    expect(notice.get_by_label("retomar_atendimento", exact=False)).to_be_checked()
    screenshot(page, "console-whatsapp-window")
    notice.get_by_role("button", name="Enviar o modelo").click()
    expect(page.get_by_text("Resposta enviada.")).to_be_visible()
    expect(page.locator(".msg").last).to_contain_text(
        f"temos novidades sobre o chamado #{ticket.number}"
    )
    expect(page.get_by_text("modelo aprovado “retomar_atendimento” (pt_BR)")).to_be_visible()
