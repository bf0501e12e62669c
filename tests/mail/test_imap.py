"""`balcao mail fetch` against Debian's Dovecot on 127.0.0.1: a message is marked only after
it is committed, a run killed between the two loses and doubles nothing, UIDVALIDITY counts."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from balcao.connectors.email import imap
from balcao.connectors.email.models import InboundMail, Mailbox
from balcao.tickets.models import Message, Ticket
from tests.mail.conftest import make_mail, stored_bytes
from tests.mail.test_outbound import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "suporte", "segredo-de-teste"

pytestmark = [
    pytest.mark.skipif(not Path(DOVECOT).exists(), reason="needs Debian's dovecot-imapd"),
    pytest.mark.django_db(transaction=True),
]

CONFIG = """
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{home}/mail/%u
first_valid_uid = {uid}
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="module")
def dovecot():
    """A private Dovecot: its own config, passwd-file and maildir in a temporary directory.
    As root its mail processes run as the package's `dovecot` user (Dovecot refuses root);
    unprivileged, everything runs as the current user."""
    home = Path(tempfile.mkdtemp(prefix="balcao-dovecot-"))
    home.chmod(0o755)  # the auth and mail processes run as other users
    (home / "mail").mkdir()
    if os.getuid() == 0:
        owner = pwd.getpwnam("dovecot")
        uid, gid, users = owner.pw_uid, owner.pw_gid, ""
        os.chown(home / "mail", uid, gid)
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
        users = f"default_internal_user = {me}\ndefault_login_user = {me}"
    port = free_port()
    (home / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (home / "dovecot.conf").write_text(
        CONFIG.format(home=home, uid=uid, gid=gid, users=users, port=port)
    )
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(home / "dovecot.conf")])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.terminate()
        pytest.fail((home / "dovecot.log").read_text())
    yield port
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(home, ignore_errors=True)


def client(port) -> IMAPClient:
    conn = IMAPClient("127.0.0.1", port=port, ssl=False)
    conn.login(USER, PASSWORD)
    return conn


@pytest.fixture
def folder(dovecot, request):
    """A fresh folder for each test, and the Mailbox that reads it."""
    name = f"T{abs(hash(request.node.name)) % 10**8}"
    with client(dovecot) as conn:
        for old in (name, f"{name}-feito"):
            if conn.folder_exists(old):
                conn.delete_folder(old)
        conn.create_folder(name)
    mailbox = Mailbox.objects.create(
        name=name,
        host="127.0.0.1",
        port=dovecot,
        use_ssl=False,
        username=USER,
        password=PASSWORD,
        folder=name,
    )
    return mailbox


def append(port, folder: str, raw: bytes) -> None:
    with client(port) as conn:
        conn.append(folder, raw)


def flags(port, folder: str) -> list:
    with client(port) as conn:
        conn.select_folder(folder, readonly=True)
        return [set(v[b"FLAGS"]) for _, v in sorted(conn.fetch(conn.search(), ["FLAGS"]).items())]


def test_fetch_files_and_flags_each_message(profile, dovecot, folder):
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Primeiro"))
    append(dovecot, folder.folder, make_mail(sender="b@cliente.example", subject="Segundo"))
    [report] = imap.fetch_all()
    assert report.actions == {"created": 2}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Primeiro", "Segundo"]
    assert all(b"\\Seen" in f for f in flags(dovecot, folder.folder))
    folder.refresh_from_db()
    assert folder.last_uid == 2 and folder.uidvalidity
    [again] = imap.fetch_all()
    assert again.actions == {}


def test_killed_between_commit_and_flag_neither_loses_nor_doubles(
    profile, dovecot, folder, monkeypatch
):
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Só uma vez"))

    def killed(*args):
        raise KeyboardInterrupt("killed after commit, before the flag")

    monkeypatch.setattr(imap, "mark_done", killed)
    with pytest.raises(KeyboardInterrupt):
        imap.fetch_all()
    assert Ticket.objects.count() == 1  # committed
    assert flags(dovecot, folder.folder) == [set()]  # not marked
    monkeypatch.undo()
    [report] = imap.fetch_all()
    assert report.actions == {"duplicate": 1}
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert InboundMail.objects.count() == 1
    assert flags(dovecot, folder.folder) == [{b"\\Seen"}]


