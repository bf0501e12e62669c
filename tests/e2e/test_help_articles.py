"""Help articles (R16) in a real browser: a contact finds one from Ajuda, answers “Não” to
“Este artigo foi útil para você?”, is thanked and offered a ticket; the answer is counted."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from balcao.kb.models import Answer
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

LOJA = "cliente@lojaexemplo.com.br"


@pytest.fixture
def starter_articles(transactional_db):
    """The articles the data migration ships; a live-server test before this one flushed them."""
    import_module("balcao.kb.migrations.0002_starter_articles").create(apps, None)


def test_a_contact_answers_no_and_is_offered_a_ticket(page_for, starter_articles):
    page = page_for(LOJA)
    page.get_by_role("navigation").get_by_role("link", name="Ajuda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajuda")

    page.get_by_label("Buscar nos artigos de ajuda").fill("status")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_text("1 artigo encontrado para “status”.")).to_be_visible()
    page.get_by_role("link", name="O que significa cada status do chamado").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "O que significa cada status do chamado"
    )
    feedback = page.get_by_role("region", name="Este artigo foi útil para você?")
    expect(feedback).to_be_visible()
    feedback.get_by_role("button", name="Não").click()

    expect(feedback.get_by_text("Obrigado pelo retorno!")).to_be_visible()
    expect(feedback.get_by_role("button", name="Não")).to_have_attribute("aria-pressed", "true")
    offer = feedback.get_by_role("link", name="Abrir chamado")
    expect(offer).to_be_visible()
    screenshot(page, "help-article-answered-no")
    answer = Answer.objects.select_related("article", "reader").get()
    assert (answer.article.slug, answer.reader.email, answer.helpful) == (
        "o-que-significa-cada-status",
        LOJA,
        False,
    )

    page.reload()  # the answer is kept: the reader sees it and may change it
    expect(feedback.get_by_text("Obrigado pelo retorno!")).to_be_visible()
    offer.click()
    expect(page).to_have_url(re.compile(r"/cliente/abrir-ticket/$"))
    expect(page.get_by_role("heading", name="Abrir chamado")).to_be_visible()
