"""How Balcão reads a raw e-mail: the standard library's parser, made to never fail.

``parse_message`` takes the bytes as they arrived and returns a ``ParsedMail``; whatever it
cannot read (unknown charsets, broken headers or boundaries, bad base64) is named in
``defects`` instead of raising, and the text is kept best-effort. Headers are read by
``headers.py``, whether the sender is proven by ``trust.py``, and the quoted earlier
conversation is cut into ``reply_text``/``reply_html`` by ``quotes.py``.
"""

import binascii
import codecs
import mimetypes
import os
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import parsedate_to_datetime
from typing import BinaryIO

from django.conf import settings

from balcao.connectors.email import trust
from balcao.connectors.email.headers import (
    addresses,
    decode_words,
    header,
    raw_values,
    repair_head,
    sender,
    undo_8bit,
)
from balcao.connectors.email.large import Outline, Span, decoded, decoded_size
from balcao.connectors.email.large import outline as outline_of
from balcao.connectors.email.quotes import cut_html_quotes, cut_quotes, html_to_text
from balcao.core.html import sanitize_html, shallow

MAX_DEPTH = 30
LARGE_MESSAGE = 2 * 1024 * 1024  # a stored message larger than this is read from its file
# compat32 keeps header values raw (headers.py decodes them): the structured header parser
# of policy.default makes parsing a message of many parts fifteen times slower.
POLICY = policy.compat32
ATTACHED = policy.compat32.clone(linesep="\r\n")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # databases refuse NUL; none is text
# Charsets in which a valid UTF-8 byte sequence is almost never meant: single-byte ones.
MULTIBYTE = re.compile(r"utf|gb|big5|shift_jis|euc|iso2022|cp93|cp94|cp95|hz|johab")
NOREPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|nao[-_.]?responda)")
BOUNCERS = {"mailer-daemon", "postmaster"}
BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,70}?)(--)?[ \t]*\r?$", re.MULTILINE)
UUENCODED = re.compile(
    r"^begin [0-7]{3,4} ([^\n]{1,255})\n(.{0,20000000}?)^end[ \t]*$", re.M | re.S
)
QUOTED_ID = re.compile(r"(?im)^\s*message-id:\s*<([^<>\s]{1,900})>")


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""
    # A file over ATTACHMENT_MAX_BYTES in a large message is measured, not read: its size,
    # and no content (it stays in the raw message).
    left_out: int = 0

    @property
    def size(self) -> int:
        return self.left_out or len(self.content)


