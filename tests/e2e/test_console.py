"""The staff console in a real browser (Debian's Chromium through Playwright), in pt-BR."""

import re

import pytest
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.events.models import EventKind
from balcao.tickets import actions
from balcao.tickets.models import Status, Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AGENT = "agente.suporte@balcao.localhost"


def test_agent_assigns_replies_and_closes_and_sees_the_customer_come_back(page_for, live_server):
    page = page_for(AGENT)
    page.goto(f"{live_server.url}/console/")
    expect(page.get_by_role("heading", name="Filas")).to_be_visible()
    expect(page.get_by_role("heading", name="Suporte")).to_be_visible()
    expect(page.get_by_role("heading", name="Ouvidoria")).to_have_count(0)
    screenshot(page, "console-home")

    page.get_by_role("navigation").get_by_role("link", name="Chamados", exact=True).click()
    expect(page.get_by_role("heading", name="Chamados")).to_be_visible()
    screenshot(page, "console-list")
    page.get_by_role("link", name="Erro ao finalizar compra no checkout").click()
    ticket = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    expect(page).to_have_url(re.compile(rf"/console/chamados/{ticket.number}/$"))
    expect(page.get_by_text("Loja Exemplo")).to_be_visible()
    expect(page.locator("#ticket-status")).to_have_text("Em aberto")

    page.get_by_role("button", name="Atribuir a mim").click()
    expect(page.locator("#ticket-status")).to_have_text("Atribuído")
    expect(page.locator("#ticket-assignee")).to_have_text("Ana Suporte")

    page.get_by_label("Mensagem").fill("Nota: conferir o gateway antes de responder.")
    page.get_by_role("button", name="Adicionar nota interna").click()
    expect(page.get_by_text("Nota interna adicionada.")).to_be_visible()
    expect(page.locator(".msg.note")).to_contain_text("conferir o gateway")

    page.get_by_label("Mensagem").fill("Corrigimos a configuração do gateway; pode testar de novo?")
    page.get_by_role("button", name="Enviar resposta ao cliente").click()
    expect(page.locator("#ticket-status")).to_have_text("Respondido")
    expect(page.get_by_text("Corrigimos a configuração do gateway")).to_be_visible()
    screenshot(page, "console-ticket")

    page.get_by_role("button", name="Fechar", exact=True).click()
    expect(page.locator("#ticket-status")).to_have_text("Fechado")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.assignee.email == AGENT
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.STATUS_CHANGED) == 3

    # The customer writes again (by e-mail, say): the open page follows without a reload.
    customer = User.objects.get(email="cliente@lojaexemplo.com.br")
    actions.do_add_message(ticket, actor=customer, body="Voltou a falhar hoje de manhã.")
    expect(page.locator("#ticket-status")).to_have_text("Resposta do cliente", timeout=15_000)
    expect(page.get_by_text("Voltou a falhar hoje de manhã.")).to_be_visible()
    expect(page.get_by_role("button", name="Reabrir")).to_have_count(0)
    expect(page.get_by_role("button", name="Fechar", exact=True)).to_be_visible()
