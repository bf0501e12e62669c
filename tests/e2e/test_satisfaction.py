"""Como foi o atendimento? in a real browser: the e-mail's link opens, without logging in, a
page with the score preselected that records nothing until the customer confirms."""

import pytest
from playwright.sync_api import expect

from balcao.accounts.models import User
from balcao.satisfaction.models import Rating
from balcao.satisfaction.selectors import survey_url
from balcao.tickets.actions import do_close_ticket
from balcao.tickets.models import Status, Ticket

pytestmark = pytest.mark.e2e

LOJA = "cliente@lojaexemplo.com.br"


def test_the_link_preselects_and_only_the_confirm_records(browser, live_server, demo):
    ticket = (
        Ticket.objects.filter(requester_email=LOJA).exclude(status=Status.CLOSED).order_by("pk")
    ).first()
    do_close_ticket(ticket, actor=User.objects.filter(role="agent").first())
    context = browser.new_context(locale="pt-BR")  # nobody logged in: the signature alone
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + survey_url(ticket, 2))
    expect(page.get_by_role("heading", name="Como foi o atendimento?")).to_be_visible()
    expect(page.get_by_text(f"Chamado #{ticket.number}")).to_be_visible()
    expect(page.get_by_role("radio", name="2 — Ruim")).to_be_checked()
    assert not Rating.objects.filter(ticket=ticket).exists()  # opening the link recorded nothing

    page.get_by_role("radio", name="4 — Bom").check()
    page.get_by_label("Comentário (opcional)").fill("Resolveram, mas demorou um pouco.")
    page.get_by_role("button", name="Confirmar minha resposta").click()
    expect(page.get_by_text("Obrigado! Sua resposta foi registrada.")).to_be_visible()
    expect(page.get_by_role("button", name="Alterar minha resposta")).to_be_visible()
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (4, "Resolveram, mas demorou um pouco.")
    context.close()
