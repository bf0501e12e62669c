"""The main pages at a desktop's 1280 px and a phone's 390 px, written to test-artifacts/screens/
for review: on a phone nothing scrolls sideways, the menu folds and a ticket's status comes
before its conversation; on a desktop the menu stays on one line."""

import pytest
from playwright.sync_api import expect

from balcao.tickets.models import Ticket
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

LOJA = "cliente@lojaexemplo.com.br"
AGENT = "agente.suporte@balcao.localhost"
ADMIN = "admin@balcao.localhost"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def client_pages(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        ("client-home", "/cliente/"),
        ("client-open", "/cliente/abrir-ticket/"),
        ("client-tickets", "/cliente/chamados/"),
        ("client-ticket", f"/cliente/chamados/{ticket.number}/"),
        ("client-plan", "/cliente/meu-plano/"),
        ("client-contacts", "/cliente/contatos/"),
        ("client-help", "/cliente/ajuda/"),
        ("client-articles", "/cliente/ajuda/artigos/"),
        ("client-chat", "/chat/"),
        ("client-data", "/cliente/meus-dados/"),
        ("client-not-found", "/cliente/nada-aqui/"),
    ]


def console_pages(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        ("console-home", "/console/"),
        ("console-tickets", "/console/chamados/"),
        ("console-ticket", f"/console/chamados/{ticket.number}/"),
        ("console-sla", "/console/relatorios/sla/"),
        ("console-reports", "/console/relatorios/"),
        ("console-reports-times", "/console/relatorios/tempos/"),
        ("console-chats", "/chat/console/"),
        ("console-lgpd", "/console/lgpd/"),
        ("console-lgpd-new", "/console/lgpd/novo/"),
        ("console-not-found", "/console/nada-aqui/"),
    ]


def shoot(page, base: str, pages, viewport) -> None:
    width = viewport["width"]
    for name, path in pages:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"screens/{name}-{width}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path} is {scroll}px wide at {width}px"
        menu = page.locator("nav.menu a:visible")
        if width == PHONE["width"]:
            expect(page.locator("nav.menu")).to_be_hidden()  # folded under "Menu"
        elif menu.count():
            tops = [box["y"] for box in (a.bounding_box() for a in menu.all())]
            assert max(tops) - min(tops) < 10, f"the menu of {path} wraps at {width}px"
            header = page.locator("header.top").bounding_box()
            assert header["height"] < 70, f"the top bar of {path} wraps at {width}px"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_client_area(page_for, live_server, viewport):
    ticket = Ticket.objects.filter(requester_email=LOJA).order_by("number").first()
    page = page_for(LOJA, viewport=viewport)
    shoot(page, live_server.url, client_pages(ticket), viewport)
    if viewport is PHONE:
        page.goto(f"{live_server.url}/cliente/chamados/{ticket.number}/")
        status = page.locator("#ticket-status").bounding_box()
        conversation = page.locator("#conversation-title").bounding_box()
        assert status["y"] < conversation["y"], "the status panel comes first on a phone"
        page.get_by_text("Menu", exact=True).click()
        expect(page.get_by_role("navigation").get_by_role("link", name="Meu plano")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_console(page_for, live_server, viewport):
    ticket = Ticket.objects.filter(department__slug="suporte").order_by("number").first()
    page = page_for(AGENT, viewport=viewport)
    shoot(page, live_server.url, console_pages(ticket), viewport)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_admin(page_for, live_server, viewport):
    page = page_for(ADMIN, viewport=viewport)
    page.goto(f"{live_server.url}/admin/")
    screenshot(page, f"screens/admin-{viewport['width']}")
    expect(page.locator("#site-name")).to_have_text("Administração do Balcão")
