"""Large messages: `mail deliver` and LMTP refuse what is over MAIL_MAX_BYTES before the MTA
thinks it delivered (deliver exits 65, LMTP answers 552), and deliver streams its input."""

import io
import os
import subprocess
import sys
from email.message import EmailMessage

import pytest

from balcao.connectors.email import large, lmtp, parsing
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.parsing import parse_message
from balcao.tickets.models import Ticket
from tests.mail.conftest import make_mail
from tests.mail.test_commands import BALCAO, database_url
from tests.mail.test_lmtp import converse
from tests.mail.test_outbound import free_port

MB = 1024 * 1024


def large_mail(path, megabytes: int, message_id: str = "<grande@cliente.example>"):
    """A message with a random attachment, written to ``path`` (about ``megabytes`` MB)."""
    mail = EmailMessage()
    mail["From"] = "alguem@cliente.example"
    mail["To"] = "suporte@balcao.localhost"
    mail["Subject"] = "Logs do servidor"
    mail["Message-ID"] = message_id
    mail.set_content("Seguem os logs.")
    payload = os.urandom(megabytes * MB * 3 // 4)  # base64 grows it by 4/3
    mail.add_attachment(payload, maintype="application", subtype="gzip", filename="logs.gz")
    path.write_bytes(mail.as_bytes())
    return path


# Linux carries a process's peak RSS across exec, so a child forked from pytest would start
# with pytest's: a small launcher forks the command and reports the command's own peak.
MEASURE = """import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def deliver_measured(path, tmp_path, **env):
    """Run `mail deliver` on the file: its exit code, stderr and peak RSS in MB."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BALCAO_HOME": str(tmp_path),
        **env,
    }
    with path.open("rb") as stdin:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                MEASURE,
                *BALCAO,
                "mail",
                "deliver",
                "--to",
                "suporte@balcao.localhost",
            ],
            stdin=stdin,
            capture_output=True,
            env=environment,
            timeout=300,
            check=True,
        )
    code, peak = done.stdout.split()
    return int(code), done.stderr.decode(), int(peak) / 1024


@pytest.mark.django_db(transaction=True)
def test_deliver_refuses_a_message_over_the_limit_without_holding_it(profile, tmp_path):
    big = large_mail(tmp_path / "big.eml", 30)
    code, stderr, peak = deliver_measured(big, tmp_path, MAIL_MAX_BYTES=str(20 * MB))
    print(f"deliver refusing 30 MB over a 20 MB limit: exit {code}, peak RSS {peak:.0f} MB")
    assert code == 65, stderr
    assert "MAIL_MAX_BYTES" in stderr
    assert peak < 100
    assert not InboundMail.objects.exists() and not Ticket.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]  # no spool left


@pytest.mark.django_db(transaction=True)
def test_deliver_takes_a_message_under_the_limit(profile, tmp_path):
    code, stderr, _ = deliver_measured(
        large_mail(tmp_path / "m.eml", 1), tmp_path, MAIL_MAX_BYTES=str(2 * MB)
    )
    assert code == 0, stderr
    assert Ticket.objects.get().messages.get().attachments.get().name == "logs.gz"


@pytest.mark.django_db(transaction=True)
def test_deliver_of_a_40_mb_message_stays_under_100_mb(profile, tmp_path):
    big = large_mail(tmp_path / "big.eml", 40)
    code, stderr, peak = deliver_measured(big, tmp_path)
    print(f"deliver of 40 MB: exit {code}, peak RSS {peak:.0f} MB")
    assert code == 0, stderr
    assert peak < 100
    # Stored whole, byte for byte as SMTP carries it (the pipe's LF lines in CRLF, as over
    # LMTP); the ticket has the text, the file over the attachment limit stays in the
    # original (said so), and nothing else was lost.
    mail = InboundMail.objects.get()
    carried = big.read_bytes().replace(b"\n", b"\r\n")
    assert (tmp_path / "media" / mail.raw.name).read_bytes() == carried
    message = Ticket.objects.get().messages.get()
    assert message.body_text == "Seguem os logs." and not message.attachments.exists()
    assert any("logs.gz" in defect for defect in mail.defects)


