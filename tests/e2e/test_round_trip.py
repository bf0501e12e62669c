"""One ticket's whole life across two browsers: a contact in the client area and an agent in the
console, each seeing what the other did (Debian's Chromium through Playwright, pt-BR)."""

import pytest
from playwright.sync_api import expect

from balcao.tickets.models import Status, Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

CONTACT = "cliente@lojaexemplo.com.br"
AGENT = "agente.suporte@balcao.localhost"
NOTE = "Nota interna: o cliente usa o tema antigo da loja."
REPLY = "Ajustamos o cálculo do frete; pode conferir de novo?"
COMEBACK = "O frete voltou a aparecer zerado no carrinho."


def test_contact_and_agent_take_a_ticket_from_open_to_reopened(page_for, live_server):
    contact = page_for(CONTACT)
    contact.goto(f"{live_server.url}/cliente/abrir-ticket/")
    contact.get_by_role("radio", name="Suporte", exact=True).check()
    contact.get_by_label("Assunto").fill("Frete aparece zerado")
    contact.get_by_label("Mensagem").fill("No carrinho o frete aparece como R$ 0,00.")
    contact.get_by_role("button", name="Abrir o chamado").click()
    ticket = Ticket.objects.get(subject="Frete aparece zerado")
    client_url = f"{live_server.url}/cliente/chamados/{ticket.number}/"
    expect(contact).to_have_url(client_url)
    status = contact.locator("#ticket-status")
    expect(status).to_have_text("Em aberto")

    agent = page_for(AGENT)
    agent.goto(f"{live_server.url}/console/chamados/{ticket.number}/")
    agent_status = agent.locator("#ticket-status")
    expect(agent_status).to_have_text("Em aberto")
    expect(agent.get_by_text("No carrinho o frete aparece como R$ 0,00.")).to_be_visible()
    agent.get_by_role("button", name="Atribuir a mim").click()
    expect(agent_status).to_have_text("Atribuído")

    contact.reload()
    expect(status).to_have_text("Atribuído")

    agent.get_by_label("Mensagem").fill(NOTE)
    agent.get_by_role("button", name="Adicionar nota interna").click()
    expect(agent.locator(".msg.note")).to_contain_text(NOTE)
    agent.get_by_label("Mensagem").fill(REPLY)
    agent.get_by_role("button", name="Enviar resposta ao cliente").click()
    expect(agent_status).to_have_text("Respondido")

    contact.reload()
    expect(status).to_have_text("Respondido")
    expect(contact.locator(".msg.out")).to_contain_text(REPLY)
    expect(contact.locator(".msg.out")).to_contain_text("(equipe de suporte)")
    expect(contact.get_by_text("tema antigo")).to_have_count(0)

    agent.get_by_role("button", name="Fechar", exact=True).click()
    expect(agent_status).to_have_text("Fechado")

    contact.reload()
    expect(status).to_have_text("Fechado")
    expect(contact.get_by_role("button", name="Fechar este chamado")).to_have_count(0)
    contact.get_by_label("Sua mensagem").fill(COMEBACK)
    contact.get_by_role("button", name="Enviar e reabrir").click()
    expect(
        contact.get_by_text("Mensagem enviada. O chamado estava fechado e foi reaberto.")
    ).to_be_visible()
    expect(status).to_have_text("Resposta do cliente")
    expect(contact.locator(".event").last).to_contain_text("Reaberto")
    expect(contact.locator(".msg").last).to_contain_text(COMEBACK)
    expect(contact.get_by_role("button", name="Enviar", exact=True)).to_be_visible()
    screenshot(contact, "client-round-trip")

    # The console's open page polls; a reload is the same view without waiting for it.
    agent.reload()
    expect(agent_status).to_have_text("Resposta do cliente")
    expect(agent.locator(".msg").filter(has_text=COMEBACK)).to_be_visible()
    expect(agent.get_by_role("button", name="Reabrir")).to_have_count(0)

    # Nothing of the internal note reached the customer, in the page or in its source.
    assert "tema antigo" not in contact.content()
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_REPLY and ticket.assignee.email == AGENT
