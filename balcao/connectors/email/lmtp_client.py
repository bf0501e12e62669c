"""`balcao mail deliver` without Django: a thin LMTP client (RFC 2033) of `balcao mail lmtp`.

An MTA starts one `mail deliver` per message, and booting Django costs each of them half a
second of CPU. With ``MAIL_LMTP`` set (``host:port``, or the path of a unix socket) and the
envelope given (``--from``, ``--to``), ``balcao.cli`` calls ``deliver`` before Django is
imported: standard input goes to the resident server in chunks, never whole, in the form SMTP
carries (``canonical``: CRLF line ends; dot-stuffed on the wire), and the server's replies
become the exit codes of the in-process path — 0 stored, 75 (EX_TEMPFAIL: the MTA retries) for
a 4xx or a connection lost midway, 65 (EX_DATAERR: a bounce) for a 5xx about the message (its
size, or after DATA). A message over the size the server advertises is refused here as soon
as it is, counted as the server and the in-process path count it. When nothing listens, or
the server will not take the envelope (a 5xx before DATA but for the size), ``deliver``
returns None and the command files the message in-process, as without ``MAIL_LMTP``: nothing
is lost, and nothing is refused that the in-process path would take.

The standard library only: importing Django here would cost what this module saves.
"""

import contextlib
import json
import os
import socket
import stat
from collections.abc import Iterator
from typing import BinaryIO, TextIO

EX_DATAERR = 65
EX_TEMPFAIL = 75
CHUNK = 64 * 1024
CONNECT_SECONDS = 5
REPLY_SECONDS = 600  # the server answers DATA once each recipient's copy is committed


def canonical(stream: BinaryIO) -> Iterator[bytes]:
    """The message as SMTP carries it, in chunks: every line ends in CRLF (a bare LF becomes
    CRLF, a lone CR stays), the last one too. Both paths of `mail deliver` store this form,
    so that they keep the same bytes and count the same size."""
    carry, last = b"", b"\n"
    while chunk := stream.read(CHUNK):
        chunk, carry = carry + chunk, b""
        if chunk.endswith(b"\r"):  # its LF, if it has one, is in the next chunk
            chunk, carry = chunk[:-1], b"\r"
        if chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            last = chunk[-1:]
            yield chunk
    if carry or last != b"\n":
        yield carry + b"\r\n"


class CanonicalReader:
    """``canonical`` as a readable stream, for the raw store's spool."""

    def __init__(self, stream: BinaryIO) -> None:
        self._chunks = canonical(stream)

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


def endpoint(value: str) -> str | tuple[str, int]:
    """``MAIL_LMTP`` as a socket address: a path (it has a slash) or ``host:port``."""
    if "/" in value:
        return value
    host, _, port = value.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def envelope(argv: list[str]) -> tuple[str, list[str]] | None:
    """``--from S --to R [--to R …]`` (or ``--from=S``); None for anything else: the
    in-process path reads that, and what it cannot read it says."""
    sender, recipients, args = None, [], iter(argv)
    for arg in args:
        name, equals, value = arg.partition("=")
        if not equals:
            value = next(args, None)  # type: ignore[assignment]
        if name not in ("--from", "--to") or value is None:
            return None
        if not value.isascii() or any(c in value for c in " \t\r\n<>"):
            return None  # not for a plain LMTP command line: the in-process path takes it
        if name == "--from":
            sender = value
        else:
            recipients.append(value)
    return (sender, recipients) if sender is not None and recipients else None


class Refused(Exception):
    def __init__(self, code: int, reply: str) -> None:
        super().__init__(reply)
        self.code = code


class Unsuitable(Exception):
    """Refused before DATA for something else than the size (an address the server will not
    read, say): nothing sent yet, the in-process path files it as it always did."""


def _exit_code(reply: str) -> int:
    return EX_TEMPFAIL if reply.startswith("4") else EX_DATAERR


def _before_data(reply: str) -> str:
    if reply.startswith("5") and not reply.startswith("552"):
        raise Unsuitable(reply)
    if not reply.startswith(("2", "3")):
        raise Refused(_exit_code(reply), reply)
    return reply


class _Session:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = sock.makefile("rb")

    def reply(self) -> list[str]:
        """One reply, its lines without the code's separator: ["250", "SIZE 1024", …]."""
        lines = []
        while True:
            line = self.reader.readline(65536)
            if not line.endswith(b"\n") or not line[:3].isdigit():
                raise ConnectionError(f"unexpected reply {line[:80]!r}")
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(text)
            if text[3:4] != "-":
                return lines

    def command(self, line: str) -> list[str]:
        self.sock.sendall(line.encode("ascii") + b"\r\n")
        return self.reply()


