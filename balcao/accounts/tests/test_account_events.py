"""A person's security history: tokens, the second factor, recovery codes and passwords are
recorded with who, when and from which address, and shown under "My account" and in the
admin."""

import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balcao.accounts.actions import do_enable_two_factor
from balcao.accounts.models import AccountEvent, ApiToken, RecoveryCode
from balcao.accounts.selectors import new_totp_secret
from balcao.accounts.tests.conftest import post_login, token_response
from balcao.accounts.tests.test_two_factor import CODE, now_code
from balcao.factories import PASSWORD, SESSION

pytestmark = pytest.mark.django_db

Kind = AccountEvent.Kind


def history(user) -> list[tuple[str, int | None, str | None]]:
    """(kind, actor id, address), oldest first."""
    return [
        (e.kind, e.actor_id, e.client_address)
        for e in AccountEvent.objects.filter(user=user).order_by("created_at", "id")
    ]


def test_api_tokens_issued_and_revoked_are_recorded_with_the_client_address(contact, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    response = token_response(
        contact.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    token = response.json()["token"]
    listed = Client(headers={"Authorization": f"Bearer {token}"})
    token_id = ApiToken.objects.get(user=contact).pk
    # Not a trusted proxy: its header is not believed.
    revoked = listed.delete(
        f"/api/v1/auth/tokens/{token_id}",
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="1.1.1.1",
    )
    assert revoked.status_code == 204
    assert history(contact) == [
        (Kind.TOKEN_CREATED, contact.pk, "203.0.113.9"),
        (Kind.TOKEN_REVOKED, contact.pk, "198.51.100.4"),
    ]


def test_the_second_factor_on_off_and_recovery_codes_are_recorded(agent):
    client = Client(REMOTE_ADDR="203.0.113.5")
    client.force_login(agent)
    client.get("/console/conta/")
    secret = client.session["totp_setup_secret"]
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=2)):
        page = client.post("/console/conta/", {"code": now_code(secret)})
    codes = re.findall(r"\b[0-9a-f]{5}-[0-9a-f]{5}\b", page.content.decode())
    assert len(codes) == 10
    # A recovery code spent at login.
    login = Client(REMOTE_ADDR="198.51.100.8")
    post_login(login, agent.email)
    assert login.post(CODE, {"code": codes[0]}).status_code == 302
    # New recovery codes: the old ones stop working.
    page = client.post("/console/conta/", {"code": now_code(secret), "recovery": "1"})
    fresh = re.findall(r"\b[0-9a-f]{5}-[0-9a-f]{5}\b", page.content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert RecoveryCode.objects.filter(user=agent).count() == 10
    client.post("/console/conta/", {"code": fresh[0]})  # turned off with a recovery code
    agent.refresh_from_db()
    assert not agent.has_two_factor
    assert history(agent) == [
        (Kind.TWO_FACTOR_ENABLED, agent.pk, "203.0.113.5"),
        (Kind.RECOVERY_CODE_USED, agent.pk, "198.51.100.8"),
        (Kind.RECOVERY_CODES_REGENERATED, agent.pk, "203.0.113.5"),
        (Kind.RECOVERY_CODE_USED, agent.pk, "203.0.113.5"),
        (Kind.TWO_FACTOR_DISABLED, agent.pk, "203.0.113.5"),
    ]


def test_a_wrong_code_makes_no_new_recovery_codes_and_is_counted(agent):
    secret = new_totp_secret()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        do_enable_two_factor(agent, secret=secret, code=now_code(secret))
    before = set(RecoveryCode.objects.filter(user=agent).values_list("digest", flat=True))
    client = Client()
    client.force_login(agent)
    wrong = "000000" if now_code(secret) != "000000" else "111111"
    for _ in range(5):
        assert client.post("/console/conta/", {"code": wrong, "recovery": "1"}).status_code == 400
    # The limit holds even for the right code now: the failures were counted.
    page = client.post("/console/conta/", {"code": now_code(secret), "recovery": "1"})
    assert page.status_code == 400
    assert set(RecoveryCode.objects.filter(user=agent).values_list("digest", flat=True)) == before
    assert [k for k, *_ in history(agent)] == [Kind.TWO_FACTOR_ENABLED]


def test_a_password_reset_by_e_mail_is_recorded_and_shown_to_the_contact(contact, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client(REMOTE_ADDR="203.0.113.77")
    client.post("/cliente/senha/", {"email": contact.email})
    link = re.search(r"http://testserver(/cliente/senha/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    client.post(
        form_url, {"new_password1": "outra-senha-forte-9", "new_password2": "outra-senha-forte-9"}
    )
    assert history(contact) == [(Kind.PASSWORD_RESET, contact.pk, "203.0.113.77")]
    contact.refresh_from_db()  # the session holds a digest of the new password
    client.force_login(contact)
    page = client.get("/cliente/conta/").content.decode()
    assert "Senha redefinida por e-mail" in page and "203.0.113.77" in page


def test_an_administrator_setting_a_password_is_named(agent, administrator):
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[agent.pk]),
        {"password1": "outra-senha-longa-7", "password2": "outra-senha-longa-7"},
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "mais-uma-senha-longa-8",
            "new_password2": "mais-uma-senha-longa-8",
        },
    )
    assert response.status_code == 302
    assert history(agent) == [(Kind.PASSWORD_CHANGED, administrator.pk, "198.51.100.20")]
    assert history(administrator) == [(Kind.PASSWORD_CHANGED, administrator.pk, "198.51.100.20")]
    agent.refresh_from_db()
    agent_page = Client()
    agent_page.force_login(agent)
    page = agent_page.get("/console/conta/").content.decode()
    assert "Senha alterada" in page and administrator.name in page
    events = client.get("/admin/accounts/accountevent/").content.decode()
    assert agent.email in events and administrator.email in events


