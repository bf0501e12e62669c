"""The help articles in the client area: list, search, article, Sim/Não, counts, access.

The URLs are mounted by the project at /cliente/ajuda/artigos/."""

import pytest
from django.test import Client
from django.urls import reverse

from balcao.kb.models import Answer

pytestmark = pytest.mark.django_db

QUESTION = "Este artigo foi útil para você?"
THANKS = "Obrigado pelo retorno!"
OFFER = "Sentimos muito que não tenha ajudado."


def answer(client, slug, value, **extra):
    return client.post(reverse("kb:answer", args=[slug]), {"helpful": value}, **extra)


def test_the_list_groups_published_articles_by_category(client_for, customer, make_article):
    make_article("carne", title="2ª via do carnê")
    make_article("rascunho", published=False, title="Ainda escrevendo")
    response = client_for(customer).get(reverse("kb:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Geral" in page and "Primeiros passos" in page and "Financeiro" in page
    assert "O que significa cada status do chamado" in page and "2ª via do carnê" in page
    assert "Ainda escrevendo" not in page
    assert "Ver chamados" in page  # the client area's menu
    assert reverse("portal:open_ticket") in page


def test_search_tells_how_many_were_found(client_for, customer, make_article):
    make_article("carne", department="financeiro", title="2ª via do carnê")
    client = client_for(customer)
    page = client.get(reverse("kb:list"), {"q": "carnê"}).content.decode()
    assert "1 artigo encontrado para “carnê”." in page and "2ª via do carnê" in page
    assert "O que significa cada status" not in page
    page = client.get(reverse("kb:list"), {"q": "zzz"}).content.decode()
    assert "Nenhum artigo encontrado para “zzz”." in page


def test_the_article_ends_with_the_question(client_for, customer):
    response = client_for(customer).get(reverse("kb:article", args=["o-que-significa-cada-status"]))
    page = response.content.decode()
    assert "<strong>Resposta do cliente</strong>" in page  # the body, as HTML
    assert page.index("Fechado") < page.index(QUESTION)
    assert 'name="helpful" value="yes"' in page and 'name="helpful" value="no"' in page
    assert THANKS not in page


def test_the_article_in_english(client_for, customer):
    customer.language = "en"
    client = client_for(customer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("kb:article", args=["o-que-significa-cada-status"])).content
    assert b"What each ticket status means" in page and b"Was this article helpful to you?" in page


def test_answering_no_thanks_and_offers_a_ticket(client_for, customer):
    client = client_for(customer)
    response = answer(client, "como-abrir-um-chamado", "no")
    url = reverse("kb:article", args=["como-abrir-um-chamado"])
    assert response.status_code == 302 and response["Location"] == f"{url}#feedback"
    page = client.get(url).content.decode()
    assert THANKS in page and OFFER in page and reverse("portal:open_ticket") in page
    assert 'value="no" aria-pressed="true"' in page
    assert Answer.objects.get().helpful is False


def test_changing_the_answer_keeps_one_answer(client_for, customer):
    client = client_for(customer)
    answer(client, "como-abrir-um-chamado", "no")
    answer(client, "como-abrir-um-chamado", "yes")
    page = client.get(reverse("kb:article", args=["como-abrir-um-chamado"])).content.decode()
    assert THANKS in page and OFFER not in page
    assert 'value="yes" aria-pressed="true"' in page
    assert list(Answer.objects.values_list("reader", "helpful")) == [(customer.pk, True)]


def test_answering_with_htmx_swaps_the_feedback_box(client_for, customer):
    response = answer(
        client_for(customer), "como-abrir-um-chamado", "no", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.startswith('<section id="feedback"')
    assert THANKS in page and OFFER in page


def test_a_bad_answer_is_refused(client_for, customer):
    response = answer(client_for(customer), "como-abrir-um-chamado", "talvez")
    assert response.status_code == 400 and not Answer.objects.exists()


def test_answering_needs_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    assert answer(client, "como-abrir-um-chamado", "yes").status_code == 403
    url = reverse("kb:article", args=["como-abrir-um-chamado"])
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("kb:answer", args=["como-abrir-um-chamado"]),
        {"helpful": "yes", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and Answer.objects.get().helpful is True


def test_answering_only_by_post(client_for, customer):
    response = client_for(customer).get(reverse("kb:answer", args=["como-abrir-um-chamado"]))
    assert response.status_code == 405


def test_anyone_reads_but_only_signed_in_contacts_answer(client):
    url = reverse("kb:article", args=["como-abrir-um-chamado"])
    page = client.get(url).content.decode()
    assert "Como abrir um chamado" in page and QUESTION in page
    assert "Entre na Área do Cliente para responder." in page and 'name="helpful"' not in page
    response = answer(client, "como-abrir-um-chamado", "yes")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"
    response = answer(client, "como-abrir-um-chamado", "yes", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{reverse('portal:login')}?next={url}"
    assert not Answer.objects.exists()


def test_staff_read_and_preview_drafts_but_do_not_answer(client_for, agent, make_article):
    make_article("rascunho", published=False, title="Ainda escrevendo")
    client = client_for(agent)
    page = client.get(reverse("kb:article", args=["rascunho"])).content.decode()
    assert "Ainda escrevendo" in page and "Rascunho: os clientes não o veem" in page
    assert 'name="helpful"' not in page
    assert "Ainda escrevendo" in client.get(reverse("kb:list")).content.decode()
    assert answer(client, "como-abrir-um-chamado", "yes").status_code == 404
    assert not Answer.objects.exists()


def test_an_unpublished_or_unknown_article_is_404(client_for, client, customer, make_article):
    make_article("rascunho", published=False)
    assert client.get(reverse("kb:article", args=["rascunho"])).status_code == 404
    signed_in = client_for(customer)
    for slug in ["rascunho", "nao-existe"]:
        assert signed_in.get(reverse("kb:article", args=[slug])).status_code == 404
        assert answer(signed_in, slug, "yes").status_code == 404
    assert not Answer.objects.exists()


def test_help_lists_the_articles_and_searches_them(client_for, customer):
    page = client_for(customer).get(reverse("portal:help")).content.decode()
    assert reverse("kb:article", args=["qual-departamento-escolher"]) in page
    assert f'action="{reverse("kb:list")}"' in page and 'name="q"' in page


def test_an_anonymous_reader_finds_the_login_and_a_contact_the_menu(client, customer):
    url = reverse("kb:list")
    page = client.get(url).content.decode()
    assert f'href="{reverse("portal:login")}?next={url}"' in page
    client.force_login(customer)
    page = client.get(url).content.decode()
    assert 'aria-current="page">Ajuda</a>' in page and "Ver chamados" in page
