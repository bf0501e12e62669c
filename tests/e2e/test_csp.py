"""The Content-Security-Policy in a real browser: the main pages load, their scripts run, and
Chromium reports no violation (an inline script without its nonce, an eval, a connection or
a file from elsewhere would each be one)."""

import pytest
from playwright.sync_api import expect

from balcao.tickets.models import Origin, Ticket

pytestmark = pytest.mark.e2e


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "nonce-" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_client_area_pages_run_their_scripts_within_the_policy(page_for, live_server):
    page = page_for("compras@megastore.com.br")
    problems = watch(page)
    ticket = Ticket.objects.filter(company__name="Mega Store").first()
    for path in ["/cliente/", "/cliente/chamados/", f"/cliente/chamados/{ticket.number}/"]:
        visit(page, live_server.url + path)
    visit(page, live_server.url + "/cliente/abrir-ticket/")
    # The form's inline script (with its nonce) runs: the earlier ticket's number is asked
    # only by the Ouvidoria.
    reference = page.locator("#reference-field")
    expect(reference).to_be_hidden()
    page.locator("input[name=department][data-reference]").check()
    expect(reference).to_be_visible()
    # The language switcher submits on change from our static script, not an inline handler.
    page.select_option("#language", "en")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name="Open the ticket")).to_be_visible()
    visit(page, live_server.url + "/chat/")
    assert problems == []


def test_console_and_chat_pages_load_within_the_policy(page_for, live_server):
    page = page_for("agente.suporte@balcao.localhost")
    problems = watch(page)
    ticket = Ticket.objects.filter(department__slug="suporte").first()
    chat = Ticket.objects.filter(origin=Origin.CHAT, department__slug="suporte").first()
    paths = ["/console/", "/console/chamados/", f"/console/chamados/{ticket.number}/"]
    paths += ["/chat/console/", "/console/conta/"]
    if chat is not None:
        paths.append(f"/chat/console/{chat.number}/")
    for path in paths:
        visit(page, live_server.url + path)
    assert problems == []


def test_api_docs_come_from_our_own_static_files(browser, live_server, demo):
    context = browser.new_context()
    page = context.new_page()
    problems = watch(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    visit(page, live_server.url + "/api/v1/docs")
    expect(page.get_by_text("Balcão API").first).to_be_visible()
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)
    assert problems == []
    context.close()
