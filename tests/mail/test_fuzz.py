"""Property: whatever bytes arrive — noise, or real messages damaged in transit — the funnel
never raises, keeps the message and leaves a ticket the staff can see."""

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.parsing import parse_message
from tests.mail.conftest import stored_bytes

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.eml"))
RECIPIENTS = st.sampled_from(["", "suporte@balcao.localhost", "QUALIDADE+x@balcao.localhost"])


@st.composite
def damaged(draw):
    """A corpus message with a few random edits: cut, spliced, overwritten or truncated."""
    raw = bytearray(draw(st.sampled_from(CORPUS)).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(raw)))
        edit = draw(st.sampled_from(["insert", "delete", "overwrite", "truncate"]))
        junk = draw(st.binary(min_size=1, max_size=40))
        if edit == "insert":
            raw[at:at] = junk
        elif edit == "delete":
            del raw[at : at + len(junk)]
        elif edit == "overwrite":
            raw[at : at + len(junk)] = junk
        else:
            del raw[at:]
    return bytes(raw)


@st.composite
def headers_and_body(draw):
    """A message built from arbitrary header values, charsets and text."""
    text = st.text(max_size=80)
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", "x-bogus", "", "utf-7"]))
    lines = [
        f"From: {draw(text)}",
        f"To: {draw(text)}",
        f"Subject: {draw(text)}",
        f"Message-ID: <{draw(text)}>",
        f"In-Reply-To: {draw(text)}",
        f"Content-Type: {draw(st.sampled_from(['text/plain', 'text/html', 'multipart/mixed', 'image/png']))}; charset={charset}",
        f"Content-Transfer-Encoding: {draw(st.sampled_from(['8bit', 'base64', 'quoted-printable', 'x-bad']))}",
    ]
    head = "\r\n".join(draw(st.permutations(lines))).encode("utf-8", "surrogatepass")
    return head + b"\r\n\r\n" + draw(st.binary(max_size=500))


RAW = st.one_of(st.binary(max_size=2000), damaged(), headers_and_body())


@settings(max_examples=300, deadline=None)
@given(raw=RAW)
def test_parse_never_raises_and_is_printable_as_json(raw):
    json.dumps(parse_message(raw).as_json())


@pytest.mark.django_db
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=RAW, recipient=RECIPIENTS)
def test_deliver_never_raises_and_always_keeps_a_visible_item(profile, media, raw, recipient):
    result = do_receive_mail(RawMail(raw, recipient))
    stored = InboundMail.objects.get(
        sha256=hashlib.sha256(raw).hexdigest(), recipient=recipient.lower()
    )
    assert stored_bytes(stored) == raw
    assert stored.state in {"processed", "duplicate"}, stored.error
    assert result.ticket is not None and stored.ticket.number == result.ticket
