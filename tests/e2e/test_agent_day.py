"""The agent's day in a real browser, on the ASGI server (websockets): a notification appears
live for a second agent, agents see each other on a ticket, the keyboard works, and an
attachment's preview opens."""

import os
import re
import socket
import subprocess
import sys
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.factories import StaffFactory
from balcao.tickets.models import Ticket
from tests.e2e.conftest import logged_in, screenshot
from tests.e2e.test_chat import database_url

pytestmark = pytest.mark.e2e

ANA = "agente.suporte@balcao.localhost"
BIA = "bia.suporte@balcao.localhost"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def server(demo, tmp_path):
    """A second Suporte agent, then the ASGI server (one process: the in-memory layer)."""
    StaffFactory(email=BIA, name="Bia Suporte", departments=["suporte"])
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(email__in=[ANA, BIA]).update(
        password=hasher.encode("balcao-demo", hasher.salt(), iterations=1000)
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url(), "BALCAO_HOME": str(tmp_path)}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(150):
        assert process.poll() is None, process.stderr.read().decode()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def test_a_second_agent_is_notified_live_and_they_see_each_other(browser, server, tmp_path):
    ticket = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    ana = logged_in(browser.new_context(locale="pt-BR"), server, ANA)
    bia = logged_in(browser.new_context(locale="pt-BR"), server, BIA)
    ticket_url = f"{server}/console/chamados/{ticket.number}/"
    bia.goto(ticket_url)
    ana.goto(ticket_url)
    expect(ana.locator("#presence")).to_contain_text("Bia Suporte (vendo)")
    expect(bia.locator("#presence")).to_contain_text("Ana Suporte (vendo)")
    bia.get_by_label("Mensagem").press_sequentially("Olá")
    expect(ana.locator("#presence")).to_contain_text("Bia Suporte (escrevendo uma resposta)")
    expect(bia.locator("#notice-count")).to_have_attribute("data-count", "0")

    ana.get_by_label("Atribuir a").select_option(label="Bia Suporte")
    ana.get_by_role("button", name="Atribuir", exact=True).click()
    toast = bia.locator(".toast")
    expect(toast).to_contain_text(f"#{ticket.number} foi atribuído a você")
    expect(bia.locator("#notice-count")).to_have_text("1")
    expect(bia.get_by_label("Mensagem")).to_have_value("Olá")  # live: no reload
    screenshot(bia, "console-notified")

    bia.locator("#notifications-link").click()
    expect(bia.get_by_role("heading", name="Notificações")).to_be_visible()
    bia.get_by_role("link", name=re.compile(f"#{ticket.number} foi atribuído")).click()
    expect(bia).to_have_url(ticket_url)
    expect(bia.locator("#notice-count")).to_have_attribute("data-count", "0")

    # The keyboard: ? lists the shortcuts, r starts a reply, j goes to the next ticket.
    bia.locator("body").press("?")
    expect(bia.get_by_role("dialog", name="Atalhos de teclado")).to_be_visible()
    bia.keyboard.press("Escape")
    bia.keyboard.press("r")
    expect(bia.get_by_label("Mensagem")).to_be_focused()
    bia.keyboard.press("Escape")
    bia.keyboard.press("j")
    expect(bia).not_to_have_url(ticket_url)
    expect(bia).to_have_url(re.compile(r"/console/chamados/\d+/$"))


def test_a_preview_opens_in_place_safely(browser, server, tmp_path):
    ticket = Ticket.objects.get(subject="Erro ao finalizar compra no checkout")
    ana = logged_in(browser.new_context(locale="pt-BR"), server, ANA)
    ana.goto(f"{server}/console/chamados/{ticket.number}/")
    image = tmp_path / "tela.png"
    image.write_bytes(PNG)
    ana.get_by_label("Mensagem").fill("Segue a tela.")
    ana.get_by_label("Anexos").set_input_files(str(image))
    ana.get_by_role("button", name="Enviar resposta ao cliente").click()
    thumb = ana.locator(".files .thumb img").last
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.naturalWidth") == 1
    with ana.context.expect_page() as opened:
        ana.get_by_role("link", name="Pré-visualizar").last.click()
    preview = opened.value
    preview.wait_for_load_state()
    assert re.search(r"/console/anexos/\d+/ver/$", preview.url)
    assert preview.evaluate("() => document.contentType") == "image/png"
    # Sandboxed: the preview has no access to the app's origin (no cookies, no storage).
    assert (
        preview.evaluate(
            "() => { try { return document.cookie; } catch (e) { return 'blocked'; } }"
        )
        == "blocked"
    )
    screenshot(ana, "console-preview")
