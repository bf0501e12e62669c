"""Whether a message proves its sender: From read in every form, and the Authentication-Results
of the installation's own receiving server, as configured in the settings."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from balcao.connectors.email.parsing import parse_message
from tests.mail.conftest import make_mail

OURS = "mx.balcao.localhost"


def signed(dmarc: str, server: str = OURS, domain: str = "megastore.com.br") -> bytes:
    return make_mail(
        sender="Ana <ana@megastore.com.br>",
        Authentication_Results=f"{server}; spf=pass smtp.mailfrom={domain}; "
        f"dmarc={dmarc} header.from={domain}",
    )


@pytest.fixture
def ours(settings):
    settings.MAIL_AUTHSERV_ID = OURS
    settings.MAIL_REQUIRE_DMARC = False
    return settings


def test_without_an_authserv_id_every_authentication_result_is_ignored(settings):
    settings.MAIL_AUTHSERV_ID = ""
    mail = parse_message(signed("fail"))
    assert mail.from_trusted and mail.trust_problem == "" and mail.auth_results == {}


def test_a_dmarc_failure_reported_by_our_server_is_not_trusted(ours):
    mail = parse_message(signed("fail"))
    assert not mail.from_trusted and "DMARC failed" in mail.trust_problem
    assert mail.auth_results == {
        "spf": "pass",
        "dmarc": "fail",
        "dmarc.header.from": "megastore.com.br",
    }


def test_a_pass_written_by_another_server_proves_nothing(ours):
    ours.MAIL_REQUIRE_DMARC = True
    mail = parse_message(signed("pass", server="mx.golpe.example"))
    assert not mail.from_trusted and "requires" in mail.trust_problem


def test_a_pass_for_another_domain_is_not_a_pass_for_the_sender(ours):
    assert not parse_message(signed("pass", domain="golpe.example")).from_trusted


@pytest.mark.parametrize("required", [True, False])
def test_a_missing_dmarc_result_matters_only_when_required(ours, required):
    ours.MAIL_REQUIRE_DMARC = required
    assert parse_message(signed("none")).from_trusted is not required
    assert parse_message(signed("pass")).from_trusted


def test_the_arguments_override_the_settings(ours):
    assert parse_message(signed("fail"), authserv_id="").from_trusted
    assert not parse_message(signed("none"), require_dmarc=True).from_trusted


@pytest.mark.parametrize(
    "headers",
    [
        b'From: "ana@megastore.com.br" <ana@golpe.example>\n',
        b"From: ana@megastore.com.br\nFrom: ana@golpe.example\n",
        b"From: ana@megastore.com.br, bruno@megastore.com.br\n",
        b"From: ana\nReply-To: ana@megastore.com.br\n",
        b"Subject: sem remetente\n",
    ],
)
def test_a_from_header_that_cannot_be_believed_is_never_trusted(ours, headers):
    mail = parse_message(headers + b"\nOi.\n")
    assert not mail.from_trusted and mail.trust_problem


def test_an_unreadable_message_is_not_trusted():
    mail = parse_message(b"\x00\xff" * 50)
    assert not mail.from_trusted and mail.trust_problem


def test_the_reason_is_shown_to_staff_in_their_language(ours):
    problem = parse_message(signed("fail")).trust_problem
    with translation.override("pt-br"):
        assert (
            gettext(problem) == "O domínio do remetente não autorizou esta mensagem (DMARC falhou)."
        )
    with translation.override("en"):
        assert gettext(problem) == problem
