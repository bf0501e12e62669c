"""How Balcão reads a raw e-mail: the standard library's parser, made to never fail.

``parse_message`` takes the bytes as they arrived and returns a ``ParsedMail``; whatever it
cannot read (unknown charsets, broken headers, bad base64) is named in ``defects`` instead of
raising. The quoted earlier conversation is cut into ``reply_text``/``reply_html``.
"""

import codecs
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from balcao.core.html import sanitize_html

MAX_DEPTH = 30
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # databases refuse NUL; none is text
SINGLE_BYTE = {"ascii", "iso8859-1", "cp1252"}  # codecs names of us-ascii, Latin-1, Windows-1252


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


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

    def as_json(self) -> dict:
        """The fields ``balcao mail inspect`` prints (attachments without their bytes)."""
        return {
            "subject": self.subject,
            "from_email": self.from_email,
            "from_name": self.from_name,
            "to": self.to,
            "cc": self.cc,
            "date": self.date,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": self.references,
            "body_text": self.body_text,
            "body_html": self.body_html,
            "reply_text": self.reply_text,
            "attachments": [
                {"name": a.name, "size": a.size, "content_type": a.content_type}
                for a in self.attachments
            ],
            "auto_generated": self.auto_generated,
            "defects": self.defects,
        }


# ---------------------------------------------------------------- headers


def _header(msg: EmailMessage, name: str, defects: list[str]) -> str:
    """A header decoded to text; a header the strict policy chokes on is decoded leniently."""
    try:
        value = msg.get(name)
        return "" if value is None else " ".join(str(value).split())
    except Exception as error:  # the header parser has raised on hostile input
        defects.append(f"{name}: {type(error).__name__}")
    for key, raw in msg.raw_items():
        if key.lower() == name.lower():
            try:
                return " ".join(str(make_header(decode_header(raw))).split())
            except Exception:
                return " ".join(str(raw).encode("utf-8", "replace").decode("utf-8").split())
    return ""


def _headers(msg: EmailMessage, name: str, defects: list[str]) -> list[str]:
    try:
        values = msg.get_all(name) or []
        return [" ".join(str(v).split()) for v in values]
    except Exception as error:
        defects.append(f"{name}: {type(error).__name__}")
        return [_header(msg, name, defects)]


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for name, address in getaddresses(values):
        address = address.strip().strip("<>").lower()
        if "@" in address and " " not in address and len(address) <= 254:
            pairs.append((name.strip(), address))
    return pairs


