"""Booking a meeting from a phone in Chromium: the TEAM contact picks a topic and a time, lands
on the meeting's ticket; a plan without meetings is told what would open them."""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from balcao.meetings.models import Meeting
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

MEGA = "compras@megastore.com.br"  # TEAM: meetings with consultants
LOJA = "cliente@lojaexemplo.com.br"  # Essencial: none
PHONE = {"width": 390, "height": 844}
SP = ZoneInfo("America/Sao_Paulo")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_team_contact_books_a_consultant_on_a_phone(page_for, live_server):
    page = page_for(MEGA, viewport=PHONE)
    page.goto(f"{live_server.url}/cliente/meu-plano/")
    page.get_by_role("link", name="Agendar uma reunião").click()
    expect(page.get_by_role("heading", name="Reuniões", exact=True)).to_be_visible()
    expect(page.get_by_text("Reuniões a partir do plano Enterprise")).to_be_visible()
    page.get_by_role("link", name="Agendar uma reunião").click()
    expect(page.get_by_role("heading", name="Reunião com consultor")).to_be_visible()
    page.get_by_label("Sobre o que você gostaria de conversar?").fill("Plano de marketing 2027")
    first = page.get_by_role("radio").first
    first.check()
    chosen = first.get_attribute("value")
    assert no_sideways_scroll(page)
    screenshot(page, "client-meeting-book-phone")
    page.get_by_role("button", name="Agendar a reunião").click()

    meeting = Meeting.objects.get(topic="Plano de marketing 2027")
    assert meeting.start.isoformat() == chosen.replace("Z", "+00:00")
    expect(page).to_have_url(re.compile(rf"/cliente/chamados/{meeting.ticket.number}/$"))
    expect(page.get_by_text("Reunião agendada. O convite está a caminho")).to_be_visible()
    expect(page.get_by_text(re.compile("Reunião agendada com Rita Alves"))).to_be_visible()
    assert no_sideways_scroll(page)

    # The consultant finds it in the agenda, from the console's "Mais" menu, and writes notes.
    host = page_for("consultora@balcao.localhost")
    host.get_by_text("Mais", exact=True).click()
    host.get_by_role("link", name="Agenda de reuniões").click()
    host.get_by_label("Dia").fill(meeting.start.astimezone(SP).date().isoformat())
    host.get_by_role("button", name="Mostrar").click()
    expect(host.get_by_text("Plano de marketing 2027")).to_be_visible()
    host.get_by_label("Notas da reunião (nota interna no chamado)").fill("Quer campanha no Natal.")
    host.get_by_role("button", name="Adicionar nota").click()
    expect(host.get_by_text("Nota adicionada ao chamado.")).to_be_visible()
    screenshot(host, "console-agenda")
    assert no_sideways_scroll(host)  # the console's bar still fits at 1280 px
    assert meeting.ticket.messages.filter(internal=True, body_text="Quer campanha no Natal.")


def test_a_plan_without_meetings_sees_what_opens_them(page_for, live_server):
    page = page_for(LOJA, viewport=PHONE)
    page.goto(f"{live_server.url}/cliente/reunioes/")
    expect(page.get_by_text("Reuniões a partir do plano TEAM")).to_be_visible()
    expect(page.get_by_role("link", name="Agendar uma reunião")).to_have_count(0)
