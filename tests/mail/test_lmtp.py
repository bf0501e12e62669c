"""`balcao mail lmtp`: one reply per recipient after DATA, 250 only once committed, 451 when
the database cannot take it (the MTA keeps the message)."""

import socket

import pytest
from django.db import OperationalError

from balcao.connectors.email import lmtp
from balcao.connectors.email.models import InboundMail
from balcao.tickets.models import Ticket
from tests.mail.conftest import make_mail
from tests.mail.test_outbound import free_port


@pytest.fixture
def server():
    controller = lmtp.lmtp_server("127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def converse(port: int, recipients: list[str], raw: bytes, sender: str = "a@cliente.example"):
    """Speak LMTP over a socket; return the replies to RCPT and the one per recipient to DATA."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        reader = sock.makefile("rb")

        def reply():
            lines = []
            while True:
                line = reader.readline().decode()
                lines.append(line.strip())
                if line[3:4] != "-":
                    return lines[-1]

        def send(line: str):
            sock.sendall(line.encode() + b"\r\n")
            return reply()

        reply()  # greeting
        assert send("LHLO mta.example").startswith("250")
        assert send(f"MAIL FROM:<{sender}>").startswith("250")
        rcpt = [send(f"RCPT TO:<{r}>") for r in recipients]
        assert send("DATA").startswith("354")
        sock.sendall(raw.replace(b"\n.", b"\n..") + b"\r\n.\r\n")
        data = [reply() for _ in recipients]
        send("QUIT")
        return rcpt, data


@pytest.mark.django_db(transaction=True)
def test_one_committed_copy_per_recipient(profile, server):
    raw = make_mail(sender="alguem@gmail.com", to="suporte@balcao.localhost")
    rcpt, data = converse(
        server.port, ["suporte@balcao.localhost", "financeiro@balcao.localhost"], raw
    )
    assert all(r.startswith("250") for r in rcpt)
    assert [d[:3] for d in data] == ["250", "250"]
    assert sorted(Ticket.objects.values_list("department__slug", flat=True)) == [
        "financeiro",
        "suporte",
    ]
    assert set(InboundMail.objects.values_list("source", flat=True)) == {"lmtp"}


@pytest.mark.django_db(transaction=True)
def test_null_sender_is_an_automatic_message(profile, server):
    converse(server.port, ["suporte@balcao.localhost"], make_mail(sender="x@y.example"), "")
    assert InboundMail.objects.get().auto_generated


@pytest.mark.django_db(transaction=True)
def test_temporary_failure_when_the_database_is_down(profile, server, monkeypatch):
    def down(raws):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(lmtp, "do_receive_mails", down)
    _, data = converse(server.port, ["suporte@balcao.localhost"], make_mail(sender="x@y.example"))
    assert data[0].startswith("451")
    assert not InboundMail.objects.exists()
