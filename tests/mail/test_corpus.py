"""Every message of the corpus is read as expected, and stored by the funnel as a ticket."""

from pathlib import Path

import pytest

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.parsing import parse_message
from balcao.tickets.models import Ticket
from tests.mail.expected import EXPECTED

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))


def test_every_file_has_expectations():
    assert set(FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", FILES)
def test_parsed_as_expected(name):
    mail = parse_message((CORPUS / name).read_bytes())
    expected = dict(EXPECTED[name])
    as_json = mail.as_json()
    for key in ("reply_has", "reply_lacks", "body_has", "defects_has", "html_has", "html_lacks"):
        expected.setdefault(key, [])
    for text in expected.pop("reply_has"):
        assert text in mail.reply_text
    for text in expected.pop("reply_lacks"):
        assert text not in mail.reply_text
    for text in expected.pop("body_has"):
        assert text in mail.body_text
    for text in expected.pop("defects_has"):
        assert any(text in defect for defect in mail.defects), mail.defects
    for text in expected.pop("html_has"):
        assert text in (mail.body_html or "")
    for text in expected.pop("html_lacks"):
        assert text not in (mail.body_html or "")
    for text in expected.pop("reply_html_lacks", []):
        assert text not in mail.reply_html
    if expected.pop("body_html_not_null", False):
        assert mail.body_html
    if "attachments" in expected:
        assert [a["name"] for a in as_json["attachments"]] == expected.pop("attachments")
    if "suppress_auto_answer" in expected:
        assert mail.suppress_auto_answer is expected.pop("suppress_auto_answer")
    for key, value in expected.items():
        assert as_json[key] == value, key
    assert mail.reply_text.strip() or mail.attachments


@pytest.mark.django_db
def test_every_message_is_stored_and_becomes_a_ticket(profile, media):
    for name in FILES:
        result = do_receive_mail(RawMail((CORPUS / name).read_bytes(), ""))
        assert result.action == "created", name
    assert InboundMail.objects.filter(state=InboundMail.State.PROCESSED).count() == len(FILES)
    assert Ticket.objects.count() == len(FILES)
    assert not InboundMail.objects.filter(ticket__isnull=True).exists()
