"""Every message of the corpus is read as its row of corpus/expected.json says, and stored by
the funnel as a ticket.

A row holds the fields that must match ``as_json()`` exactly, plus ``reply_has``/
``reply_lacks`` (substrings of reply_text), ``body_has``, ``defects_has`` (substrings of some
defect), ``html_has``/``html_lacks`` (body_html), ``reply_html_lacks``, ``attachments``
(names), ``body_html_not_null`` and ``parse`` (arguments of parse_message: ``authserv_id``,
default mx.balcao.localhost, and ``require_dmarc``, default false)."""

import json
from pathlib import Path

import pytest

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.parsing import parse_message
from balcao.tickets.models import Ticket

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
LANGUAGES = ["pt", "en", "es", "fr", "de", "it", "nl", "pl", "da", "no", "sv", "fi", "ru"]


def test_every_file_has_expectations():
    assert set(FILES) == set(EXPECTED)


def test_the_corpus_covers_the_shapes_and_languages():
    replies = [name for name, row in EXPECTED.items() if "reply_text" in row]
    assert len(FILES) >= 150
    assert len(replies) >= 120
    for language in LANGUAGES:
        assert sum(f"_{language}_" in name for name in replies) >= 9, language


@pytest.mark.parametrize("name", FILES)
def test_parsed_as_expected(name):
    expected = dict(EXPECTED[name])
    options = {"authserv_id": "mx.balcao.localhost", "require_dmarc": False}
    options.update(expected.pop("parse", {}))
    mail = parse_message((CORPUS / name).read_bytes(), **options)
    as_json = mail.as_json()
    for text in expected.pop("reply_has", []):
        assert text in mail.reply_text
    for text in expected.pop("reply_lacks", []):
        assert text not in mail.reply_text
    for text in expected.pop("body_has", []):
        assert text in mail.body_text
    for text in expected.pop("defects_has", []):
        assert any(text in defect for defect in mail.defects), mail.defects
    for text in expected.pop("html_has", []):
        assert text in (mail.body_html or "")
    for text in expected.pop("html_lacks", []):
        assert text not in (mail.body_html or "")
    for text in expected.pop("reply_html_lacks", []):
        assert text not in mail.reply_html
    if expected.pop("body_html_not_null", False):
        assert mail.body_html
    if "attachments" in expected:
        assert [a["name"] for a in as_json["attachments"]] == expected.pop("attachments")
    for key, value in expected.items():
        assert as_json[key] == value, key
    assert mail.reply_text.strip() or mail.attachments
    assert mail.from_trusted is (mail.trust_problem == "")


@pytest.mark.django_db
def test_every_message_is_stored_and_becomes_a_ticket(profile, media):
    for name in FILES:
        result = do_receive_mail(RawMail((CORPUS / name).read_bytes(), ""))
        assert result.action == "created", name
    assert InboundMail.objects.filter(state=InboundMail.State.PROCESSED).count() == len(FILES)
    assert Ticket.objects.count() == len(FILES)
    assert not InboundMail.objects.filter(ticket__isnull=True).exists()