@dataclass
class ParsedMail:
    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    date: str | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    body_text: str = ""
    body_html: str | None = None
    reply_text: str = ""
    reply_html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_generated: bool = False
    suppress_auto_answer: bool = False
    defects: list[str] = field(default_factory=list)
    # A delivery report (bounce): the Message-IDs it returns and what the server said.
    returned_ids: list[str] = field(default_factory=list)
    delivery_report: str = ""
    # Whether the message proves from_email is its sender (trust.py). trust_problem is the
    # reason when not: an untranslated gettext_noop message, shown with gettext().
    from_trusted: bool = False
    trust_problem: str = trust.NO_SENDER
    auth_results: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The fields ``balcao mail inspect`` prints (attachments without their bytes)."""
        return {
            "subject": self.subject,
            "from_email": self.from_email,
            "from_name": self.from_name,
            "from_trusted": self.from_trusted,
            "trust_problem": self.trust_problem,
            "auth_results": self.auth_results,
            "to": self.to,
            "cc": self.cc,
            "date": self.date,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": self.references,
            "body_text": self.body_text,
            "body_html": self.body_html,
            "reply_text": self.reply_text,
            "reply_html": self.reply_html,
            "attachments": [
                {"name": a.name, "size": a.size, "content_type": a.content_type}
                for a in self.attachments
            ],
            "auto_generated": self.auto_generated,
            "suppress_auto_answer": self.suppress_auto_answer,
            "returned_ids": self.returned_ids,
            "defects": self.defects,
        }


def _ids(value: str) -> list[str]:
    found = re.findall(r"<([^<>\s]+)>", value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return found


def is_auto_generated(msg: Message, from_email: str, defects: list[str]) -> bool:
    """Auto-replies, bounces, list and bulk mail (RFC 3834 and what real servers send
    instead: Precedence, List-Id, no-reply and postmaster senders)."""
    auto_submitted = header(msg, "Auto-Submitted", defects).split(";")[0].strip().lower()
    precedence = header(msg, "Precedence", defects).strip().lower()
    local = from_email.partition("@")[0]
    return bool(
        (auto_submitted and auto_submitted != "no")
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(raw_values(msg, name, defects) for name in ("X-Autoreply", "X-Autorespond"))
        or raw_values(msg, "List-Id", defects)
        or local in BOUNCERS
        or NOREPLY.match(local)
        or header(msg, "Return-Path", defects).strip() == "<>"
        or msg.get_content_type() in {"multipart/report", "message/delivery-status"}
    )


# ---------------------------------------------------------------- bodies


def decode_bytes(payload: bytes, charset: str | None, defects: list[str]) -> str:
    """Bytes to text under the declared charset; text that is valid UTF-8 under a declared
    single-byte charset is UTF-8; a wrong or unknown declaration falls back to UTF-8, then
    Windows-1252, then Latin-1 (which cannot fail)."""
    declared = (charset or "us-ascii").strip().strip('"').lower()
    try:
        declared = codecs.lookup(declared).name
    except LookupError:
        defects.append(f"unknown charset {declared[:40]}")
        declared = ""
    if declared and not MULTIBYTE.search(declared):
        try:
            text = payload.decode("utf-8")
            if not text.isascii():
                defects.append(f"declared {charset or 'us-ascii'} but the text is UTF-8")
            return text
        except UnicodeDecodeError:
            pass
        if declared == "iso8859-1":
            declared = "cp1252"  # what every reader does with Latin-1 (HTML5 says so too)
    if declared:
        try:
            return payload.decode(declared)
        except (UnicodeDecodeError, LookupError):
            defects.append(f"text is not valid {charset or 'us-ascii'}")
    for fallback in ("utf-8", "cp1252"):
        try:
            return payload.decode(fallback)
        except UnicodeDecodeError:
            continue
    return payload.decode("latin-1")


def _payload(part: Message, defects: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception as error:
        defects.append(f"body: {type(error).__name__}")
        payload = None
    if not isinstance(payload, bytes):  # None: a multipart, or a part that could not decode
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload


def _filename(part: Message, defects: list[str]) -> str:
    try:
        name = part.get_filename() or ""
    except Exception as error:
        defects.append(f"filename: {type(error).__name__}")
        name = ""
    name = decode_words(undo_8bit(name, defects), defects)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip(" .")[:255]


class _Collected:
    def __init__(self, outline: Outline | None = None) -> None:
        self.text: list[str] = []
        self.html: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.outline = outline  # a large message: bodies left in its file


def _attach(part, ctype, content, inline, found: _Collected, defects, name="") -> None:
    name = name or _filename(part, defects)
    if not name and ctype in {"application/ms-tnef", "application/vnd.ms-tnef"}:
        name = "winmail.dat"
    if not name:
        extension = ".eml" if ctype == "message/rfc822" else mimetypes.guess_extension(ctype)
        name = f"attachment-{len(found.attachments) + 1}{extension or '.bin'}"
    try:
        content_id = str(part.get("Content-ID") or "").strip().strip("<>")
    except Exception:
        content_id = ""
    found.attachments.append(
        ParsedAttachment(_clean(name), _clean(ctype), content, inline, _clean(content_id))
    )


def _uudecode(text: str, found: _Collected, defects: list[str]) -> str:
    """Uuencoded files inside a text part become attachments; the text keeps the rest."""

    def extract(match: re.Match) -> str:
        data = bytearray()
        for line in match.group(2).split("\n"):
            line = line.rstrip("\r")
            if not line or line in {"`", " "}:
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:  # some encoders pad lines wrongly
                length = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
                try:
                    data += binascii.a2b_uu(line[:length])
                except binascii.Error:
                    defects.append("bad uuencoded line")
        name = match.group(1).strip().replace("\\", "/").rsplit("/", 1)[-1]
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        found.attachments.append(ParsedAttachment(_clean(name), ctype, bytes(data)))
        return ""

    if "begin " not in text:
        return text
    return UUENCODED.sub(extract, text)


def _guess_boundary(part: Message) -> bytes | None:
    """The boundary a multipart without a usable one really uses: the '--token' line that
    opens parts most often."""
    body = _payload(part, [])
    counts: dict[bytes, int] = {}
    for match in BOUNDARY_LINE.finditer(body[:2_000_000]):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _reparse(ctype: str, boundary: bytes, body: bytes) -> Message:
    head = f'Content-Type: {ctype}; boundary="'.encode() + boundary.replace(b'"', b"") + b'"\n\n'
    return BytesParser(policy=POLICY).parsebytes(head + body)


def _broken_multipart(part, ctype, found, defects, depth) -> None:
    """A multipart whose boundary is missing or wrong: parsed again with the boundary its
    body really uses, or read as text."""
    defects.append("multipart without a usable boundary")
    boundary = _guess_boundary(part)
    if boundary is not None:
        again = _reparse(ctype, boundary, _payload(part, defects))
        if again.is_multipart():
            _walk(again, found, defects, depth + 1)
            return
    text = decode_bytes(_payload(part, defects), part.get_content_charset(), defects)
    found.text.append(text.replace("\r\n", "\n"))


def _epilogue(part: Message, found, defects, depth) -> None:
    """Parts (or text) after the closing boundary are read, not lost."""
    epilogue = part.epilogue or ""
    if not epilogue.strip():
        return
    defects.append("content after the closing boundary")
    boundary = (part.get_boundary() or "").encode("utf-8", "surrogateescape")
    body = epilogue.encode("utf-8", "surrogateescape")
    if boundary and b"--" + boundary in body:
        _walk(_reparse("multipart/mixed", boundary, body), found, defects, depth + 1)
    else:
        found.text.append(decode_bytes(body, "utf-8", defects))


def _children(part: Message) -> list[Message]:
    """The parts of a multipart, or the blocks of a message/*; the parser makes each one a
    Message (the stubs also allow text)."""
    payload = part.get_payload()
    return [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []


def _alternative(part: Message, found: _Collected, defects, depth) -> None:
    """One version of a multipart/alternative: the last plain text and the last HTML (the
    richest of each); attachments of every version (inline images of the HTML one)."""
    text: list[str] = []
    html: list[str] = []
    for child in _children(part):
        one = _Collected(found.outline)
        _walk(child, one, defects, depth + 1)
        if "".join(one.text).strip():
            text = one.text
        if "".join(one.html).strip():
            html = one.html
        found.attachments += one.attachments
    found.text += text
    found.html += html


def _walk(part: Message, found: _Collected, defects: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        defects.append("MIME structure nested too deep")
        return
    for defect in getattr(part, "defects", []):
        defects.append(type(defect).__name__)
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or (part.is_multipart() and ctype.startswith("message/")):
        inner = part.get_payload()
        blocks = inner if isinstance(inner, list) else [inner]
        present = [b for b in blocks if b is not None]
        messages = [b for b in present if isinstance(b, Message)]
        try:
            if len(messages) < len(present):
                raise TypeError("text where an attached message belongs")
            content = b"\n".join(m.as_bytes(policy=ATTACHED) for m in messages)
        except Exception:
            content = str(inner).encode("utf-8", "replace")
            defects.append("attached message could not be re-encoded")
        subject = ""
        if blocks and isinstance(blocks[0], Message):
            subject = header(blocks[0], "Subject", defects).replace("/", " ")[:200]
        name = _filename(part, defects) or (f"{subject}.eml" if subject.strip() else "")
        _attach(part, ctype, content, False, found, defects, name)
        return
    if ctype.startswith("multipart/") and not part.is_multipart():
        _broken_multipart(part, ctype, found, defects, depth)
        return
    if part.is_multipart():
        if ctype == "multipart/alternative":
            _alternative(part, found, defects, depth)
        else:
            for child in _children(part):
                _walk(child, found, defects, depth + 1)
        _epilogue(part, found, defects, depth)
        return
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    has_name = bool(_filename(part, []))
    span = found.outline.span_of(part.get_payload()) if found.outline else None
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
        payload = decoded(found.outline.source, span, defects) if found.outline and span else None
        if payload is None:
            payload = _payload(part, defects)
        text = decode_bytes(payload, part.get_content_charset(), defects)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if ctype == "text/plain":
            found.text.append(_uudecode(text, found, defects))
        else:
            found.html.append(text)
        return
    inline = disposition == "inline" or (disposition is None and part.get("Content-ID") is not None)
    if found.outline and span:
        _attach_from_file(part, ctype, found.outline.source, span, inline, found, defects)
        return
    _attach(part, ctype, _payload(part, defects), inline, found, defects)


def _attach_from_file(part, ctype, source, span: Span, inline, found: _Collected, defects) -> None:
    """A large message's file part: decoded from the raw file if it is within the attachment
    limit, else only measured (it stays in the raw message)."""
    size = decoded_size(source, span)
    if size <= settings.ATTACHMENT_MAX_BYTES:
        _attach(part, ctype, decoded(source, span, defects), inline, found, defects)
        return
    _attach(part, ctype, b"", inline, found, defects)
    found.attachments[-1].left_out = size


# ---------------------------------------------------------------- the whole message


def _clean(text: str) -> str:
    """Text a database and a JSON encoder accept: undecodable bytes the parser kept as
    surrogates become U+FFFD, control characters go."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return CONTROL.sub("", text)


def parse_message(
    raw: bytes | BinaryIO,
    *,
    authserv_id: str | None = None,
    require_dmarc: bool | None = None,
) -> ParsedMail:
    """Read ``raw`` (the bytes, or a file of them) as well as it can be read; never raises.
    A file over LARGE_MESSAGE is read through its outline (large.py): its large parts are
    decoded from the file, never held whole. Sender trust follows the settings
    MAIL_AUTHSERV_ID and MAIL_REQUIRE_DMARC unless given here."""
    configured_id, configured_dmarc = trust.configured()
    mail = ParsedMail()
    defects = mail.defects
    outline: Outline | None = None
    if not isinstance(raw, bytes):
        source = raw
        source.seek(0)
        if source.seek(0, os.SEEK_END) > LARGE_MESSAGE:
            raw, outline = outline_of(source)
        else:
            source.seek(0)
            raw = source.read()
    try:
        msg = BytesParser(policy=POLICY).parsebytes(repair_head(raw, defects))
        _read(msg, mail, defects, outline)
        _trust(
            msg,
            mail,
            configured_id if authserv_id is None else authserv_id,
            configured_dmarc if require_dmarc is None else require_dmarc,
        )
    except Exception as error:  # a parser bug on hostile input must not lose the message
        defects.append(f"unreadable: {type(error).__name__}: {error}"[:300])
        mail.from_trusted, mail.trust_problem = False, mail.trust_problem or trust.NO_SENDER
        if not mail.body_text:
            mail.body_text = mail.reply_text = raw.decode("utf-8", "replace")
    for name in ("subject", "from_name", "from_email", "message_id", "in_reply_to", "body_text"):
        setattr(mail, name, _clean(getattr(mail, name)))
    for name in ("reply_text", "reply_html", "delivery_report"):
        setattr(mail, name, _clean(getattr(mail, name)))
    for name in ("to", "cc", "delivered_to", "references", "returned_ids", "defects"):
        setattr(mail, name, list(dict.fromkeys(_clean(v) for v in getattr(mail, name))))
    if mail.body_html is not None:
        mail.body_html = _clean(mail.body_html)
    mail.from_name = mail.from_name[:200]
    return mail


def _trust(msg, mail: ParsedMail, authserv_id: str, require_dmarc: bool) -> None:
    mail.auth_results = trust.auth_results(
        raw_values(msg, "Authentication-Results", mail.defects), authserv_id
    )
    problem = trust.trust_problem(
        mail.from_email, mail.trust_problem, mail.auth_results, require_dmarc
    )
    mail.from_trusted, mail.trust_problem = not problem, problem


def _read_report(msg: Message, mail: ParsedMail, defects: list[str]) -> None:
    """What a delivery report (RFC 3464) returns: the Message-IDs of the returned message and
    the status the receiving server gave."""
    said = []
    for part in _children(msg):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in _children(part):
                said += [str(block[k]) for k in ("Status", "Diagnostic-Code") if block.get(k)]
        elif ctype == "text/rfc822-headers":
            returned = HeaderParser(policy=POLICY).parsestr(
                decode_bytes(_payload(part, defects), part.get_content_charset(), defects)
            )
            mail.returned_ids += _ids(header(returned, "Message-ID", defects))
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                mail.returned_ids += _ids(header(inner, "Message-ID", defects))
    mail.delivery_report = " ".join(" ".join(said).split())[:500]


def _read_plain_bounce(mail: ParsedMail, found: _Collected) -> None:
    """A bounce without a report (postmaster, MAILER-DAEMON writing prose): the Message-IDs
    of the returned headers quoted in its text or attached."""
    texts = [mail.body_text[:200_000]] + [
        a.content[:200_000].decode("utf-8", "replace")
        for a in found.attachments
        if a.content_type in {"message/rfc822", "text/rfc822-headers"}
    ]
    for text in texts:
        mail.returned_ids += [i for i in QUOTED_ID.findall(text) if i != mail.message_id]


def _read(msg: Message, mail: ParsedMail, defects: list[str], outline: Outline | None) -> None:
    if not msg.keys():
        defects.append("no headers")
    mail.subject = header(msg, "Subject", defects)[:998]
    mail.from_name, mail.from_email, mail.trust_problem = sender(msg, defects)
    mail.to = [a for _, a in addresses(raw_values(msg, "To", defects), defects)]
    mail.cc = [a for _, a in addresses(raw_values(msg, "Cc", defects), defects)]
    mail.delivered_to = [
        a
        for _, a in addresses(
            raw_values(msg, "Delivered-To", defects) + raw_values(msg, "X-Original-To", defects),
            defects,
        )
    ]
    date = header(msg, "Date", defects)
    if date:
        try:
            mail.date = parsedate_to_datetime(date).isoformat()
        except (TypeError, ValueError, IndexError, OverflowError):
            defects.append("bad Date header")
    mail.message_id = (_ids(header(msg, "Message-ID", defects)) or [""])[0][:900]
    mail.in_reply_to = (_ids(header(msg, "In-Reply-To", defects)) or [""])[0][:900]
    mail.references = [r[:900] for r in _ids(header(msg, "References", defects))][-50:]
    mail.auto_generated = is_auto_generated(msg, mail.from_email, defects)
    suppress = header(msg, "X-Auto-Response-Suppress", defects).strip().lower()
    mail.suppress_auto_answer = bool(suppress) and suppress != "none"

    if msg.get_content_type() == "multipart/report":
        _read_report(msg, mail, defects)
    found = _Collected(outline)
    _walk(msg, found, defects)
    mail.attachments = found.attachments
    html = shallow("\n".join(found.html))  # parsed up to three times below: never too deep
    if html.strip():
        mail.body_html = sanitize_html(html, remote_images=False)
    text = "\n\n".join(t.strip("\n") for t in found.text)
    html_text = html_to_text(mail.body_html, sanitized=True) if mail.body_html else ""
    mail.body_text = text.strip() if text.strip() else html_text
    if mail.from_email.partition("@")[0] in BOUNCERS and not mail.returned_ids:
        _read_plain_bounce(mail, found)
    reply_html, cut = cut_html_quotes(html) if html.strip() else ("", False)
    if cut or reply_html != html:
        reply_html = sanitize_html(reply_html, remote_images=False)
        html_text = html_to_text(reply_html, sanitized=True)
    else:
        reply_html = mail.body_html or ""
    mail.reply_text = cut_quotes(text if text.strip() else html_text)
    # The ticket shows the HTML when there is some: only if its quote could be cut there too.
    if cut or mail.reply_text.strip() == mail.body_text.strip():
        mail.reply_html = reply_html
