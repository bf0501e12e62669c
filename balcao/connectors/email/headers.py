"""Header values as senders really write them: repaired before parsing (bad folding, spaces
before the colon, NUL bytes), read raw (the standard library's structured header parser is
slow on hostile input) and decoded here (encoded words in any charset, 8-bit bytes)."""

import base64
import binascii
import codecs
import quopri
import re
from email.message import Message
from email.utils import getaddresses

from balcao.connectors.email import trust

HEAD_END = re.compile(rb"\r?\n\r?\n")
HEADER_LINE = re.compile(rb"^[!-9;-~]{1,100}:")
SPACED_NAME = re.compile(rb"^([A-Za-z][A-Za-z0-9-]{0,60})[ \t]+:")
MAX_HEADER = 32_000  # characters of one header value that are read
MAX_HEADER_LINES = 1000  # beyond this, only the lines of the headers Balcão reads are kept
MAX_BOUNDARY_LINES = 300  # a multipart is read up to its 300th boundary line
BOUNDARY_START = re.compile(rb"^--", re.MULTILINE)
READ = {
    b"from",
    b"sender",
    b"reply-to",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"delivered-to",
    b"x-original-to",
    b"auto-submitted",
    b"precedence",
    b"list-id",
    b"x-autoreply",
    b"x-autorespond",
    b"return-path",
    b"x-auto-response-suppress",
    b"authentication-results",
    b"mime-version",
}  # and every Content-*
ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]{0,2000})\?=")
BETWEEN_WORDS = re.compile(r"(\?=)\s+(?==\?[^?\s]{1,60}\?[bBqQ]\?)")
QUOTED_LOCAL = re.compile(r'^"[\w.+-]{1,64}"$')
ADDRESS_IN_NAME = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")


def repair_head(raw: bytes, defects: list[str]) -> bytes:
    """The header block made parsable: a line that is neither a header nor a continuation
    but is followed by a header is a badly folded continuation; ``Subject :`` loses its
    space; NUL bytes go."""
    match = HEAD_END.search(raw, 0, 1_000_000)
    head, rest = (raw[: match.start()], raw[match.start() :]) if match else (raw, b"")
    lines = head.split(b"\n")
    if not lines or not (HEADER_LINE.match(lines[0]) or SPACED_NAME.match(lines[0])):
        return raw
    if len(lines) > MAX_HEADER_LINES:
        lines = _read_headers_only(lines, defects)
    out = []
    for i, line in enumerate(lines):
        if b"\0" in line:
            line = line.replace(b"\0", b"")
            defects.append("NUL byte in the headers")
        spaced = SPACED_NAME.match(line)
        if spaced and not HEADER_LINE.match(line):
            line = spaced.group(1) + b":" + line[spaced.end() :]
            defects.append("space before a header's colon")
        elif (
            i
            and line.strip()
            and line[:1] not in b" \t"
            and not HEADER_LINE.match(line)
            and i + 1 < len(lines)
            and HEADER_LINE.match(lines[i + 1])
        ):
            line = b" " + line
            defects.append("badly folded header")
        out.append(line)
    if len(rest) > 2000 and b"multipart" in head.lower():
        rest = _first_parts(rest, defects)
    return b"\n".join(out) + rest


def _read_headers_only(lines: list[bytes], defects: list[str]) -> list[bytes]:
    """Thousands of header lines (trace headers, hostile input): those Balcão reads."""
    defects.append(f"{len(lines)} header lines: only those read are kept")
    kept, keep = [], False
    for line in lines:
        if line[:1] not in b" \t":
            name = line.split(b":", 1)[0].strip().lower()
            keep = name in READ or name.startswith(b"content-")
        if keep:
            kept.append(line)
    return kept


def _first_parts(body: bytes, defects: list[str]) -> bytes:
    """A multipart body up to its MAX_BOUNDARY_LINES-th boundary line."""
    for count, match in enumerate(BOUNDARY_START.finditer(body), 1):
        if count > MAX_BOUNDARY_LINES:
            defects.append("too many MIME parts: the rest is only in the original")
            return body[: match.start()]
    return body