def _ids(value: str) -> list[str]:
    found = re.findall(r"<([^<>\s]+)>", value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return found


def is_auto_generated(msg: EmailMessage, from_email: str, defects: list[str]) -> bool:
    """Auto-replies, bounces and bulk mail (RFC 3834 and what real servers send instead)."""
    auto_submitted = _header(msg, "Auto-Submitted", defects).split(";")[0].strip().lower()
    precedence = _header(msg, "Precedence", defects).strip().lower()
    return_path = _header(msg, "Return-Path", defects).strip()
    return bool(
        (auto_submitted and auto_submitted != "no")
        or precedence in {"bulk", "junk", "list"}
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or from_email.partition("@")[0] == "mailer-daemon"
        or return_path == "<>"
        or msg.get_content_type() in {"multipart/report", "message/delivery-status"}
    )


# ---------------------------------------------------------------- bodies


def decode_bytes(payload: bytes, charset: str | None, defects: list[str]) -> str:
    """Bytes to text under the declared charset; a wrong or unknown declaration falls back to
    UTF-8, then Windows-1252, then Latin-1 (which cannot fail)."""
    declared = (charset or "us-ascii").strip().strip('"').lower()
    try:
        declared = codecs.lookup(declared).name
    except LookupError:
        defects.append(f"unknown charset {declared[:40]}")
        declared = ""
    if declared in SINGLE_BYTE:
        try:
            text = payload.decode("utf-8")
            if not text.isascii():
                defects.append(f"declared {charset or 'us-ascii'} but the text is UTF-8")
            return text
        except UnicodeDecodeError:
            pass
        if declared != "ascii":
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


def _payload(part: EmailMessage, defects: list[str]) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception as error:
        defects.append(f"body: {type(error).__name__}")
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return payload


def _filename(part: EmailMessage, defects: list[str]) -> str:
    try:
        name = part.get_filename() or ""
    except Exception as error:
        defects.append(f"filename: {type(error).__name__}")
        name = ""
    if "=?" in name:
        try:
            name = str(make_header(decode_header(name)))
        except Exception:
            defects.append("filename: bad encoded-word")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip(" .")[:255]


class _Collected:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []
        self.attachments: list[ParsedAttachment] = []


def _attach(part, ctype, content, inline, found: _Collected, defects) -> None:
    name = _filename(part, defects)
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


def _walk(part: EmailMessage, found: _Collected, defects: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        defects.append("MIME structure nested too deep")
        return
    for defect in getattr(part, "defects", []):
        defects.append(type(defect).__name__)
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or (part.is_multipart() and ctype.startswith("message/")):
        inner = part.get_payload()
        blocks = inner if isinstance(inner, list) else [inner]
        try:
            content = b"\n".join(b.as_bytes(policy=policy.SMTP) for b in blocks if b is not None)
        except Exception:
            content = str(inner).encode("utf-8", "replace")
            defects.append("attached message could not be re-encoded")
        _attach(part, ctype, content, False, found, defects)
        return
    if part.is_multipart():
        children = part.get_payload()
        for child in children if isinstance(children, list) else []:
            _walk(child, found, defects, depth + 1)
        return
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    has_name = bool(_filename(part, []))
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
        text = decode_bytes(_payload(part, defects), part.get_param("charset"), defects)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        (found.text if ctype == "text/plain" else found.html).append(text)
        return
    inline = disposition == "inline" or (disposition is None and part.get("Content-ID") is not None)
    _attach(part, ctype, _payload(part, defects), inline, found, defects)


class _HtmlText(HTMLParser):
    """HTML to readable text: blocks become lines, lists get dashes, scripts and styles vanish."""

    BLOCKS = {"p", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self.BLOCKS or tag == "blockquote":
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS or tag == "blockquote":
            self.out.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    lines = [line.strip() for line in "".join(parser.out).replace("\xa0", " ").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---------------------------------------------------------------- quoted history

ATTRIBUTION = re.compile(
    r"^(on|em|le|el|am)\s.{4,300}?\b(wrote|escreveu|escribió|a écrit|schrieb)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|mensagem original|mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(from|de)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_SENT = re.compile(r"^\s*\*?(sent|enviado|enviada|date|data|to|para)\s*:", re.IGNORECASE)
RULE = re.compile(r"^\s*_{5,}\s*$")
HTML_QUOTE = re.compile(
    r"<div[^>]*\b(class=[\"']?[^\"'>]*\b(gmail_quote|moz-cite-prefix|yahoo_quoted)"
    r"|id=[\"']?(divRplyFwdMsg|appendonsend))"
    r"|<blockquote[^>]*type=[\"']?cite"
    r"|<div[^>]*border-top:\s*solid\s*#(E1E1E1|B5C4DF)",
    re.IGNORECASE,
)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if ORIGINAL.match(line):
            return i
        if HEADER_FROM.match(line) and any(HEADER_SENT.match(n) for n in lines[i + 1 : i + 4]):
            return i - 1 if i and RULE.match(lines[i - 1]) else i
        for span in (1, 2, 3):
            joined = " ".join(part.strip() for part in lines[i : i + span])
            if ATTRIBUTION.match(joined):
                return i
    return None


def cut_quotes(text: str) -> str:
    """The new part of a reply: the text above the first quote header (Gmail, Outlook, Apple
    Mail, Thunderbird, in Portuguese or English), without trailing '>' lines. A bottom-posted
    reply keeps its own lines; a message that is all quote is returned whole."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = _quote_start(lines)
    head = lines[:start] if start is not None else lines
    while head and (not head[-1].strip() or head[-1].lstrip().startswith(">")):
        head.pop()
    if any(line.strip() for line in head):
        return "\n".join(head).strip()
    own = [line for line in lines if not line.lstrip().startswith(">")]
    start = _quote_start(own)
    if start is not None and start < len(own) and not any(s.strip() for s in own[:start]):
        own = own[start + 1 :] if ATTRIBUTION.match(own[start].strip()) else own
    rest = "\n".join(own).strip()
    return rest or text.strip()


def cut_html_quotes(html: str) -> tuple[str, bool]:
    """The HTML before the first quote container (gmail_quote, Outlook's divRplyFwdMsg,
    blockquote type=cite…), and whether one was found."""
    match = HTML_QUOTE.search(html)
    if match is None or not html_to_text(html[: match.start()]).strip():
        return html, False
    return html[: match.start()], True


# ---------------------------------------------------------------- the whole message


def _clean(text: str) -> str:
    """Text a database and a JSON encoder accept: undecodable bytes the parser kept as
    surrogates become U+FFFD, control characters go."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return CONTROL.sub("", text)


def parse_message(raw: bytes) -> ParsedMail:
    """Read ``raw`` as well as it can be read; never raises."""
    mail = ParsedMail()
    defects = mail.defects
    try:
        _read(BytesParser(policy=policy.default).parsebytes(raw), mail, defects)
    except Exception as error:  # a parser bug on hostile input must not lose the message
        defects.append(f"unreadable: {type(error).__name__}: {error}"[:300])
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


def _read_report(msg: EmailMessage, mail: ParsedMail, defects: list[str]) -> None:
    """What a delivery report (RFC 3464) returns: the Message-IDs of the returned message and
    the status the receiving server gave."""
    said = []
    for part in msg.get_payload() if msg.is_multipart() else []:
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in part.get_payload() if isinstance(part.get_payload(), list) else []:
                said += [str(block[k]) for k in ("Status", "Diagnostic-Code") if block.get(k)]
        elif ctype == "text/rfc822-headers":
            returned = HeaderParser(policy=policy.default).parsestr(
                decode_bytes(_payload(part, defects), part.get_param("charset"), defects)
            )
            mail.returned_ids += _ids(_header(returned, "Message-ID", defects))
        elif ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, EmailMessage):
                mail.returned_ids += _ids(_header(inner, "Message-ID", defects))
    mail.delivery_report = " ".join(" ".join(said).split())[:500]


def _read(msg: EmailMessage, mail: ParsedMail, defects: list[str]) -> None:
    if not msg.keys():
        defects.append("no headers")
    mail.subject = _header(msg, "Subject", defects)[:998]
    sender = _addresses([_header(msg, "From", defects)]) or _addresses(
        [_header(msg, "Sender", defects), _header(msg, "Reply-To", defects)]
    )
    if sender:
        mail.from_name, mail.from_email = sender[0]
    else:
        defects.append("no sender address")
    mail.to = [a for _, a in _addresses(_headers(msg, "To", defects))]
    mail.cc = [a for _, a in _addresses(_headers(msg, "Cc", defects))]
    mail.delivered_to = [
        a
        for _, a in _addresses(
            _headers(msg, "Delivered-To", defects) + _headers(msg, "X-Original-To", defects)
        )
    ]
    date = _header(msg, "Date", defects)
    if date:
        try:
            mail.date = parsedate_to_datetime(date).isoformat()
        except (TypeError, ValueError, IndexError):
            defects.append("bad Date header")
    mail.message_id = (_ids(_header(msg, "Message-ID", defects)) or [""])[0][:900]
    mail.in_reply_to = (_ids(_header(msg, "In-Reply-To", defects)) or [""])[0][:900]
    mail.references = [r[:900] for r in _ids(_header(msg, "References", defects))][-50:]
    mail.auto_generated = is_auto_generated(msg, mail.from_email, defects)
    suppress = _header(msg, "X-Auto-Response-Suppress", defects).strip().lower()
    mail.suppress_auto_answer = bool(suppress) and suppress != "none"

    if msg.get_content_type() == "multipart/report":
        _read_report(msg, mail, defects)
    found = _Collected()
    _walk(msg, found, defects)
    mail.attachments = found.attachments
    html = "\n".join(found.html)
    if html.strip():
        mail.body_html = sanitize_html(html)
    text = "\n\n".join(t.strip("\n") for t in found.text)
    mail.body_text = text.strip() if text.strip() else html_to_text(html)
    reply_html, cut = cut_html_quotes(html) if html.strip() else ("", False)
    if text.strip():
        mail.reply_text = cut_quotes(text)
    else:
        mail.reply_text = cut_quotes(html_to_text(reply_html))
    if html.strip():
        # The ticket shows the HTML when there is some: only if its quote could be cut there too.
        text_was_cut = mail.reply_text.strip() != mail.body_text.strip()
        mail.reply_html = sanitize_html(reply_html) if cut or not text_was_cut else ""
