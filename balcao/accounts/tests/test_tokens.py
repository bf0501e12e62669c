"""API tokens expire, are listed and revoked by their owner, and end with the password."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balcao.accounts.actions import do_set_password
from balcao.accounts.models import ApiToken, User
from balcao.accounts.selectors import API_USER, api_token, token_digest
from balcao.accounts.tests.conftest import token_response
from balcao.factories import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def issue(user) -> str:
    response = token_response(user.email)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_expires_after_api_token_days(contact, settings):
    settings.API_TOKEN_DAYS = 7
    token = issue(contact)
    stored = ApiToken.objects.get(user=contact)
    assert stored.expires_at - stored.created_at == datetime.timedelta(days=7)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        assert bearer(token).get("/api/v1/tickets").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, seconds=1)):
        assert bearer(token).get("/api/v1/tickets").status_code == 401


def test_the_owner_lists_and_revokes_tokens(contact, agent):
    first, second = issue(contact), issue(contact)
    others = issue(agent)
    listed = bearer(second).get("/api/v1/auth/tokens").json()
    assert [t["current"] for t in listed] == [True, False]
    old = listed[1]["id"]
    agents_token = ApiToken.objects.get(user=agent).id
    # Someone else's token is not found, and stays.
    assert bearer(second).delete(f"/api/v1/auth/tokens/{agents_token}").status_code == 404
    assert bearer(others).get("/api/v1/tickets").status_code == 200
    assert bearer(second).delete(f"/api/v1/auth/tokens/{old}").status_code == 204
    assert bearer(first).get("/api/v1/tickets").status_code == 401
    assert [t["id"] for t in bearer(second).get("/api/v1/auth/tokens").json()] == [listed[0]["id"]]


def test_a_password_reset_ends_every_token(contact, client):
    from django.core import mail

    token = issue(contact)
    client.post("/cliente/senha/", {"email": contact.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/cliente/senha/" in line)
    form = client.get(link.strip(), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "uma-senha-nova-2026", "new_password2": "uma-senha-nova-2026"},
    )
    assert bearer(token).get("/api/v1/tickets").status_code == 401
    assert token_response(contact.email, "uma-senha-nova-2026").status_code == 200


def test_a_password_changed_in_the_admin_ends_every_token(agent, administrator):
    """The admin's team list sets a staff member's password through the action."""
    token = issue(agent)
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        f"/admin/accounts/user/{agent.pk}/password/",
        {"password1": "outra-senha-boa-2026", "password2": "outra-senha-boa-2026"},
    )
    assert response.status_code == 302
    assert bearer(token).get("/api/v1/tickets").status_code == 401
    agent.refresh_from_db()
    assert agent.check_password("outra-senha-boa-2026")


def test_tokens_are_listed_and_revoked_in_the_pages(contact, agent):
    issue(contact)
    token = issue(agent)
    staff = Client()
    staff.force_login(agent)
    page = staff.get("/console/conta/").content.decode()
    assert "Seus tokens de API" in page
    pk = ApiToken.objects.get(user=agent).pk
    assert staff.post(f"/console/conta/tokens/{pk}/revogar/").status_code == 302
    assert bearer(token).get("/api/v1/tickets").status_code == 401
    customer = Client()
    customer.force_login(contact)
    assert "Revogar" in customer.get("/cliente/conta/").content.decode()
    # A contact cannot revoke someone else's token.
    other = ApiToken.objects.create(
        user=agent, digest="x" * 64, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert customer.post(f"/cliente/conta/tokens/{other.pk}/revogar/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


def test_an_unknown_password_gives_no_token(contact):
    assert token_response(contact.email, PASSWORD + "x").status_code == 400
    assert not ApiToken.objects.exists()


def test_a_password_changed_by_its_owner_in_the_admin_ends_every_token(administrator):
    token = issue(administrator)
    admin = Client()
    admin.force_login(administrator)
    assert "Alterar senha" in admin.get("/admin/password_change/").content.decode()
    response = admin.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "minha-senha-nova-2026",
            "new_password2": "minha-senha-nova-2026",
        },
    )
    assert response.status_code == 302 and response.url == "/admin/password_change/done/"
    assert bearer(token).get("/api/v1/tickets").status_code == 401
    assert admin.get("/admin/").status_code == 200  # still signed in


@pytest.fixture
def kept(settings):
    """The token check reads the shared cache (as it does with Redis), on either database."""
    settings.API_TOKENS_KEPT = True


def token_queries(token: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert api_token(token) is not None
    return [q["sql"] for q in queries if "accounts_apitoken" in q["sql"]]


def test_a_kept_token_is_checked_without_a_query(kept, contact):
    token = issue(contact)
    assert len(token_queries(token)) == 1  # read once: its user and their live tokens
    assert token_queries(token) == []
    assert api_token(token).user == contact
    assert api_token(token + "x") is None


def test_a_kept_token_copies_no_password_hash_into_the_cache(kept, contact):
    from django.core.cache import cache

    from balcao.accounts.selectors import API_USER

    token = issue(contact)
    api_token(token)
    user, tokens = cache.get(f"{API_USER}{contact.pk}")
    assert "password" in user.get_deferred_fields()
    assert all("password" in t.user.get_deferred_fields() for t in tokens.values())


def test_a_kept_token_revoked_is_refused_on_the_next_request(kept, contact):
    first, second = issue(contact), issue(contact)
    assert bearer(first).get("/api/v1/tickets").status_code == 200
    assert token_queries(first) == []  # kept
    old = ApiToken.objects.get(digest=token_digest(first)).pk
    assert bearer(second).delete(f"/api/v1/auth/tokens/{old}").status_code == 204
    assert bearer(first).get("/api/v1/tickets").status_code == 401
    assert bearer(second).get("/api/v1/tickets").status_code == 200


def test_a_kept_token_ends_with_the_password(kept, contact):
    token = issue(contact)
    assert bearer(token).get("/api/v1/tickets").status_code == 200
    do_set_password(contact, "uma-senha-nova-2026", actor=None)
    assert bearer(token).get("/api/v1/tickets").status_code == 401


def test_a_kept_token_of_a_user_deactivated_elsewhere_is_refused(kept, agent):
    """Another process (the admin site) saves its own copy of the user: the cache they share
    forgets the token's user at once."""
    token = issue(agent)
    assert bearer(token).get("/api/v1/tickets").status_code == 200
    elsewhere = User.objects.get(pk=agent.pk)
    elsewhere.is_active = False
    elsewhere.save()
    assert cache.get(f"{API_USER}{agent.pk}") is None
    assert bearer(token).get("/api/v1/tickets").status_code == 401
    elsewhere.delete()
    assert api_token(token) is None


