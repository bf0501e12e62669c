"""TOTP second factor for staff, with real codes from the secret (as an authenticator app
computes them), recovery codes spent once, and administrators held to it when required."""

import datetime
import re

import pyotp
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from balcao.accounts.actions import do_enable_two_factor
from balcao.accounts.models import RecoveryCode
from balcao.accounts.selectors import new_totp_secret, totp_qr
from balcao.accounts.tests.conftest import LOGIN, post_login, token_response
from balcao.accounts.throttle import SECOND_FACTOR_PER_USER

pytestmark = pytest.mark.django_db

CODE = "/cliente/entrar/codigo/"
SETUP = "/cliente/entrar/dois-fatores/"


def now_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


@pytest.fixture
def protected(agent):
    """The agent with two-factor on; its secret and recovery codes."""
    secret = new_totp_secret()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5)):
        codes = do_enable_two_factor(agent, secret=secret, code=now_code(secret))
    agent.refresh_from_db()
    return agent, secret, codes


def test_the_password_alone_does_not_log_in(protected):
    agent, secret, _codes = protected
    client = Client()
    response = post_login(client, agent.email)
    assert response.status_code == 302 and response.url == CODE
    assert "_auth_user_id" not in client.session
    assert client.get("/console/").status_code == 302  # still the login page


def test_the_code_from_the_app_completes_the_login(protected):
    agent, secret, _codes = protected
    client = Client()
    post_login(client, agent.email)
    wrong = client.post(CODE, {"code": "000000" if now_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    response = client.post(CODE, {"code": now_code(secret)})
    assert response.status_code == 302 and response.url == "/console/"
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_a_code_is_accepted_once(protected):
    agent, secret, _codes = protected
    code = now_code(secret)
    first, second = Client(), Client()
    post_login(first, agent.email)
    assert first.post(CODE, {"code": code}).status_code == 302
    post_login(second, agent.email)
    assert second.post(CODE, {"code": code}).status_code == 400


def test_a_recovery_code_logs_in_once(protected):
    agent, _secret, codes = protected
    assert len(codes) == 10 and RecoveryCode.objects.filter(user=agent).count() == 10
    assert not RecoveryCode.objects.filter(digest__contains=codes[0].replace("-", "")).exists()
    client = Client()
    post_login(client, agent.email)
    assert client.post(CODE, {"code": codes[0].upper()}).status_code == 302
    again = Client()
    post_login(again, agent.email)
    assert again.post(CODE, {"code": codes[0]}).status_code == 400


def test_guessing_codes_is_throttled(protected):
    agent, secret, _codes = protected
    client = Client()
    post_login(client, agent.email)
    for _ in range(SECOND_FACTOR_PER_USER.attempts):
        client.post(CODE, {"code": "12345"})
    assert client.post(CODE, {"code": now_code(secret)}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_step_expires(protected):
    agent, secret, _codes = protected
    client = Client()
    post_login(client, agent.email)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert client.post(CODE, {"code": now_code(secret)}).url == LOGIN


def test_the_api_asks_for_the_code_too(protected):
    agent, secret, _codes = protected
    assert token_response(agent.email).status_code == 400
    assert token_response(agent.email, code=now_code(secret)).status_code == 200


def test_staff_turn_it_on_and_off_in_their_account(agent):
    client = Client()
    client.force_login(agent)
    page = client.get("/console/conta/").content.decode()
    uri = re.search(r'href="(otpauth://totp/[^"]+)"', page).group(1)
    assert f'src="{totp_qr(uri.replace("&amp;", "&"))}"'.replace("&", "&amp;") in page
    assert "issuer=Balc%C3%A3o" in uri and "agent" in uri
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    assert client.post("/console/conta/", {"code": "123"}).status_code == 400
    page = client.post("/console/conta/", {"code": now_code(secret)}).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page)
    assert len(codes) == 10
    agent.refresh_from_db()
    assert agent.totp_secret == secret
    response = client.post("/console/conta/", {"code": codes[3]})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.has_two_factor and not RecoveryCode.objects.filter(user=agent).exists()


def test_administrators_set_it_up_before_getting_in_when_required(administrator, settings):
    settings.ADMIN_2FA_REQUIRED = True
    client = Client()
    response = post_login(client, administrator.email)
    assert response.url == SETUP and "_auth_user_id" not in client.session
    page = client.get(SETUP).content.decode()
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(SETUP, {"code": now_code(secret)})
    assert done.status_code == 200 and client.session["_auth_user_id"] == str(administrator.pk)
    assert len(re.findall(r"<code>[0-9a-f]{5}-[0-9a-f]{5}</code>", done.content.decode())) == 10
    administrator.refresh_from_db()
    assert administrator.has_two_factor
    # And they may not turn it off while it is required.
    response = client.post("/console/conta/", {"code": now_code(secret)})
    administrator.refresh_from_db()
    assert response.status_code == 400 and administrator.has_two_factor


def test_an_administrator_without_it_gets_no_api_token_when_required(administrator, settings):
    settings.ADMIN_2FA_REQUIRED = True
    assert token_response(administrator.email).status_code == 403


def test_people_without_it_log_in_with_the_password(contact, agent):
    for user in (contact, agent):
        assert post_login(Client(), user.email).status_code == 302