def mixed_mail(path) -> bytes:
    """A large message of every shape the outline must read as the stdlib would: text and
    HTML alternatives, an inline image, files in base64 and quoted-printable, a nested
    multipart, a forwarded message, a preamble and an epilogue."""
    mail = EmailMessage()
    mail["From"] = "Fulano <fulano@cliente.example>"
    mail["To"] = "suporte@balcao.localhost"
    mail["Subject"] = "Vários anexos"
    mail["Message-ID"] = "<varios@cliente.example>"
    mail.set_content("Texto simples com acentuação.\n" * 50)
    mail.add_alternative("<p>Olá <b>mundo</b></p>" * 50, subtype="html")
    mail.add_attachment(os.urandom(600_000), maintype="image", subtype="png", filename="a.png")
    mail.add_attachment(
        ("linha de log çãõ\n" * 40_000).encode(),
        maintype="text",
        subtype="plain",
        filename="log.txt",
        cte="quoted-printable",
    )
    mail.add_attachment(
        os.urandom(1_200_000), maintype="application", subtype="pdf", filename="nota.pdf"
    )
    inner = EmailMessage()
    inner["Subject"] = "Encaminhada"
    inner.set_content("corpo")
    mail.add_attachment(inner)
    mail.preamble = "This is a multi-part message in MIME format."
    mail.epilogue = "fim"
    raw = mail.as_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(raw)
    return raw


def comparable(parsed):
    return parsed.as_json(), [
        (a.name, a.content_type, a.content, a.inline) for a in parsed.attachments
    ]


def test_a_large_message_read_from_its_file_reads_as_in_memory(tmp_path):
    raw = mixed_mail(tmp_path / "mixed.eml")
    assert len(raw) > parsing.LARGE_MESSAGE
    skeleton, outline = large.outline(io.BytesIO(raw))
    assert len(outline.spans) == 3 and len(skeleton) < 400_000  # png, log, pdf left out
    with (tmp_path / "mixed.eml").open("rb") as source:
        from_file = parse_message(source)
    assert comparable(from_file) == comparable(parse_message(raw))
    assert [a.name for a in from_file.attachments] == [
        "a.png",
        "log.txt",
        "nota.pdf",
        "Encaminhada.eml",
    ]


def test_a_file_over_the_attachment_limit_is_measured_not_read(tmp_path, settings):
    settings.ATTACHMENT_MAX_BYTES = 1_000_000
    mixed_mail(tmp_path / "mixed.eml")
    with (tmp_path / "mixed.eml").open("rb") as source:
        parsed = parse_message(source)
    pdf = next(a for a in parsed.attachments if a.name == "nota.pdf")
    assert pdf.content == b"" and pdf.size == 1_200_000


@pytest.mark.parametrize(
    "damage",
    [
        (b"\r\n--", b"\r--"),  # a lone CR before a boundary: a line end only to the stdlib
        (b'boundary="', b'boundary="x'),  # a boundary the body never uses
    ],
)
def test_an_outline_it_cannot_trust_keeps_the_part(tmp_path, damage):
    raw = mixed_mail(tmp_path / "mixed.eml").replace(*damage, 1)
    (tmp_path / "damaged.eml").write_bytes(raw)
    with (tmp_path / "damaged.eml").open("rb") as source:
        from_file = parse_message(source)
    assert comparable(from_file) == comparable(parse_message(raw))


@pytest.fixture
def small_lmtp(settings):
    settings.MAIL_MAX_BYTES = 64 * 1024
    controller = lmtp.lmtp_server("127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def lmtp_session(port: int, commands: list[str]) -> list[str]:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        reader = sock.makefile("rb")
        replies = []

        def reply():
            lines = []
            while True:
                line = reader.readline().decode()
                lines.append(line.strip())
                if line[3:4] != "-":
                    return lines

        reply()
        for command in commands:
            sock.sendall(command.encode() + b"\r\n")
            replies.append(reply())
        return replies


@pytest.mark.django_db(transaction=True)
def test_lmtp_advertises_the_limit_and_refuses_a_declared_size_over_it(profile, small_lmtp):
    lhlo, mail_from = lmtp_session(
        small_lmtp.port, ["LHLO mta.example", f"MAIL FROM:<a@cliente.example> SIZE={128 * 1024}"]
    )
    assert f"250-SIZE {64 * 1024}" in lhlo
    assert mail_from[-1].startswith("552")


@pytest.mark.django_db(transaction=True)
def test_lmtp_refuses_oversized_data_once_per_recipient_and_keeps_nothing(profile, small_lmtp):
    raw = make_mail(sender="alguem@cliente.example", body="linha\n" * 20_000)
    raw = raw.replace(b"\n", b"\r\n")  # as it travels: CRLF lines
    _, data = converse(
        small_lmtp.port, ["suporte@balcao.localhost", "financeiro@balcao.localhost"], raw
    )
    assert [reply[:3] for reply in data] == ["552", "552"]
    assert not InboundMail.objects.exists()