def test_changepassword_goes_through_the_action(agent, monkeypatch):
    """A command on the server: the tokens end and the change is recorded, by nobody."""
    token_response(agent.email)
    assert ApiToken.objects.filter(user=agent).exists()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "nova-senha-longa-do-shell")
    out = StringIO()
    call_command("changepassword", agent.email.upper(), stdout=out)
    agent.refresh_from_db()
    assert agent.check_password("nova-senha-longa-do-shell")
    assert not ApiToken.objects.filter(user=agent).exists()
    assert history(agent)[-1] == (Kind.PASSWORD_CHANGED, None, None)
    client = Client()
    client.force_login(agent)
    assert "Um comando no servidor" in client.get("/console/conta/").content.decode()


def test_changepassword_of_nobody_fails(profile):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("changepassword", "ninguem@example.com")


@pytest.mark.parametrize("events", [2, 30])
def test_my_account_pages_have_a_pinned_query_count(
    agent, contact, events, django_assert_num_queries
):
    for person in (agent, contact):
        AccountEvent.objects.bulk_create(
            AccountEvent(user=person, kind=Kind.TOKEN_CREATED, actor=person) for _ in range(events)
        )
    staff, customer = Client(), Client()
    staff.force_login(agent)
    customer.force_login(contact)
    # The first visit writes the session (the console keeps a new key for the second factor).
    staff.get("/console/conta/")
    customer.get("/cliente/conta/")
    with django_assert_num_queries(SESSION + 3):  # user, tokens, events with who did each
        assert staff.get("/console/conta/").status_code == 200
    # the contact (contact_required) comes with the user (accounts.backends)
    with django_assert_num_queries(SESSION + 3):
        assert customer.get("/cliente/conta/").status_code == 200


def test_a_person_sees_only_their_own_history(agent, contact):
    AccountEvent.objects.create(user=contact, kind=Kind.TOKEN_CREATED, client_address="192.0.2.1")
    AccountEvent.objects.create(user=agent, kind=Kind.TOKEN_CREATED, client_address="192.0.2.2")
    client = Client()
    client.force_login(agent)
    page = client.get("/console/conta/").content.decode()
    assert "192.0.2.2" in page and "192.0.2.1" not in page