def test_processed_mail_can_be_moved(profile, dovecot, folder):
    folder.move_to = f"{folder.folder}-feito"
    folder.save()
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example"))
    imap.fetch_all()
    with client(dovecot) as conn:
        assert conn.select_folder(folder.folder)[b"EXISTS"] == 0
        assert conn.select_folder(folder.move_to)[b"EXISTS"] == 1
    assert Ticket.objects.count() == 1


def test_a_new_uidvalidity_reads_the_folder_again(profile, dovecot, folder):
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Antes"))
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Antes 2"))
    imap.fetch_all()
    folder.refresh_from_db()
    before = folder.uidvalidity
    with client(dovecot) as conn:  # the folder is recreated: UIDs start again at 1
        conn.delete_folder(folder.folder)
        conn.create_folder(folder.folder)
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Depois"))
    [report] = imap.fetch_all()
    folder.refresh_from_db()
    assert folder.uidvalidity != before and folder.last_uid == 1
    assert report.actions == {"created": 1}
    assert Ticket.objects.filter(subject="Depois").exists()


def test_fetch_command_reads_and_reports_an_unreachable_mailbox(profile, dovecot, folder, capsys):
    from django.core.management import call_command

    Mailbox.objects.create(
        name="zz-fora",
        host="127.0.0.1",
        port=free_port(),
        use_ssl=False,
        username="x",
        password="y",
    )
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example"))
    with pytest.raises(SystemExit) as exited:
        call_command("mail", "fetch")
    lines = capsys.readouterr().out.splitlines()
    assert exited.value.code == 1
    assert f'"created": 1, "mailbox": "{folder.name}"' in lines[0]
    assert '"error": "ConnectionRefusedError' in lines[1]
    assert Ticket.objects.count() == 1


def test_a_mailbox_failing_unexpectedly_is_recorded_and_the_others_are_read(
    profile, dovecot, folder, monkeypatch
):
    """A server answer the code does not expect (no UIDVALIDITY) fails that mailbox only: the
    error is kept on it for staff, the next mailbox is read and its poll recorded."""
    broken = Mailbox.objects.create(
        name="0-sem-uidvalidity",
        host="127.0.0.1",
        port=dovecot,
        use_ssl=False,
        username=USER,
        password=PASSWORD,
        folder=folder.folder,
    )
    select = IMAPClient.select_folder

    def without_uidvalidity(self, name, readonly=False):
        status = select(self, name, readonly)
        if self._mailbox_user == broken.name:
            status.pop(b"UIDVALIDITY")
        return status

    def connect(mailbox):
        conn = real_connect(mailbox)
        conn._mailbox_user = mailbox.name
        return conn

    real_connect = imap._connect
    monkeypatch.setattr(imap, "_connect", connect)
    monkeypatch.setattr(IMAPClient, "select_folder", without_uidvalidity)
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example"))
    first, second = imap.fetch_all()
    assert first.mailbox == broken.name and first.error.startswith("KeyError")
    assert second.actions == {"created": 1}
    broken.refresh_from_db()
    folder.refresh_from_db()
    assert broken.polled_at is None and broken.poll_error.startswith("KeyError")
    assert broken.poll_error_at is not None
    assert folder.polled_at is not None and folder.poll_error == ""


