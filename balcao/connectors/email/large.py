"""Large messages read from the raw store's file without holding them whole.

``outline`` reads a message line by line and returns its skeleton: every header and every
small part as it is, each large leaf part's body (a file, as a rule) replaced by one marker
line. The stdlib parser then reads the skeleton as it would the whole message, and the parts
behind markers are decoded from the file in a stream (``decoded_size``, ``decoded``), base64
and quoted-printable line by line, so a 30 MB attachment over the attachment limit is measured
and never held, and one under it is held once, decoded.

Only what the scanner reads exactly as the stdlib parser does is left in the file: a part
with its own Content-Type that is neither multipart nor message, a known transfer encoding,
inside a multipart whose boundary both see; anything else stays in the skeleton.
"""

import binascii
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from typing import BinaryIO

from balcao.connectors.email.headers import repair_head

PART_IN_FILE = 256 * 1024  # a leaf body larger than this stays in the file
LINE_MAX = 64 * 1024
ENCODINGS = {"", "7bit", "8bit", "binary", "base64", "quoted-printable"}
NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    encoding: str


@dataclass
class Outline:
    """The skeleton's markers and where each body really is."""

    source: BinaryIO
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    spans: dict[str, Span] = field(default_factory=dict)

    def span_of(self, payload: object) -> Span | None:
        if not isinstance(payload, str) or not payload.startswith(self.nonce):
            return None
        return self.spans.get(payload.strip())

    def marker(self, span: Span) -> bytes:
        key = f"{self.nonce}-{len(self.spans)}"
        self.spans[key] = span
        return key.encode()


def _boundary_line(line: bytes, boundaries: list[bytes]) -> tuple[int, bool] | None:
    """Which enclosing boundary (index in ``boundaries``) ``line`` is, and whether it closes;
    as the stdlib's parser matches them: ``--boundary``, ``--`` to close, blanks, line end."""
    if not line.startswith(b"--"):
        return None
    for index in range(len(boundaries) - 1, -1, -1):
        boundary = boundaries[index]
        if line.startswith(b"--" + boundary):
            rest = line[2 + len(boundary) :]
            closing = rest.startswith(b"--")
            rest = rest[2:] if closing else rest
            if not rest.rstrip(b"\r\n").strip(b" \t"):
                return index, closing
    return None


class _Scanner:
    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.outline = Outline(source)
        self.out = bytearray()
        self.boundaries: list[bytes] = []
        self.pending: bytes | None = None  # a line read but not yet handled
        self.offset = 0

    def line(self) -> bytes:
        if self.pending is not None:
            line, self.pending = self.pending, None
            return line
        line = self.source.readline(LINE_MAX)
        self.offset += len(line)
        return line

    def push_back(self, line: bytes) -> None:
        self.pending = line

    def entity(self) -> None:
        """One entity (the message or a part): its head, then its body; stops before the line
        of an enclosing boundary (left pending) or at the end."""
        head = bytearray()
        while True:
            line = self.line()
            if not line:
                self.out += head
                return
            if _boundary_line(line, self.boundaries) is not None:
                self.out += head
                self.push_back(line)
                return
            head += line
            if line in (b"\n", b"\r\n"):
                break
        self.out += head
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(repair_head(bytes(head), []))
        ctype = headers.get_content_type()
        boundary = headers.get_boundary() if ctype.startswith("multipart/") else None
        if boundary:
            self.multipart(boundary.encode("utf-8", "surrogateescape"))
            return
        encoding = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
        in_file = (
            headers.get("Content-Type") is not None
            and not ctype.startswith(("multipart/", "message/"))
            and encoding in ENCODINGS
        )
        self.leaf(in_file, encoding)

    def multipart(self, boundary: bytes) -> None:
        self.boundaries.append(boundary)
        depth = len(self.boundaries) - 1
        while True:  # preamble, then each part; after the closing line, the epilogue
            line = self.line()
            if not line:
                break
            found = _boundary_line(line, self.boundaries)
            if found is None:
                self.out += line
                continue
            index, closing = found
            if index < depth:  # an outer boundary: this multipart ended without closing
                self.push_back(line)
                break
            self.out += line
            if closing:
                self.epilogue(depth)
                break
            self.entity()
        del self.boundaries[depth:]

    def epilogue(self, depth: int) -> None:
        while line := self.line():
            found = _boundary_line(line, self.boundaries[:depth])
            if found is not None:
                self.push_back(line)
                return
            self.out += line

    def leaf(self, in_file: bool, encoding: str) -> None:
        start = self.offset - (len(self.pending) if self.pending is not None else 0)
        kept = bytearray()
        size, at_line_start, last_end = 0, True, b""
        while True:
            line = self.line()
            if not line:
                break
            if at_line_start and _boundary_line(line, self.boundaries) is not None:
                self.push_back(line)
                break
            at_line_start = line.endswith(b"\n")
            # A lone CR ends a line for the stdlib parser, not here: leave such a body alone.
            if b"\r" in line.rstrip(b"\r\n"):
                in_file = False
            size += len(line)
            if not in_file or size <= PART_IN_FILE:
                kept += line
            last_end = line[len(line.rstrip(b"\r\n")) :]
        if in_file and size > PART_IN_FILE:
            span = Span(start, start + size - len(last_end), encoding)
            self.out += self.outline.marker(span) + last_end
        else:
            self.out += kept


def outline(source: BinaryIO) -> tuple[bytes, Outline]:
    """The skeleton of the message in ``source`` and where its large bodies are."""
    source.seek(0)
    scanner = _Scanner(source)
    scanner.entity()
    while line := scanner.line():  # whatever the scanner did not place stays
        scanner.out += line
    return bytes(scanner.out), scanner.outline


def _lines(source: BinaryIO, span: Span) -> Iterator[bytes]:
    source.seek(span.start)
    left = span.end - span.start
    while left > 0:
        line = source.readline(min(LINE_MAX, left))
        if not line:
            return
        left -= len(line)
        yield line


def _decoded(source: BinaryIO, span: Span, defects: list[str]) -> Iterator[bytes]:
    if span.encoding == "base64":
        carry = b""
        for line in _lines(source, span):
            data = carry + NOT_BASE64.sub(b"", line)
            whole = len(data) // 4 * 4
            carry = data[whole:]
            if whole:
                try:
                    yield binascii.a2b_base64(data[:whole])
                except binascii.Error:
                    defects.append("bad base64")
        if carry.strip(b"="):
            try:
                yield binascii.a2b_base64(carry + b"=" * (-len(carry) % 4))
            except binascii.Error:
                defects.append("bad base64")
    elif span.encoding == "quoted-printable":
        for line in _lines(source, span):
            yield binascii.a2b_qp(line)
    else:
        yield from _lines(source, span)


def decoded_size(source: BinaryIO, span: Span) -> int:
    return sum(len(chunk) for chunk in _decoded(source, span, []))


def decoded(source: BinaryIO, span: Span, defects: list[str]) -> bytes:
    return b"".join(_decoded(source, span, defects))
