"""`balcao mail deliver`, `lmtp` and `inspect` as an MTA and an administrator run them:
real processes, the real database; exit 75 only when the database is out of reach."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from balcao.connectors.email.models import InboundMail
from balcao.tickets.models import Ticket
from tests.mail.conftest import make_mail

CORPUS = Path(__file__).parent / "corpus"
BALCAO = [sys.executable, "-m", "balcao.cli"]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run(args, stdin: bytes, tmp_path, url: str, **environment):
    env = {**os.environ, "DATABASE_URL": url, "BALCAO_HOME": str(tmp_path), **environment}
    return subprocess.run(
        [*BALCAO, *args], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_deliver_prints_the_result_and_exits_0_once_stored(profile, tmp_path):
    raw = make_mail(sender="alguem@gmail.com", subject="Olá 👋")
    done = run(
        ["mail", "deliver", "--to", "Financeiro@balcao.localhost"], raw, tmp_path, database_url()
    )
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    ticket = Ticket.objects.get()
    assert result == {
        "ticket": ticket.number,
        "action": "created",
        "linked": False,
        "company": None,
        "department": "financeiro",
        "status": "open",
    }
    again = run(
        ["mail", "deliver", "--to", "financeiro@balcao.localhost"], raw, tmp_path, database_url()
    )
    assert json.loads(again.stdout)["action"] == "duplicate"
    assert InboundMail.objects.get().source == "deliver"


@pytest.mark.parametrize(
    "url",
    [
        "postgres://balcao:x@127.0.0.1:1/balcao",  # nothing listens on port 1
        "sqlite:////nonexistent-directory/balcao.sqlite3",
    ],
)
def test_deliver_asks_the_mta_to_retry_when_the_database_is_unreachable(url, tmp_path):
    done = run(["mail", "deliver"], make_mail(sender="a@b.example"), tmp_path, url)
    assert done.returncode == 75, done.stderr.decode()
    assert done.stdout == b""


def test_inspect_prints_how_a_message_is_read(tmp_path):
    done = run(
        ["mail", "inspect", str(CORPUS / "outlook_desktop_ptbr_cp1252.eml")],
        b"",
        tmp_path,
        f"sqlite:///{tmp_path}/unused.sqlite3",
    )
    assert done.returncode == 0, done.stderr.decode()
    shown = json.loads(done.stdout)
    assert set(shown) == {
        "subject",
        "from_email",
        "from_name",
        "from_trusted",
        "trust_problem",
        "auth_results",
        "to",
        "cc",
        "date",
        "message_id",
        "in_reply_to",
        "references",
        "body_text",
        "body_html",
        "reply_text",
        "reply_html",
        "attachments",
        "auto_generated",
        "suppress_auto_answer",
        "returned_ids",
        "defects",
    }
    assert shown["from_name"] == "José Araújo" and "Enviado:" not in shown["reply_text"]
    assert shown["from_trusted"] is True and shown["trust_problem"] == ""


def test_inspect_shows_why_a_sender_is_not_trusted(tmp_path):
    done = run(
        ["mail", "inspect", str(CORPUS / "auth_dmarc_fail.eml")],
        b"",
        tmp_path,
        f"sqlite:///{tmp_path}/unused.sqlite3",
        MAIL_AUTHSERV_ID="mx.balcao.localhost",
    )
    shown = json.loads(done.stdout)
    assert shown["from_trusted"] is False and "DMARC failed" in shown["trust_problem"]
    assert shown["auth_results"]["dmarc"] == "fail"


def test_inspect_never_fails_on_noise(tmp_path):
    done = run(
        ["mail", "inspect", "-"], os.urandom(3000), tmp_path, f"sqlite:///{tmp_path}/x.sqlite3"
    )
    assert done.returncode == 0 and "defects" in json.loads(done.stdout)


@pytest.mark.django_db(transaction=True)
def test_the_lmtp_command_serves_an_mta(profile, tmp_path):
    """`balcao mail lmtp` as an MTA's LMTP transport reaches it: a real process on a port."""
    from tests.mail.test_lmtp import converse
    from tests.mail.test_outbound import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "BALCAO_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [*BALCAO, "mail", "lmtp", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            assert server.poll() is None, server.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        raw = make_mail(sender="alguem@gmail.com", to="suporte@balcao.localhost")
        _, data = converse(port, ["suporte@balcao.localhost"], raw)
    finally:
        server.terminate()
        server.wait(10)
    assert data[0].startswith("250")
    assert Ticket.objects.get().department.slug == "suporte"
    assert InboundMail.objects.get().source == "lmtp"


SABOTAGED_LMTP = """
import os, sys, threading
import django

os.environ["DJANGO_SETTINGS_MODULE"] = "balcao.settings"
django.setup()
from django.core.management import call_command
from balcao.connectors.email import lmtp

started = lmtp.lmtp_server


def sabotaged(*args, **kwargs):
    controller = started(*args, **kwargs)

    def kill():
        if sys.argv[1] == "close":  # the listening socket closed, the loop still running
            controller.loop.call_soon_threadsafe(controller.server.close)
        else:  # the event loop stopped: the server thread ends
            controller.loop.call_soon_threadsafe(controller.loop.stop)

    threading.Timer(1, kill).start()
    return controller


lmtp.lmtp_server = sabotaged
call_command("mail", "lmtp", "--port", sys.argv[2])
"""


@pytest.mark.parametrize("how", ["close", "stop"])
def test_the_lmtp_process_ends_when_its_server_stops_serving(how, tmp_path):
    """The real command with its server sabotaged from inside: the process must exit non-zero,
    so that its supervisor (systemd Restart=always) starts it again."""
    from tests.mail.test_outbound import free_port

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
        "BALCAO_HOME": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SABOTAGED_LMTP, how, str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        code = server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        pytest.fail("the process kept running without serving")
    out, err = server.communicate()
    assert b"LMTP on" in out, err.decode()
    assert code != 0 and b"stopped serving" in err, err.decode()


def test_fetch_refuses_to_poll_too_seldom_for_health(settings):
    """Polls further apart than half of WORKER_STALE_SECONDS would make /health call the
    mailboxes stale between two of them."""
    from django.core.management import CommandError, call_command

    settings.WORKER_STALE_SECONDS = 300
    with pytest.raises(CommandError, match="WORKER_STALE_SECONDS"):
        call_command("mail", "fetch", "--every", "151")
