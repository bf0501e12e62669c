"""Searching in the console in a real browser (Debian's Chromium through Playwright), in pt-BR."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AGENT = "agente.suporte@balcao.localhost"


def test_an_agent_filters_a_search_by_a_company_suggested_while_typing_and_by_dates(
    page_for, live_server
):
    today = timezone.localdate().isoformat()  # the demo's tickets are opened now, in Brasília
    page = page_for(AGENT)
    page.goto(f"{live_server.url}/console/chamados/?q=checkout")
    company = page.get_by_label("Empresa:", exact=True)
    company.press_sequentially("loja ex")
    expect(page.locator('#company-options option[value="Loja Exemplo"]')).to_have_count(1)
    company.fill("Loja Exemplo")
    page.get_by_label("Aberto de").fill(today)
    page.get_by_label("Aberto até").fill(today)
    page.get_by_role("button", name="Filtrar").click()
    expect(page).to_have_url(re.compile(r"company=Loja\+Exemplo"))
    expect(page.get_by_label("Aberto de")).to_have_value(today)  # the dates show what filters
    expect(page.get_by_label("Empresa:", exact=True)).to_have_value("Loja Exemplo")
    expect(page.get_by_role("link", name="Erro ao finalizar compra no checkout")).to_be_visible()
    screenshot(page, "console-search-filters")

    page.get_by_label("Empresa:", exact=True).fill("Ninguém")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("Nenhuma empresa ativa se chama “Ninguém”")).to_be_visible()
    expect(page.get_by_role("link", name="Erro ao finalizar compra no checkout")).to_have_count(0)
