"""Messages that arrive together (an IMAP batch, concurrent LMTP sessions) are filed together:
their bytes synced at once, one transaction, one commit, their tasks in one INSERT — each
filed exactly as alone, and one bad message never taking the others down (issue 17)."""

import asyncio
import hashlib
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from balcao.connectors.email import actions, lmtp, store
from balcao.connectors.email.actions import RawMail, do_receive_mails
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.store import name_for
from balcao.tickets.models import Message, Ticket
from tests.mail.conftest import make_mail, receive, stored_bytes

pytestmark = pytest.mark.django_db


def four(primary, tag: str) -> list[bytes]:
    return [
        make_mail(sender=primary.email, subject="Boleto", Message_ID=f"<{tag}@cliente.example>"),
        # answers the first: filed in the same transaction, it joins that ticket
        make_mail(
            sender=primary.email, subject="RE: Boleto", In_Reply_To=f"<{tag}@cliente.example>"
        ),
        make_mail(sender=f"{tag}@gmail.com", subject="Frete", to="financeiro@balcao.localhost"),
        make_mail(sender=primary.email, subject="Nota fiscal"),
    ]


def test_several_messages_are_filed_in_one_transaction(
    loja, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _company, primary = loja
    # what a process reads once (departments, calendar, SLA policies) is read before: both
    # sides are measured warm, whatever earlier tests left in this process's caches
    receive(make_mail(sender=primary.email, subject="Primeira", Message_ID="<warm@cliente>"))
    with (
        django_assert_max_num_queries(100) as alone,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for raw in four(primary, "alone"):
            receive(raw)
    raws = four(primary, "together")
    with (
        django_assert_max_num_queries(100) as together,
        django_capture_on_commit_callbacks(execute=True),
    ):
        results = do_receive_mails([RawMail(raw) for raw in raws])
    # one transaction for the four (a savepoint here, BEGIN/COMMIT in production), not four:
    # three savepoints and their releases fewer. (Their tasks go in one INSERT in production,
    # core/tests/test_enqueue.py; here the on-commit work runs after the batch has closed.)
    assert sum(q["sql"].startswith("SAVEPOINT") for q in together) == 1
    assert sum(q["sql"].startswith("SAVEPOINT") for q in alone) == 4
    assert len(together) <= len(alone) - 6
    assert [r.action for r in results] == ["created", "joined", "created", "created"]
    assert results[0].ticket == results[1].ticket
    assert [r.department for r in results] == ["suporte", "suporte", "financeiro", "suporte"]
    assert Message.objects.filter(ticket__number=results[0].ticket).count() == 2
    mails = InboundMail.objects.filter(sha256__in=[hashlib.sha256(r).hexdigest() for r in raws])
    assert [m.state for m in mails.order_by("pk")] == ["processed"] * 4
    assert [stored_bytes(m) for m in mails.order_by("pk")] == raws
    answers = DBTaskResult.objects.filter(task_path__endswith="deliver_answer_task")
    assert answers.count() == 6  # acknowledgement, unlinked, acknowledgement: twice


def test_a_bad_message_does_not_take_the_others_down(loja, monkeypatch):
    _company, primary = loja
    real = actions._inbound

    def broken(mail, parsed, *args):
        if parsed.subject == "Quebrada":
            raise ValueError("bug")
        return real(mail, parsed, *args)

    monkeypatch.setattr(actions, "_inbound", broken)
    raws = [
        make_mail(sender=primary.email, subject="Boleto"),
        make_mail(sender=primary.email, subject="Quebrada"),
        make_mail(sender=primary.email, subject="Frete"),
    ]
    results = do_receive_mails([RawMail(raw) for raw in raws])
    assert [r.action for r in results] == ["created", "created", "created"]
    subjects = dict(Ticket.objects.values_list("number", "subject"))
    assert subjects[results[0].ticket] == "Boleto" and subjects[results[2].ticket] == "Frete"
    assert results[0].linked and not results[1].linked  # shown to staff, unlinked
    failed = InboundMail.objects.get(state="failed")
    assert "ValueError: bug" in failed.error and failed.ticket.number == results[1].ticket
    assert stored_bytes(failed) == raws[1]
    assert InboundMail.objects.filter(state="processed").count() == 2


def test_a_duplicate_among_them_is_answered_as_one_and_the_others_filed(loja):
    _company, primary = loja
    again = make_mail(sender=primary.email, subject="Boleto")
    earlier = receive(again)
    raws = [make_mail(sender=primary.email, subject="Frete"), again, again]
    results = do_receive_mails([RawMail(raw) for raw in raws])
    assert [r.action for r in results] == ["created", "duplicate", "duplicate"]
    assert results[1].ticket == results[2].ticket == earlier.ticket
    assert Ticket.objects.count() == 2 and InboundMail.objects.count() == 2


def test_a_database_outage_stores_none_and_keeps_every_file(loja, monkeypatch):
    _company, primary = loja

    def outage(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    raws = [make_mail(sender=primary.email, subject=s) for s in ["Boleto", "Frete"]]
    monkeypatch.setattr(actions, "file_inbound", outage)
    with pytest.raises(OperationalError):
        do_receive_mails([RawMail(raw) for raw in raws])
    assert not InboundMail.objects.exists() and not Ticket.objects.exists()
    for raw in raws:  # on disk for the retry, which files them
        kept = Path(default_storage.path(name_for(hashlib.sha256(raw).hexdigest())))
        assert kept.read_bytes() == raw
    monkeypatch.undo()
    assert [r.action for r in do_receive_mails([RawMail(raw) for raw in raws])] == [
        "created",
        "created",
    ]


def test_the_bytes_are_synced_before_anything_is_filed(loja, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def fsync(handle):
        synced.append(os.readlink(f"/proc/self/fd/{handle}"))
        real(handle)

    def filed(*args, **kwargs):
        raise OperationalError("stop here: what is on disk by now?")

    monkeypatch.setattr(store.os, "fsync", fsync)
    monkeypatch.setattr(actions, "file_inbound", filed)
    raws = [make_mail(sender=loja[1].email, subject=s) for s in ["Boleto", "Frete"]]
    with pytest.raises(OperationalError):
        do_receive_mails([RawMail(raw) for raw in raws])
    finals = [Path(default_storage.path(name_for(hashlib.sha256(r).hexdigest()))) for r in raws]
    # each file while still spooled, then the folder of each name it was moved to
    assert sum(".spool-" in path for path in synced) == 2
    assert {str(final.parent) for final in finals} <= set(synced)
    assert all(final.read_bytes() == raw for final, raw in zip(finals, raws, strict=True))


def test_groups_are_synced_by_threads_kept_for_the_process(settings, tmp_path, monkeypatch):
    """Threads started once for the process, not for each group; the bytes are all kept."""
    settings.MEDIA_ROOT = tmp_path
    started: list[threading.Thread] = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self) or start(self))
    store._new_syncer()  # a pool with no thread yet
    for group in range(5):
        raws = [b"group %d, message %d" % (group, n) for n in range(20)]
        kept = store.keep_all(raws)
        assert [Path(default_storage.path(name)).read_bytes() for _, name in kept] == raws
    assert 0 < len(started) <= store.SYNC_THREADS


def test_a_forked_child_syncs_with_threads_of_its_own(settings, tmp_path):
    """A process forked after its parent synced a group (the parent's pool threads are not in
    the child) still keeps a group, instead of waiting forever on threads it does not have."""
    settings.MEDIA_ROOT = tmp_path
    store.keep_all([b"parent %d" % n for n in range(4)])
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its group was kept
        code = 1
        try:
            kept = store.keep_all([b"child %d" % n for n in range(4)])
            code = 0 if len(kept) == 4 else 1
        finally:
            os._exit(code)
    waited = 0.0
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and waited < 20:
        time.sleep(0.1)
        waited += 0.1
    if done[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert done[0] == pid, "the child hung on its parent's threads"
    assert os.waitstatus_to_exitcode(done[1]) == 0


def test_the_lmtp_server_files_concurrent_deliveries_together(monkeypatch):
    groups: list[list[str]] = []

    def receive_all(raws):
        groups.append([raw.recipient for raw in raws])
        return [f"250 {raw.recipient}" for raw in raws]

    monkeypatch.setattr(lmtp, "_receive", receive_all)
    filer = lmtp.Filer()

    async def deliver():
        return await asyncio.gather(
            *(filer.file(RawMail(b"x", f"{n}@balcao.localhost")) for n in range(30))
        )

    replies = asyncio.run(deliver())
    assert replies == [f"250 {n}@balcao.localhost" for n in range(30)]
    # all those waiting when a group starts, AT_ONCE at most; nothing waits for one to fill
    assert [len(g) for g in groups] == [lmtp.AT_ONCE, 30 - lmtp.AT_ONCE]
