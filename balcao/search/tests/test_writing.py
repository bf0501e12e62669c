"""While a customer writes a ticket (R9, R5): articles and a department are suggested,
"this solved it" counts as a deflection unless a ticket follows within 72 hours."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from balcao.accounts.models import Department, User
from balcao.factories import PASSWORD, StaffFactory, make_company, open_ticket
from balcao.kb.models import Article, Deflection
from balcao.kb.selectors import count_deflections
from balcao.search.departments import (
    CACHE_KEY,
    DepartmentModel,
    guess_department,
    suggest_department,
)
from balcao.tickets.actions import do_close_ticket, do_transfer_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(profile):
    return make_company("essencial", name="Loja Exemplo")[1]


@pytest.fixture
def browser(client, contact):
    assert client.login(username=contact.email, password=PASSWORD)
    return client


def test_articles_and_a_department_are_suggested_as_the_customer_types(browser):
    url = reverse("portal:suggestions")
    page = browser.get(url, {"subject": "Segunda via", "body": "o BOLETO venceu"}).content.decode()
    assert "Segunda via do boleto" in page
    assert 'data-choose-department="financeiro"' in page
    page = browser.get(url, {"subject": "", "body": "bom dia"}).content.decode()
    assert "Segunda via do boleto" not in page and "data-choose-department" not in page


def test_the_page_offers_them_beside_the_form(browser):
    page = browser.get(reverse("portal:open_ticket")).content.decode()
    assert 'id="suggestions"' in page and reverse("portal:suggestions") in page


def test_this_solved_it_is_a_deflection_unless_a_ticket_follows(browser, contact):
    article = Article.objects.get(slug="segunda-via-do-boleto")
    response = browser.post(reverse("portal:solved", args=[article.slug]))
    assert (
        response.status_code == 200
        and "não é preciso abrir um chamado" in response.content.decode()
    )
    assert Deflection.objects.filter(article=article, reader=contact).count() == 1
    assert count_deflections(Article.objects.filter(pk=article.pk)).get().deflected == 1
    open_ticket(contact, department="financeiro", subject="Boleto", body="Não deu certo.")
    assert count_deflections(Article.objects.filter(pk=article.pk)).get().deflected == 0
    Deflection.objects.update(created_at=Deflection.objects.get().created_at - timedelta(days=4))
    assert count_deflections(Article.objects.filter(pk=article.pk)).get().deflected == 1


def test_only_published_articles_deflect(browser):
    draft = Article.objects.create(slug="rascunho", title="Rascunho", body="x")
    assert browser.post(reverse("portal:solved", args=[draft.slug])).status_code == 404
    assert not Deflection.objects.exists()


def test_keywords_first_then_the_learned_model_and_abstain_when_unsure():
    model = DepartmentModel()
    for _ in range(20):
        model.learn("suporte", "a vitrine da loja sumiu do ar")
        model.learn("atendimento", "quero renovar o contrato anual")
    among = {"suporte", "atendimento", "financeiro"}
    assert guess_department(model, "segunda via do boleto", among) == "financeiro"
    assert guess_department(model, "a vitrine sumiu", among) == "suporte"
    assert guess_department(model, "renovar anual", among) == "atendimento"
    assert guess_department(model, "vitrine renovar", among) == ""  # unsure
    assert guess_department(model, "palavras desconhecidas", among) == ""
    assert guess_department(model, "a vitrine sumiu", {"atendimento"}) == ""


def test_only_departments_the_plan_allows(contact):
    company = contact.contact.company
    assert suggest_department(company, "estratégia de marketing e campanha") is None  # TEAM up
    team = make_company("team")[0]
    assert suggest_department(team, "estratégia de marketing e campanha").slug == "sucesso"


def test_the_model_learns_the_final_department_of_closed_tickets(contact):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    for _ in range(3):
        ticket = open_ticket(contact, department="suporte", subject="Vitrine", body="Sumiu do ar.")
        ticket = do_transfer_ticket(
            ticket, actor=admin, department=Department.objects.get(slug="atendimento")
        )
        do_close_ticket(ticket, actor=admin)
    open_ticket(contact, department="suporte", subject="Vitrine", body="Sumiu do ar.")  # open
    cache.delete(CACHE_KEY)
    assert suggest_department(contact.contact.company, "a vitrine sumiu").slug == "atendimento"
    cache.delete(CACHE_KEY)