def undo_8bit(text: str, defects: list[str]) -> str:
    """Raw 8-bit bytes in a header (kept by the parser as surrogates) read as UTF-8, or as
    Windows-1252 when they are not UTF-8."""
    if text.isascii():
        return text
    data = text.encode("utf-8", "surrogateescape")
    if data.isascii() or not re.search(r"[\udc80-\udcff]", text):
        return text
    defects.append("8-bit header")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _word(match: re.Match, defects: list[str]) -> str:
    charset, encoding, data = match.groups()
    charset = charset.split("*")[0]  # RFC 2231 language: utf-8*pt
    try:
        if encoding in "bB":
            payload = base64.b64decode(data + "=" * (-len(data) % 4))
        else:
            payload = quopri.decodestring(data.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        defects.append("bad encoded-word")
        return match.group(0)
    try:
        return payload.decode(codecs.lookup(charset).name, "replace")
    except LookupError:
        defects.append(f"unknown charset {charset[:40]}")
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")


def decode_words(text: str, defects: list[str]) -> str:
    """RFC 2047 encoded words decoded, in any charset Python knows (others best-effort);
    the space between two adjacent words disappears, as the RFC says."""
    if "=?" not in text:
        return text
    text = BETWEEN_WORDS.sub(r"\1", text)
    return ENCODED_WORD.sub(lambda m: _word(m, defects), text)


def raw_values(msg: Message, name: str, defects: list[str]) -> list[str]:
    """Every value of header ``name``, unfolded, 8-bit bytes decoded, encoded words kept."""
    index = getattr(msg, "raw_index", None)
    if index is None:  # one pass over the headers, however many there are
        index = {}
        for key, value in msg.raw_items():
            index.setdefault(key.lower(), []).append(value)
        msg.raw_index = index
    found = []
    for value in index.get(name.lower(), []):
        value = str(value)
        if len(value) > MAX_HEADER:
            defects.append(f"{name}: header too long")
            value = value[:MAX_HEADER]
        found.append(" ".join(undo_8bit(value, defects).split()))
    return found


def header(msg: Message, name: str, defects: list[str]) -> str:
    values = raw_values(msg, name, defects)
    return decode_words(values[0], defects) if values else ""


def addresses(values: list[str], defects: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs of address headers; group syntax read, entries without
    a local part and a domain dropped."""
    pairs = []
    for name, address in getaddresses(values):
        address = address.strip().strip("<>").lower()
        local, _, domain = address.rpartition("@")
        if QUOTED_LOCAL.match(local):  # "paulo.silva"@x is paulo.silva@x
            local = local[1:-1]
            address = f"{local}@{domain}"
        if local and "." in domain.strip(".") and " " not in address and len(address) <= 254:
            pairs.append((" ".join(decode_words(name, defects).split()), address))
    return pairs


def sender(msg: Message, defects: list[str]) -> tuple[str, str, str]:
    """(name, address, problem): the sender from the first readable From header, and why it
    cannot be believed ('' when nothing is wrong with the header itself)."""
    values = raw_values(msg, "From", defects)
    readable = [pairs for pairs in (addresses([v], defects) for v in values) if pairs]
    problem = ""
    if len(values) > 1:
        defects.append("several From headers")
        problem = trust.SEVERAL_FROM
    if not readable:
        if values:
            defects.append("unreadable From header")
        readable = [addresses(raw_values(msg, n, defects), defects) for n in ("Sender", "Reply-To")]
        readable = [pairs for pairs in readable if pairs]
        if not readable:
            defects.append("no sender address")
            return "", "", trust.NO_SENDER
        problem = problem or trust.NOT_FROM
    elif not addresses(values[:1], defects):
        defects.append("unreadable From header")
    if len(readable[0]) > 1:
        defects.append("several From addresses")
        problem = problem or trust.SEVERAL_ADDRESSES
    name, address = readable[0][0]
    if any(found.lower() != address for found in ADDRESS_IN_NAME.findall(name)):
        defects.append(f"display name is another address: {name[:100]}")
        return "", address, problem or trust.NAME_IS_ADDRESS
    return name, address, problem
