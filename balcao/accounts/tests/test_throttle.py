"""Every way to a password is throttled by one function, counting in the installation's
shared cache (a database table, or Redis) — never in one process's memory."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from balcao.accounts.tests.conftest import LOGIN, post_login, token_response
from balcao.accounts.throttle import (
    LOGIN_PER_CLIENT,
    LOGIN_PER_EMAIL,
    RESET_PER_CLIENT,
    RESET_PER_EMAIL,
)
from balcao.factories import PASSWORD

pytestmark = pytest.mark.django_db


def fail_logins(email: str, times: int, **extra) -> None:
    for _ in range(times):
        assert post_login(Client(), email, "wrong-password", **extra).status_code == 200


def test_the_cache_is_shared_by_every_process():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "balcao.core.cache.KeptClientRedisCache",
    }


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded cache's table")
def test_failures_are_counted_in_the_database_table(contact):
    fail_logins(contact.email, 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM balcao_cache")
        assert cursor.fetchone()[0] == 2  # per e-mail and per client address


def test_failures_on_the_api_and_the_login_page_add_up(contact):
    fail_logins(contact.email, LOGIN_PER_EMAIL.attempts - 1)
    assert token_response(contact.email, "wrong-password").status_code == 400
    # Now even the right password is refused, on both ways.
    refused = token_response(contact.email)
    assert refused.status_code == 429 and "Muitas tentativas" in refused.json()["detail"]
    page = post_login(Client(), contact.email)
    assert page.status_code == 200 and "Muitas tentativas" in page.content.decode()


def test_api_failures_throttle_the_login_page(contact):
    for _ in range(LOGIN_PER_EMAIL.attempts):
        token_response(contact.email, "wrong-password")
    client = Client()
    post_login(client, contact.email)
    assert "_auth_user_id" not in client.session


def test_one_client_guessing_many_e_mails_is_throttled(contact):
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(LOGIN_PER_CLIENT.attempts):
        post_login(Client(), f"guess{n}@example.com", "x", **address)
    client = Client()
    assert "Muitas tentativas" in post_login(client, contact.email, **address).content.decode()
    # Another client is not held back.
    assert post_login(Client(), contact.email, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_spoofed_forwarded_header_does_not_escape_the_limit(contact, settings):
    """A client guessing from one connection cannot pose as many by writing X-Forwarded-For:
    only a trusted proxy's header is read."""
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(LOGIN_PER_CLIENT.attempts):
        post_login(
            Client(),
            f"guess{n}@example.com",
            "x",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    page = post_login(Client(), contact.email, REMOTE_ADDR="203.0.113.9")
    assert "Muitas tentativas" in page.content.decode()


def test_behind_a_trusted_proxy_each_client_counts_apart(contact, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    guesser = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    for n in range(LOGIN_PER_CLIENT.attempts):
        post_login(Client(), f"guess{n}@example.com", "x", **guesser)
    assert "Muitas tentativas" in post_login(Client(), contact.email, **guesser).content.decode()
    # Another client through the same proxy is not held back.
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    assert post_login(Client(), contact.email, **other).status_code == 302


def test_the_admin_login_is_the_one_login_page(administrator):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": administrator.email})
    assert response.status_code == 302 and response.url == f"{LOGIN}?next=/admin/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").url.startswith("/admin/login/")
    response = client.post(
        f"{LOGIN}?next=/admin/", {"username": administrator.email, "password": PASSWORD}
    )
    assert response.url == "/admin/" and client.get("/admin/").status_code == 200


def request_reset(client: Client, email: str, **extra):
    return client.post("/cliente/senha/", {"email": email}, **extra)


def test_reset_e_mails_are_limited_per_address_without_telling(contact):
    for _ in range(RESET_PER_EMAIL.attempts + 2):
        response = request_reset(Client(), contact.email, REMOTE_ADDR="198.51.100.1")
        assert response.status_code == 302 and response.url == "/cliente/senha/enviada/"
    assert len(mail.outbox) == RESET_PER_EMAIL.attempts


def test_reset_requests_are_limited_per_client(contact):
    for n in range(RESET_PER_CLIENT.attempts):
        request_reset(Client(), f"someone{n}@example.com")
    response = request_reset(Client(), contact.email)
    assert response.status_code == 200 and "Muitas solicitações" in response.content.decode()
    assert mail.outbox == []