def test_a_message_that_always_fails_is_kept_raw_and_blocks_nothing(
    profile, dovecot, folder, monkeypatch
):
    """A message whose filing always fails (here: the funnel raising on it) is kept raw and
    shown as failed, once; the messages beside it and after it are filed; it is never read
    again, and never into a second ticket even if read again."""
    poison = make_mail(sender="v@cliente.example", subject="Veneno")
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Antes"))
    append(dovecot, folder.folder, poison)
    append(dovecot, folder.folder, make_mail(sender="b@cliente.example", subject="Depois"))
    receive = imap.do_receive_mails

    def choking(raws):
        if any(b"Subject: Veneno" in raw.raw for raw in raws):
            raise RuntimeError("the parser's surprise")
        return receive(raws)

    monkeypatch.setattr(imap, "do_receive_mails", choking)
    [report] = imap.fetch_all()
    assert report.actions == {"created": 2, "failed": 1} and not report.error
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Antes", "Depois"]
    kept = InboundMail.objects.get(state=InboundMail.State.FAILED)
    assert stored_bytes(kept).replace(b"\r\n", b"\n") == poison and kept.source == "imap"
    assert "RuntimeError: the parser's surprise" in kept.error
    folder.refresh_from_db()
    assert folder.last_uid == 3 and folder.polled_at is not None
    assert f"#{kept.pk}" in folder.poll_error and "RuntimeError" in folder.poll_error
    assert all(b"\\Seen" in f for f in flags(dovecot, folder.folder))
    [again] = imap.fetch_all()
    assert again.actions == {}
    monkeypatch.undo()
    Mailbox.objects.filter(pk=folder.pk).update(last_uid=0)  # as if progress were lost
    [reread] = imap.fetch_all()
    assert reread.actions == {"duplicate": 3}
    assert InboundMail.objects.count() == 3 and Ticket.objects.count() == 2