def _connect(address: str | tuple[str, int]) -> socket.socket:
    if isinstance(address, str):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(CONNECT_SECONDS)
            sock.connect(address)
        except OSError:
            sock.close()
            raise
    else:
        sock = socket.create_connection(address, timeout=CONNECT_SECONDS)
        # The closing dot after the last chunk would wait for that chunk's delayed ACK (40 ms).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(REPLY_SECONDS)
    return sock


def _send_data(sock: socket.socket, stdin: BinaryIO, limit: int) -> None:
    """Standard input as DATA: canonical, counted (the server's count: dots added on the wire
    are not the message's), dot-stuffed, ended by the lone dot."""
    size, at_line_start = 0, True
    for chunk in canonical(stdin):
        size += len(chunk)
        if limit and size > limit:
            raise Refused(EX_DATAERR, f"message larger than {limit} bytes (the server's SIZE)")
        wire = chunk.replace(b"\n.", b"\n..")
        sock.sendall(b"." + wire if at_line_start and wire.startswith(b".") else wire)
        at_line_start = chunk.endswith(b"\n")
    sock.sendall(b".\r\n")


def _declared_size(stdin: BinaryIO) -> str:
    """SIZE for MAIL FROM when standard input is a file (a pipe's size is not known ahead)."""
    try:
        status = os.fstat(stdin.fileno())
    except (OSError, ValueError):
        return ""
    return f" SIZE={status.st_size}" if stat.S_ISREG(status.st_mode) else ""


def _transaction(
    sock: socket.socket, sender: str, recipients: list[str], stdin: BinaryIO
) -> list[tuple[str, str]]:
    """Deliver; each recipient's final reply, in order (a RCPT refused is its reply)."""
    session = _Session(sock)
    _before_data(session.reply()[-1])  # the greeting
    lhlo = session.command(f"LHLO {socket.gethostname()}")
    _before_data(lhlo[-1])
    features = [line[4:].upper().split() for line in lhlo]
    sizes = [f[1] for f in features if f[:1] == ["SIZE"] and f[1:2] and f[1].isdigit()]
    limit = int(sizes[0]) if sizes else 0
    _before_data(session.command(f"MAIL FROM:<{sender}>{_declared_size(stdin)}")[-1])
    replies = []
    for recipient in recipients:
        reply = session.command(f"RCPT TO:<{recipient}>")[-1]
        replies.append(reply if reply.startswith("4") else _before_data(reply))
    accepted = [n for n, reply in enumerate(replies) if reply.startswith("2")]
    if accepted:
        if not _before_data(session.command("DATA")[-1]).startswith("354"):
            raise Refused(EX_TEMPFAIL, "no 354 after DATA")
        _send_data(sock, stdin, limit)
        for n in accepted:
            replies[n] = session.reply()[-1]
        with contextlib.suppress(OSError):  # every recipient has its answer already
            session.command("QUIT")
    return list(zip(recipients, replies, strict=True))


def _result(reply: str) -> object:
    """What the server's 250 carries after the ticket's number: the in-process path's JSON."""
    try:
        return json.loads(reply[reply.index(" {") + 1 :])
    except ValueError:
        return {"reply": reply}


def deliver(argv: list[str], stdin: BinaryIO, stdout: TextIO, stderr: TextIO) -> int | None:
    """`mail deliver ARGV` over LMTP: its exit code, or None to deliver in-process."""
    given, address = envelope(argv), os.environ.get("MAIL_LMTP", "")
    if given is None or not address:
        return None
    sender, recipients = given
    try:
        sock = _connect(endpoint(address))
    except (OSError, ValueError) as error:
        stderr.write(f"balcao mail deliver: no LMTP at {address} ({error}); filing in-process\n")
        return None
    try:
        with sock:
            replies = _transaction(sock, sender, recipients, stdin)
    except Refused as refusal:
        stderr.write(f"balcao mail deliver: refused: {refusal}\n")
        return refusal.code
    except Unsuitable as refusal:
        stderr.write(f"balcao mail deliver: LMTP at {address}: {refusal}; filing in-process\n")
        return None
    except OSError as error:  # the connection lost or silent: whether it was stored is unknown
        stderr.write(f"balcao mail deliver: LMTP at {address} failed, retry later: {error}\n")
        return EX_TEMPFAIL
    code = 0
    for recipient, reply in replies:
        if reply.startswith("2"):
            stdout.write(json.dumps(_result(reply), ensure_ascii=False) + "\n")
        else:
            stderr.write(f"balcao mail deliver: <{recipient}> refused: {reply}\n")
            code = max(code, _exit_code(reply))
    return code