def test_a_kept_token_sees_a_new_role_at_once(kept, agent):
    token = issue(agent)
    assert api_token(token).user.role == agent.role
    changed = User.objects.get(pk=agent.pk)
    changed.role = User.Role.ADMINISTRATOR
    changed.save(update_fields=["role"])
    assert api_token(token).user.role == User.Role.ADMINISTRATOR


def test_a_kept_token_is_forgotten_again_when_the_change_commits(
    kept, agent, django_capture_on_commit_callbacks
):
    """A request of another process between the change and its commit read the user as
    they were: the commit deletes what it kept."""
    token = issue(agent)
    with django_capture_on_commit_callbacks() as callbacks:
        elsewhere = User.objects.get(pk=agent.pk)
        elsewhere.is_active = False
        elsewhere.save()
        cache.set(f"{API_USER}{agent.pk}", (agent, {token_digest(token): None}))  # read before
    for callback in callbacks:
        callback()
    assert cache.get(f"{API_USER}{agent.pk}") is None
    assert api_token(token) is None


def test_a_kept_token_expires(kept, contact, settings):
    settings.API_TOKEN_DAYS = 1
    token = issue(contact)
    assert bearer(token).get("/api/v1/tickets").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert bearer(token).get("/api/v1/tickets").status_code == 401
