"""Deploy check, headers on every page, and input that never gets a 500."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from balcao.factories import StaffFactory, make_company, open_ticket

pytestmark = pytest.mark.django_db


def test_check_deploy_fails_with_the_public_secret_key(settings):
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    with pytest.raises(SystemCheckError, match="balcao.E001"):
        call_command("check", deploy=True)


def test_check_deploy_accepts_a_key_of_our_own(settings, capsys):
    settings.SECRET_KEY = "a-long-random-value-only-this-installation-knows-" * 2
    try:
        call_command("check", deploy=True)
    except SystemCheckError as error:
        assert "balcao.E001" not in str(error)


@pytest.fixture
def contact(profile):
    return make_company("team", name="Mega Store")[1]


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


@pytest.mark.parametrize("path", ["/cliente/entrar/", "/api/v1/docs", "/health"])
def test_every_response_has_the_policy_headers(path):
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_each_response_has_its_own_nonce_and_templates_use_it(contact):
    client = Client()
    client.force_login(contact)
    first = client.get("/cliente/abrir-ticket/")
    second = client.get("/cliente/abrir-ticket/")
    nonce = first["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert nonce not in second["Content-Security-Policy"]
    assert f'<script nonce="{nonce}">' in first.content.decode()


def test_the_api_docs_use_the_package_s_static_files():
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def pages(user, ticket):
    if user.is_agent:
        return ["/console/", "/console/chamados/", f"/console/chamados/{ticket.number}/"]
    return ["/cliente/", "/cliente/chamados/", f"/cliente/chamados/{ticket.number}/"]


@pytest.mark.parametrize("who", ["contact", "agent"])
@pytest.mark.parametrize(
    "query",
    [
        "page=999999999999999999999",
        "page=-1",
        "page=abc",
        "q=" + "x" * 20_000,
        "q=%00",
        "q=%ED%A0%80",
        "status=%00&department=%00",
    ],
)
def test_no_query_gets_a_500(request, contact, agent, who, query):
    user = request.getfixturevalue(who)
    ticket = open_ticket(contact, "suporte")
    client = Client()
    client.force_login(user)
    for path in pages(user, ticket):
        assert client.get(f"{path}?{query}").status_code in {200, 400}, path


def test_forms_refuse_nul(contact):
    text = "a\u0000b"
    ticket = open_ticket(contact, "suporte")
    client = Client()
    client.force_login(contact)
    response = client.post(f"/cliente/chamados/{ticket.number}/responder/", {"body": text})
    assert response.status_code == 400
    response = Client().post("/cliente/entrar/", {"username": text, "password": text})
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def plain_paths() -> list[str]:
    """Every page without arguments in the URL (the admin's own pages aside)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and "<" not in route and "^" not in route:
                yield "/" + route

    return sorted(set(walk(get_resolver().url_patterns)))


NASTY = ["page=999999999999999999999", "q=" + "y" * 20_000, "q=%00", "v=%ED%A0%80&page=%00"]


@pytest.mark.parametrize("who", ["contact", "agent", None])
def test_no_page_anywhere_gets_a_500_from_its_query(request, contact, agent, who):
    client = Client(raise_request_exception=False)
    if who:
        client.force_login(request.getfixturevalue(who))
    # /health is 503 by design while no task worker beats, as in tests: not an error.
    paths = [p for p in plain_paths() if "sair" not in p and p != "/health"]
    assert "/cliente/chamados/" in paths and "/console/chamados/" in paths
    for path in paths:
        for query in NASTY:
            status = client.get(f"{path}?{query}").status_code
            assert status < 500, (path, query, status)
