"""The agent's day in a real browser (Debian's Chromium through Playwright), in pt-BR:
a canned reply inserted and sent, and a duplicate merged."""

import re

import pytest
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.factories import open_ticket
from balcao.tickets.models import CannedResponse, Message, Status, Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AGENT = "agente.suporte@balcao.localhost"
CUSTOMER = "cliente@lojaexemplo.com.br"


def test_canned_reply_inserted_with_the_keyboard_and_sent(page_for, live_server):
    CannedResponse.objects.create(
        title="Gateway corrigido",
        body="Olá {customer_name}, corrigimos o gateway do chamado #{ticket_number}. {agent_name}",
        add_tags="gateway",
    )
    CannedResponse.objects.create(title="Boleto", body="Segue o boleto.")
    ticket = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    page = page_for(AGENT)
    page.goto(f"{live_server.url}/console/chamados/{ticket.number}/")
    page.keyboard.press("Alt+c")
    search = page.get_by_placeholder("Buscar respostas prontas")
    expect(search).to_be_focused()
    search.fill("gateway")
    option = page.get_by_role("button", name="Gateway corrigido")
    expect(option).to_be_visible()
    expect(page.get_by_role("button", name="Boleto")).to_have_count(0)
    option.click()
    filled = f"Olá Luiza Lima, corrigimos o gateway do chamado #{ticket.number}. Ana Suporte"
    expect(page.get_by_label("Mensagem")).to_have_value(filled)
    page.get_by_label("Mensagem").press("End")
    page.get_by_label("Mensagem").type(" Pode testar?")
    screenshot(page, "console-canned-reply")
    page.get_by_role("button", name="Enviar resposta ao cliente").click()
    expect(page.locator("#ticket-status")).to_have_text("Respondido")
    expect(page.get_by_text(filled + " Pode testar?")).to_be_visible()
    reply = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert reply.body_text == filled + " Pode testar?" and not reply.internal
    assert list(ticket.tags.values_list("name", flat=True)) == ["gateway"]


def test_agent_merges_a_duplicate_and_the_customer_sees_it(page_for, live_server):
    customer = User.objects.get(email=CUSTOMER)
    survivor = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    duplicate = open_ticket(customer, "suporte", subject="Checkout não funciona", body="De novo.")
    page = page_for(AGENT)
    page.goto(f"{live_server.url}/console/chamados/{duplicate.number}/")
    page.get_by_label("Mesclar este chamado no chamado número").fill(str(survivor.number))
    page.get_by_role("button", name="Mesclar").click()
    expect(page).to_have_url(re.compile(rf"/console/chamados/{survivor.number}/$"))
    expect(
        page.get_by_text(f"O chamado #{duplicate.number} foi mesclado neste.").first
    ).to_be_visible()
    expect(page.get_by_text("De novo.")).to_be_visible()  # the duplicate's message moved
    screenshot(page, "console-merged")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.status == Status.CLOSED

    client = page_for(CUSTOMER)
    client.goto(f"{live_server.url}/cliente/chamados/{duplicate.number}/")
    expect(client.get_by_text(f"Mesclado no chamado #{survivor.number}")).to_be_visible()
