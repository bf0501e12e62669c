"""`balcao mail deliver` with MAIL_LMTP: the thin client (lmtp_client.py) hands each message to
the LMTP server over a real socket without booting Django, maps its replies to the exit codes
of the in-process path, and files in-process when nothing listens."""

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.db import OperationalError
from hypothesis import given
from hypothesis import strategies as st

from balcao.connectors.email import lmtp, lmtp_client
from balcao.connectors.email.lmtp_client import canonical
from balcao.connectors.email.models import InboundMail
from balcao.tickets.models import Ticket
from tests.mail.conftest import make_mail
from tests.mail.test_commands import BALCAO, database_url
from tests.mail.test_lmtp import converse
from tests.mail.test_outbound import free_port
from tests.mail.test_size import MEASURE, large_mail

SUPORTE, FINANCEIRO = "suporte@balcao.localhost", "financeiro@balcao.localhost"


@pytest.fixture
def server():
    controller = lmtp.lmtp_server("127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def deliver(args, stdin, tmp_path, lmtp_at="", python=(), **environment):
    """`balcao mail deliver ARGS` as an MTA runs it, standard input a pipe (or a file)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BALCAO_HOME": str(tmp_path),
        "MAIL_LMTP": lmtp_at,
        **environment,
    }
    command = [sys.executable, *python, *BALCAO[1:], "mail", "deliver", *args]
    kwargs = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    return subprocess.run(command, capture_output=True, env=env, timeout=120, **kwargs)


def stored(recipient: str) -> bytes:
    with InboundMail.objects.get(recipient=recipient).raw.open("rb") as source:
        return source.read()


def reference(data: bytes) -> bytes:
    """What `canonical` must give, said another way: CRLF line ends, the last line ended."""
    lines = re.sub(rb"\r?\n", b"\r\n", data)
    return lines if not lines or lines.endswith(b"\r\n") else lines + b"\r\n"


@given(st.binary(), st.integers(1, 8))
def test_canonical_is_crlf_lines_whatever_the_chunks(data, chunk):
    lmtp_client.CHUNK = chunk  # a CR and its LF in different reads, and every other split
    try:
        assert b"".join(canonical(io.BytesIO(data))) == reference(data)
    finally:
        lmtp_client.CHUNK = 64 * 1024


@pytest.mark.django_db(transaction=True)
def test_delivered_over_lmtp_without_importing_django(profile, server, tmp_path):
    raw = make_mail(sender="alguem@gmail.com", subject="Olá 👋")
    done = deliver(
        ["--from", "alguem@gmail.com", "--to", SUPORTE],
        raw,
        tmp_path,
        f"127.0.0.1:{server.port}",
        python=["-X", "importtime"],
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"django" not in done.stderr  # -X importtime lists every module imported
    ticket = Ticket.objects.get()
    assert json.loads(done.stdout) == {
        "ticket": ticket.number,
        "action": "created",
        "linked": False,
        "company": None,
        "department": "suporte",
        "status": "open",
    }
    assert InboundMail.objects.get().source == "lmtp"
    assert ticket.messages.get().body_text == "Os clientes não conseguem pagar."


@pytest.mark.django_db(transaction=True)
def test_the_null_sender_reaches_the_server_as_such(profile, server, tmp_path):
    done = deliver(
        ["--from=", "--to", SUPORTE],
        make_mail(sender="x@y.example"),
        tmp_path,
        f"127.0.0.1:{server.port}",
    )
    assert done.returncode == 0, done.stderr.decode()
    assert InboundMail.objects.get(source="lmtp").auto_generated


SHAPES = {
    "dots, LF": b".\n..\n.linha\n...\n texto\n.",
    "dots, CRLF": b".\r\n..\r\n.linha\r\n.\r\n",
    "mixed ends, lone CR": b"um\r\ndois\nt\rres\r\n\r\n",
    "no final newline": b"sem fim de linha",
    "8-bit": "ação çé ü\n".encode() + bytes(range(128, 256)) + b"\n.\xff\n",
    "ends in a CR": b"quase\r",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", SHAPES)
def test_both_paths_keep_the_same_bytes(profile, server, tmp_path, shape):
    """Over LMTP (dot-stuffed on the wire) and in-process, the store keeps the same bytes:
    the message as SMTP carries it; a message already in CRLF lines, exactly as it came."""
    head = b"From: a@cliente.example\r\nSubject: formas\r\nMessage-ID: <f@cliente.example>\r\n\r\n"
    raw = head + SHAPES[shape]
    over = deliver(
        ["--from", "a@cliente.example", "--to", SUPORTE], raw, tmp_path, f"127.0.0.1:{server.port}"
    )
    inside = deliver(["--from", "a@cliente.example", "--to", FINANCEIRO], raw, tmp_path)
    assert over.returncode == inside.returncode == 0, (over.stderr, inside.stderr)
    assert InboundMail.objects.get(recipient=SUPORTE).source == "lmtp"
    assert InboundMail.objects.get(recipient=FINANCEIRO).source == "deliver"
    assert stored(SUPORTE) == stored(FINANCEIRO) == reference(raw)
    if raw == reference(raw):
        assert stored(SUPORTE) == raw


@pytest.mark.django_db(transaction=True)
def test_several_recipients_one_transaction(profile, server, tmp_path):
    done = deliver(
        ["--from", "a@gmail.com", "--to", SUPORTE, "--to", FINANCEIRO],
        make_mail(sender="a@gmail.com"),
        tmp_path,
        f"127.0.0.1:{server.port}",
    )
    assert done.returncode == 0, done.stderr.decode()
    shown = [json.loads(line) for line in done.stdout.splitlines()]
    assert [s["department"] for s in shown] == ["suporte", "financeiro"]
    assert sorted(Ticket.objects.values_list("number", flat=True)) == sorted(
        s["ticket"] for s in shown
    )


@pytest.mark.django_db(transaction=True)
def test_a_4xx_asks_the_mta_to_retry(profile, server, tmp_path, monkeypatch):
    def down(raws):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(lmtp, "do_receive_mails", down)
    done = deliver(
        ["--from", "a@gmail.com", "--to", SUPORTE],
        make_mail(sender="a@gmail.com"),
        tmp_path,
        f"127.0.0.1:{server.port}",
    )
    assert done.returncode == 75 and b"451" in done.stderr
    assert done.stdout == b"" and not Ticket.objects.exists()


class Scripted:
    """An LMTP server that answers from a script, to see each reply's exit code: a reply
    answers the next command line; <data> reads the message up to its dot; a reply after it
    marked + answers DATA (one per recipient); <close> hangs up."""

    def __init__(self, replies: list[str]):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port, self.replies = self.listener.getsockname()[1], replies
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        conn, _ = self.listener.accept()
        with conn, conn.makefile("rb") as reader:
            for index, reply in enumerate(self.replies):
                if reply == "<close>":
                    return
                if reply == "<data>":
                    while reader.readline() not in (b".\r\n", b""):
                        pass
                    continue
                if reply.startswith("+"):
                    reply = reply[1:]
                elif index and not reader.readline():  # the greeting answers no command
                    return
                conn.sendall(reply.encode() + b"\r\n")


GREETING = "220 lmtp.example LMTP"
LHLO = "250-lmtp.example\r\n250-SIZE 1000000\r\n250 8BITMIME"
OK = "250 2.0.0 Ok"


@pytest.mark.parametrize(
    ("replies", "code", "printed"),
    [
        # busy: 421 at the greeting
        ([GREETING.replace("220", "421"), "<close>"], 75, 0),
        # one recipient deferred at RCPT, the other filed: the MTA retries (a duplicate then)
        ([GREETING, LHLO, OK, "450 4.2.1 later", OK, "354 go", "<data>", "+" + OK, OK], 75, 1),
        # one recipient refused for good after DATA, the other filed: a bounce
        ([GREETING, LHLO, OK, OK, OK, "354 go", "<data>", "+" + OK, "+554 5.6.0 no"], 65, 1),
        # a temporary failure for one recipient after DATA: the MTA retries the message
        ([GREETING, LHLO, OK, OK, OK, "354 go", "<data>", "+" + OK, "+452 4.3.1 full"], 75, 1),
        # the connection lost before the answer to DATA: stored or not, unknown: retry
        ([GREETING, LHLO, OK, OK, OK, "354 go", "<data>", "<close>"], 75, 0),
        # a size over the server's, declared at MAIL FROM
        ([GREETING, LHLO, "552 5.3.4 too big"], 65, 0),
    ],
)
def test_replies_map_to_the_exit_codes_of_the_in_process_path(replies, code, printed, tmp_path):
    fake = Scripted(replies)
    done = deliver(
        ["--from", "a@gmail.com", "--to", "a@x.example", "--to", "b@x.example"],
        b"Subject: x\n\ncorpo\n",
        tmp_path,
        f"127.0.0.1:{fake.port}",
        DATABASE_URL="sqlite:////nonexistent-directory/unused.sqlite3",  # never in-process
    )
    assert done.returncode == code, done.stderr.decode()
    assert len(done.stdout.splitlines()) == printed
    assert b"in-process" not in done.stderr


@pytest.mark.django_db(transaction=True)
def test_an_envelope_the_server_will_not_take_is_filed_in_process(profile, tmp_path):
    """A 5xx before DATA but for the size (an address the server cannot read): nothing was
    sent, and the in-process path takes what it always took."""
    fake = Scripted([GREETING, LHLO, OK, "553 5.1.3 Error: malformed address", "<close>"])
    done = deliver(
        ["--from", "a@gmail.com", "--to", "suporte@balcao.localhost"],
        make_mail(sender="a@gmail.com"),
        tmp_path,
        f"127.0.0.1:{fake.port}",
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"553" in done.stderr and b"filing in-process" in done.stderr
    assert InboundMail.objects.get().source == "deliver"
    assert json.loads(done.stdout)["department"] == "suporte"


@pytest.mark.django_db(transaction=True)
def test_nothing_listening_files_in_process(profile, tmp_path):
    raw = make_mail(sender="a@gmail.com")
    for where in [f"127.0.0.1:{free_port()}", str(tmp_path / "no-such.sock")]:
        done = deliver(["--from", "a@gmail.com", "--to", SUPORTE], raw, tmp_path, where)
        assert done.returncode == 0, done.stderr.decode()
        assert b"filing in-process" in done.stderr
    mail = InboundMail.objects.get()  # the second was the same bytes: a duplicate
    assert mail.source == "deliver" and Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_size_limit_is_the_same_to_the_byte(profile, tmp_path, settings):
    """Counted as stored, on every path: LF lines count as CRLF, the dots doubled on the wire
    do not count. A message of exactly the limit is taken, one byte more refused (65)."""
    limit = 64 * 1024
    settings.MAIL_MAX_BYTES = limit
    controller = lmtp.lmtp_server("127.0.0.1", free_port())
    controller.start()
    try:
        results = {}
        dots = limit // 6  # LF lines of a lone dot: 3 bytes each as stored, 4 on the wire
        for extra in (0, 1):
            head = f"From: a@cliente.example\nSubject: {extra}\n\n".encode()
            filler = limit + extra - len(reference(head)) - 3 * dots - 2
            raw = head + b".\n" * dots + b"x" * filler + b"\n"
            assert len(reference(raw)) == limit + extra
            for recipient, where in [(SUPORTE, f"127.0.0.1:{controller.port}"), (FINANCEIRO, "")]:
                done = deliver(
                    ["--from", "a@cliente.example", "--to", recipient],
                    raw,
                    tmp_path,
                    where,
                    MAIL_MAX_BYTES=str(limit),
                )
                results[extra, recipient] = done.returncode
        # The server itself, spoken to directly, counts the same (converse ends the last line).
        raw = reference(b"Subject: d\n\n" + b".\n" * dots)
        raw += b"y" * (limit - len(raw) - 2)
        _, at_limit = converse(controller.port, ["atendimento@balcao.localhost"], raw)
        _, over = converse(controller.port, ["atendimento@balcao.localhost"], raw + b"z")
    finally:
        controller.stop()
    assert results == {
        (0, SUPORTE): 0,
        (0, FINANCEIRO): 0,
        (1, SUPORTE): 65,
        (1, FINANCEIRO): 65,
    }
    assert InboundMail.objects.filter(subject="0").count() == 2
    assert not InboundMail.objects.filter(subject="1").exists()
    assert at_limit[0].startswith("250") and over[0].startswith("552")


@pytest.mark.django_db(transaction=True)
def test_a_file_over_the_limit_is_refused_at_mail_from(profile, server, tmp_path, settings):
    settings.MAIL_MAX_BYTES = 1024 * 1024
    big = large_mail(tmp_path / "big.eml", 2)
    with big.open("rb") as stdin:
        done = deliver(
            ["--from", "a@b.example", "--to", SUPORTE], stdin, tmp_path, f"127.0.0.1:{server.port}"
        )
    assert done.returncode == 65 and b"552" in done.stderr
    assert not InboundMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_40_mb_message_streams_through_a_small_client(profile, server, tmp_path):
    big = large_mail(tmp_path / "big.eml", 40)
    with big.open("rb") as stdin:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                MEASURE,
                *BALCAO,
                "mail",
                "deliver",
                "--from",
                "alguem@cliente.example",
                "--to",
                SUPORTE,
            ],
            stdin=stdin,
            capture_output=True,
            env={
                **os.environ,
                "MAIL_LMTP": f"127.0.0.1:{server.port}",
                "DATABASE_URL": database_url(),
                "BALCAO_HOME": str(tmp_path),
            },
            timeout=300,
            check=True,
        )
    code, peak = done.stdout.split()
    print(f"thin client, 40 MB over LMTP: exit {code}, peak RSS {int(peak) / 1024:.0f} MB")
    assert int(code) == 0, done.stderr.decode()
    assert int(peak) / 1024 < 30
    assert stored(SUPORTE) == big.read_bytes().replace(b"\n", b"\r\n")


@pytest.mark.django_db(transaction=True)
def test_the_lmtp_command_on_a_unix_socket(profile, tmp_path):
    """The real `balcao mail lmtp`, listening where MAIL_LMTP says (a unix socket), and
    `mail deliver` reaching it there."""
    path = str(tmp_path / "lmtp.sock")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BALCAO_HOME": str(tmp_path),
        "MAIL_LMTP": path,
    }
    server = subprocess.Popen(
        [*BALCAO, "mail", "lmtp"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(300):
            assert server.poll() is None
            if os.path.exists(path):
                break
            time.sleep(0.1)
        done = deliver(
            ["--from", "a@gmail.com", "--to", SUPORTE],
            make_mail(sender="a@gmail.com"),
            tmp_path,
            path,
        )
    finally:
        server.terminate()
        server.wait(10)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["department"] == "suporte"
    assert InboundMail.objects.get().source == "lmtp"
