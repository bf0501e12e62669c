"""Error pages in the product's look and the visitor's language, each with a way back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, override_settings
from django.urls import include, path

from balcao.core.views import server_error
from balcao.factories import PASSWORD, StaffFactory, make_company

pytestmark = pytest.mark.django_db


def broken(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("quebrada/", broken),
    path("proibida/", forbidden),
    path("", include("balcao.urls")),
]
handler403 = "balcao.core.views.permission_denied"
handler500 = "balcao.core.views.server_error"


@pytest.mark.parametrize(
    "language, title, back",
    [
        ("pt-br", "Página não encontrada", "Voltar à área do cliente"),
        ("en", "Page not found", "Back to the client area"),
    ],
)
def test_404_in_the_visitor_s_language_with_a_way_back(client, profile, language, title, back):
    response = client.get("/cliente/nada/", headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 404
    assert title in page and back in page and 'href="/cliente/"' in page
    assert "balcao.css" in page


def test_404_sends_staff_back_to_the_console(client, profile):
    agent = StaffFactory()
    client.login(username=agent.email, password=PASSWORD)
    page = client.get("/console/chamados/999999/").content.decode()
    assert "Voltar ao console" in page and 'href="/console/"' in page


@pytest.mark.parametrize("language, title", [("pt-br", "Acesso negado"), ("en", "Access denied")])
@override_settings(ROOT_URLCONF=__name__)
def test_403_in_both_languages(client, profile, language, title):
    _company, contact = make_company()
    client.login(username=contact.email, password=PASSWORD)
    response = client.get("/proibida/", headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 403 and title in page and 'href="/cliente/"' in page


@pytest.mark.parametrize(
    "language, title", [("pt-br", "O formulário expirou"), ("en", "The form has expired")]
)
def test_a_csrf_failure_explains_itself(profile, language, title):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/cliente/entrar/", {"username": "x"}, headers={"accept-language": language}
    )
    assert response.status_code == 403 and title in response.content.decode()


@pytest.mark.parametrize(
    "language, title", [("pt-br", "Algo deu errado"), ("en", "Something went wrong")]
)
@override_settings(ROOT_URLCONF=__name__)
def test_500_in_both_languages(client, language, title):
    client.raise_request_exception = False
    response = client.get("/quebrada/", headers={"accept-language": language})
    assert response.status_code == 500 and title in response.content.decode()


def test_the_500_page_needs_no_database(django_assert_num_queries):
    from django.utils import translation

    request = RequestFactory().get("/")
    with translation.override("pt-br"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500 and "Voltar ao início" in response.content.decode()