def test_the_polling_process_outlives_a_mailbox_that_breaks(profile, dovecot, folder, tmp_path):
    """`balcao mail fetch --every 1`, a real process: a mailbox whose login cannot even be
    sent (a password that is not ASCII) is recorded and skipped, poll after poll, while the
    process keeps reading the other one."""
    from tests.mail.test_commands import BALCAO, database_url

    Mailbox.objects.create(
        name="0-senha-acentuada",
        host="127.0.0.1",
        port=dovecot,
        use_ssl=False,
        username=USER,
        password="senha-ção",
        folder=folder.folder,
    )
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject="Primeira"))
    env = {**os.environ, "DATABASE_URL": database_url(), "BALCAO_HOME": str(tmp_path)}
    fetcher = subprocess.Popen(
        [*BALCAO, "mail", "fetch", "--every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for subject in ("Primeira", "Segunda"):
            for _ in range(300):
                assert fetcher.poll() is None, fetcher.stderr.read().decode()
                if Ticket.objects.filter(subject=subject).exists():
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"{subject} never filed")
            if subject == "Primeira":
                append(dovecot, folder.folder, make_mail(sender="a@x.example", subject="Segunda"))
        assert fetcher.poll() is None
    finally:
        fetcher.terminate()
        fetcher.wait(10)
    broken = Mailbox.objects.get(name="0-senha-acentuada")
    assert broken.polled_at is None and broken.poll_error.startswith("UnicodeEncodeError")
    assert Mailbox.objects.get(pk=folder.pk).polled_at is not None


@pytest.fixture
def database_queue(settings):
    """/health's worker part answering 200, whatever the run's queue."""
    from django.core.cache import cache

    from balcao.core.health import record_beat

    settings.REDIS_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 300
    cache.clear()
    record_beat("w1")


def test_health_shows_each_mailbox_heartbeat_and_503_once_one_goes_stale(
    profile, dovecot, folder, database_queue, client
):
    from datetime import timedelta

    from django.utils import timezone

    shown = client.get("/health")
    assert shown.status_code == 503  # never polled yet
    assert shown.json()["mail_fetch"]["stale"] == [folder.name]
    imap.fetch_all()
    shown = client.get("/health")
    assert shown.status_code == 200, shown.json()
    [polled] = shown.json()["mail_fetch"]["mailboxes"]
    assert polled["name"] == folder.name and polled["last_poll_age"] < 5
    assert polled["last_error"] == "" and not polled["stale"]
    Mailbox.objects.filter(pk=folder.pk).update(
        polled_at=timezone.now() - timedelta(seconds=301),
        poll_error="ConnectionRefusedError: [Errno 111] Connection refused",
        poll_error_at=timezone.now(),
    )
    Mailbox.objects.create(name="inativa", host="x", username="x", password="x", is_active=False)
    shown = client.get("/health")
    assert shown.status_code == 503
    body = shown.json()
    assert body["mail_fetch"]["stale"] == [folder.name] and not body["worker_stale"]
    [stale] = body["mail_fetch"]["mailboxes"]
    assert stale["stale"] and stale["last_poll_age"] > 300
    assert stale["last_error"] == "ConnectionRefusedError"  # its kind; the text in the admin


def test_a_message_the_server_will_not_give_is_left_and_passed(
    profile, dovecot, folder, monkeypatch
):
    """A message whose FETCH the server always refuses: left in the folder as it is (unflagged,
    where staff find it, its UID on the mailbox's error), the others filed."""
    for subject in ("Um", "Dois", "Três"):
        append(dovecot, folder.folder, make_mail(sender="a@cliente.example", subject=subject))
    fetch = IMAPClient.fetch

    def refusing(self, messages, data, modifiers=None):
        if 2 in messages and data == ["BODY.PEEK[]"]:
            raise IMAPClientError("FETCH failed: Internal error occurred")
        return fetch(self, messages, data, modifiers)

    monkeypatch.setattr(IMAPClient, "fetch", refusing)
    [report] = imap.fetch_all()
    assert report.actions == {"created": 2, "failed": 1}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Três", "Um"]
    assert flags(dovecot, folder.folder) == [{b"\\Seen"}, set(), {b"\\Seen"}]
    folder.refresh_from_db()
    assert folder.last_uid == 3 and "UID 2" in folder.poll_error
    assert "FETCH failed: Internal error" in folder.poll_error
    assert imap.fetch_all()[0].actions == {}


def test_messages_the_server_will_not_flag_are_filed_once_and_passed(
    profile, dovecot, folder, monkeypatch
):
    """A MOVE (or STORE) the server refuses every time must not read the same messages on
    every poll: they are filed, the refusal recorded, and the folder read on from them."""

    def refused(*args):
        raise IMAPClientError("MOVE failed: [NOPERM] Permission denied")

    monkeypatch.setattr(imap, "mark_done", refused)
    append(dovecot, folder.folder, make_mail(sender="a@cliente.example"))
    [report] = imap.fetch_all()
    assert report.actions == {"created": 1} and not report.error
    folder.refresh_from_db()
    assert folder.last_uid == 1 and "NOPERM" in folder.poll_error
    assert imap.fetch_all()[0].actions == {}
    assert InboundMail.objects.count() == 1


def test_the_polling_process_comes_back_from_a_dropped_database_connection(
    profile, dovecot, folder, tmp_path
):
    """PostgreSQL drops the poller's connection (a restart, an administrator): the next
    rounds connect again instead of failing on the dead one for ever."""
    from django.db import connection

    from tests.mail.test_commands import BALCAO, database_url

    if connection.vendor != "postgresql":
        pytest.skip("drops a PostgreSQL backend")
    env = {**os.environ, "DATABASE_URL": database_url(), "BALCAO_HOME": str(tmp_path)}
    fetcher = subprocess.Popen(
        [*BALCAO, "mail", "fetch", "--every", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def polled_since(moment):
        for _ in range(300):
            assert fetcher.poll() is None, fetcher.stderr.read().decode()
            polled_at = Mailbox.objects.get(pk=folder.pk).polled_at
            if polled_at and (moment is None or polled_at > moment):
                return polled_at
            time.sleep(0.1)
        pytest.fail("no poll")

    try:
        first = polled_since(None)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
        dropped = Mailbox.objects.get(pk=folder.pk).polled_at
        polled_since(max(first, dropped))
    finally:
        fetcher.terminate()
        fetcher.wait(10)
