"""The chat in a real browser: websockets need the ASGI server, so this test starts
`balcao serve` (uvicorn) on the test database instead of pytest-django's WSGI live server."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.sla.models import BusinessCalendar, ChannelHours
from balcao.tickets.models import Message, Origin, Status, Ticket
from tests.e2e.conftest import logged_in, screenshot

pytestmark = pytest.mark.e2e

CONTACT = "compras@megastore.com.br"  # TEAM: chat is in the plan
AGENT = "agente.suporte@balcao.localhost"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def asgi_server(demo, tmp_path):
    """The chat open around the clock, then the ASGI server on the test database."""
    always = BusinessCalendar.objects.create(
        slug="sempre",
        name="Sempre aberto",
        weekly=[[["00:00", "00:00"]]] * 7,
        observe_holidays=False,
        carnival=False,
    )
    ChannelHours.objects.update_or_create(channel="chat", defaults={"calendar": always})
    # The tests hash with MD5 for speed; the server keeps Django's default hashers.
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(email__in=[CONTACT, AGENT]).update(
        password=hasher.encode("balcao-demo", hasher.salt(), iterations=1000)
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url(), "BALCAO_HOME": str(tmp_path)}
    env.pop("REDIS_URL", None)  # one process: the in-memory channel layer carries the chat
    server = subprocess.Popen(
        [sys.executable, "-m", "balcao.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        assert server.poll() is None, server.stderr.read().decode()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(10)


def login(browser, base, email):
    return logged_in(browser.new_context(locale="pt-BR"), base, email)


def test_a_contact_and_an_agent_chat_live_and_it_is_kept_as_a_ticket(browser, asgi_server):
    contact = login(browser, asgi_server, CONTACT)
    contact.get_by_role("link", name="Chat", exact=True).click()
    contact.get_by_label("Assunto").select_option(label="Suporte")
    contact.get_by_label("Sua mensagem").fill("O checkout está lento desde ontem.")
    contact.get_by_role("button", name="Iniciar chat").click()
    expect(contact.get_by_text("Conectado: as mensagens chegam")).to_be_visible()
    chat = Ticket.objects.get(origin=Origin.CHAT)

    agent = login(browser, asgi_server, AGENT)
    agent.goto(f"{asgi_server}/chat/console/")
    agent.get_by_role("link", name=f"#{chat.number}").first.click()
    contact.get_by_label("Mensagem").fill("Ainda estou digitando")
    agent.get_by_role("button", name="Assumir este chat").click()
    expect(contact.get_by_text("Ana Suporte entrou no chat.")).to_be_visible()
    expect(contact.get_by_label("Mensagem")).to_have_value("Ainda estou digitando")  # no reload
    contact.get_by_label("Mensagem").fill("")
    expect(agent.get_by_text("Conectado: as mensagens chegam")).to_be_visible()

    agent.get_by_label("Mensagem").fill("Olá! Vou verificar o gateway agora.")
    agent.get_by_role("button", name="Enviar").click()
    expect(contact.get_by_text("Olá! Vou verificar o gateway agora.")).to_be_visible()

    agent.get_by_label("Mensagem").fill("Nota: gateway com fila alta.")
    agent.get_by_label("Nota interna").check()
    agent.get_by_role("button", name="Enviar").click()
    expect(agent.get_by_text("Nota: gateway com fila alta.")).to_be_visible()

    contact.get_by_label("Mensagem").fill("Obrigado, aguardo.")
    contact.get_by_role("button", name="Enviar").click()
    expect(agent.get_by_text("Obrigado, aguardo.")).to_be_visible()
    screenshot(contact, "chat-contact")
    screenshot(agent, "chat-agent")

    assert "Nota: gateway com fila alta." not in contact.content()
    bodies = list(chat.messages.order_by("id").values_list("body_text", "internal"))
    assert bodies == [
        ("O checkout está lento desde ontem.", False),
        ("Olá! Vou verificar o gateway agora.", False),
        ("Nota: gateway com fila alta.", True),
        ("Obrigado, aguardo.", False),
    ]
    chat.refresh_from_db()
    assert chat.status == Status.CUSTOMER_REPLY and chat.assignee.email == AGENT
    assert Message.objects.filter(ticket=chat, channel="chat").count() == 4
