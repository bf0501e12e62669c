"""The retention policy: raw e-mails and attachments' files of tickets closed longer ago than
the settings keep them are purged by a daily task (dry run: only reported); the tickets, their
messages and statistics stay, and staff see that the original was purged by the policy."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from balcao.accounts.models import Department
from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.connectors.email.models import InboundMail
from balcao.connectors.whatsapp.actions import do_receive_webhook, do_register_number
from balcao.connectors.whatsapp.models import BusinessNumber, Webhook, WhatsAppMessage
from balcao.connectors.whatsapp.tests.conftest import SUPPORT_ID, notification, text_message
from balcao.core.models import PeriodicRun
from balcao.core.periodic import enqueue_due
from balcao.core.worker import ResilientWorker
from balcao.factories import StaffFactory, make_authorized, make_company
from balcao.privacy.models import RetentionRun
from balcao.privacy.selectors import retention_policy
from balcao.privacy.tasks import apply_retention_task
from balcao.tickets.actions import do_close_ticket
from balcao.tickets.models import Attachment, Ticket
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db

OLD_FILE, NEW_FILE, SHARED = b"arquivo-antigo", b"arquivo-recente", b"mesmo-conteudo"


def _mail(primary, subject, files, closed_years_ago=None):
    raw = make_mail(sender=primary.email, subject=subject, attachments=files)
    ticket = Ticket.objects.get(number=do_receive_mail(RawMail(raw)).ticket)
    if closed_years_ago is not None:
        _close_ago(ticket, closed_years_ago)
    return ticket


@pytest.fixture
def tickets(profile, media, settings):
    settings.RETENTION_RAW_EMAIL_YEARS = "2"
    settings.RETENTION_ATTACHMENT_YEARS = "2"
    _company, primary = make_company("team")
    old = _mail(
        primary,
        "Antigo",
        [("a.txt", "text/plain", OLD_FILE), ("s.txt", "text/plain", SHARED)],
        closed_years_ago=3,
    )
    recent = _mail(
        primary,
        "Recente",
        [("b.txt", "text/plain", NEW_FILE), ("s.txt", "text/plain", SHARED)],
        closed_years_ago=1,
    )
    still_open = _mail(primary, "Aberto", [("c.txt", "text/plain", b"aberto")])
    Ticket.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=2000))
    return old, recent, still_open


def _stored(media) -> set[bytes]:
    return {p.read_bytes() for p in media.rglob("*") if p.is_file()}


def test_the_dry_run_says_what_would_be_purged_and_purges_nothing(tickets, media, capsys):
    old, _recent, _open = tickets
    call_command("lgpd", "retention", "--dry-run")
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True
    assert report["policy"] == {"raw_email_years": 2, "attachment_years": 2}
    assert report["raw_emails"]["count"] == 1 and report["raw_emails"]["tickets"] == [old.number]
    assert report["raw_emails"]["bytes"] > 0
    assert report["whatsapp_webhooks"] == {"count": 0, "bytes": 0, "tickets": []}
    assert report["attachments"] == {
        "count": 2,
        "bytes": len(OLD_FILE) + len(SHARED),
        "tickets": [old.number],
    }
    assert not InboundMail.objects.filter(raw="").exists() and OLD_FILE in _stored(media)
    assert not RetentionRun.objects.exists()


def test_purging_keeps_tickets_and_statistics_and_a_second_run_purges_nothing(
    tickets, media, capsys, django_capture_on_commit_callbacks
):
    old, recent, still_open = tickets
    messages_before = old.messages.count()
    original = InboundMail.objects.get(ticket=old).raw.name
    with django_capture_on_commit_callbacks(execute=True):  # files go once the purge commits
        call_command("lgpd", "retention")
    out = json.loads(capsys.readouterr().out)
    assert out["purged"] == {
        "raw_emails": 1,
        "whatsapp_webhooks": 0,
        "attachments": 2,
        "files": 1,
    }
    mail = InboundMail.objects.get(ticket=old)
    assert not mail.raw and mail.purged_at is not None and mail.subject == "Antigo"
    assert not (media / original).exists()  # the stored original itself is gone
    assert InboundMail.objects.filter(purged_at=None).count() == 2
    stored = _stored(media)
    # The shared file is still used by the recent ticket: only the old one's own file goes.
    assert OLD_FILE not in stored and SHARED in stored and NEW_FILE in stored
    old.refresh_from_db()
    assert old.status == "closed" and old.messages.count() == messages_before
    assert Attachment.objects.filter(message__ticket=old).count() == 2  # rows stay, for the list
    assert not Attachment.objects.filter(
        message__ticket__in=[recent, still_open], purged_at__isnull=False
    ).exists()
    run = RetentionRun.objects.get()
    assert run.counts == out["purged"] and run.actor is None
    call_command("lgpd", "retention")
    assert json.loads(capsys.readouterr().out)["purged"] == {}
    assert RetentionRun.objects.count() == 1


def test_staff_see_that_the_original_and_the_files_were_purged_by_the_policy(
    client, tickets, media
):
    old = tickets[0]
    call_command("lgpd", "retention")
    agent = StaffFactory(departments=["suporte"])
    client.force_login(agent)
    message = old.messages.get()
    page = client.get(reverse("mail:original", args=[message.pk]))
    assert (
        "expurgado pela política de retenção" in page.text and "Baixar o original" not in page.text
    )
    assert client.get(reverse("mail:download", args=[message.pk])).status_code == 404
    ticket_page = client.get(reverse("console:ticket", args=[old.number]))
    assert ticket_page.text.count("apagado pela política de retenção") == 2
    purged = Attachment.objects.filter(message=message).first()
    assert client.get(reverse("console:attachment", args=[purged.pk])).status_code == 404


@pytest.mark.parametrize("value", ["dois", "-1", "1000", "1.5"])
def test_a_setting_that_cannot_be_read_purges_nothing_and_says_so(tickets, settings, value):
    settings.RETENTION_RAW_EMAIL_YEARS = value
    settings.RETENTION_ATTACHMENT_YEARS = ""
    policy = retention_policy()
    assert not policy.active and "RETENTION_RAW_EMAIL_YEARS" in policy.problems[0]
    call_command("lgpd", "retention")
    assert not InboundMail.objects.filter(purged_at__isnull=False).exists()
    from django.core.checks import run_checks

    assert "privacy.W001" in [m.id for m in run_checks()]


def test_the_task_applies_the_policy(tickets, media):
    apply_retention_task.call()
    assert RetentionRun.objects.get().counts["raw_emails"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_enqueues_the_retention_daily_once_whoever_looks(settings, profile):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 60
    name = apply_retention_task.module_path
    worker = ResilientWorker(interval=0, say=print)
    batch = worker.run

    def one_batch():
        batch()
        worker.running = False

    worker.run = one_batch
    worker.run_forever()  # looks for periodic tasks, then runs the queue once
    assert DBTaskResult.objects.get(task_path=name).status == "SUCCESSFUL"
    assert enqueue_due() == []  # another worker looking at once: nothing more
    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    assert PeriodicRun.objects.get(name=name).next_at < tomorrow
    assert name in enqueue_due(tomorrow)
    assert DBTaskResult.objects.filter(task_path=name).count() == 2


@pytest.mark.django_db
def test_rq_s_worker_enqueues_the_retention_in_its_maintenance_round(tasks):
    import os

    import redis
    from rq import Queue

    from balcao.core.worker import DatabaseRetryingRQWorker

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis for an RQ worker")
    queue = Queue("lgpd-maintenance-test", connection=connection)
    worker = DatabaseRetryingRQWorker([queue], connection=connection)
    worker.run_maintenance_tasks()
    assert apply_retention_task.module_path in [r.task.module_path for r in tasks.results]
    assert PeriodicRun.objects.filter(name=apply_retention_task.module_path).exists()
    # and between jobs, each minute, not only in the maintenance round (every 10 minutes)
    PeriodicRun.objects.update(next_at=timezone.now())
    tasks.clear()
    worker.register_birth()
    try:
        worker.look_around()
        assert apply_retention_task.module_path in [r.task.module_path for r in tasks.results]
        tasks.clear()
        worker.looked_at = float("-inf")  # a quick look again, within the minute: not due
        PeriodicRun.objects.update(next_at=timezone.now())
        worker.look_around()
        assert tasks.results == []
    finally:
        worker.register_death()


def _whatsapp_ticket(company, primary, number: str, text: str, closed_years_ago=None):
    user = make_authorized(company, primary)
    do_register_number(user.contact, actor=primary, number=number)
    do_receive_webhook(json.dumps(notification(messages=[text_message(number, text)])).encode())
    message = WhatsAppMessage.objects.get(wa_id=number)
    if closed_years_ago is not None:
        _close_ago(message.ticket, closed_years_ago)
    return message.ticket, Webhook.objects.get(pk=message.webhook_id)


def _close_ago(ticket, years):
    do_close_ticket(ticket, actor=StaffFactory())
    closed = timezone.now() - timedelta(days=365 * years + 2)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=closed)


def test_whatsapp_payloads_of_old_closed_tickets_are_purged_like_raw_emails(tickets, capsys):
    company, primary = make_company("team")
    BusinessNumber.objects.create(
        phone_number_id=SUPPORT_ID,
        display_number="+55 11 4000-0002",
        channel="whatsapp_support",
        department=Department.objects.get(slug="suporte"),
    )
    old, old_hook = _whatsapp_ticket(company, primary, "5511900000001", "Antigo", 3)
    _recent, recent_hook = _whatsapp_ticket(company, primary, "5511900000002", "Recente", 1)
    _open, open_hook = _whatsapp_ticket(company, primary, "5511900000003", "Aberto")
    call_command("lgpd", "retention", "--dry-run")
    report = json.loads(capsys.readouterr().out)["whatsapp_webhooks"]
    assert report == {"count": 1, "bytes": len(old_hook.raw), "tickets": [old.number]}
    call_command("lgpd", "retention")
    assert json.loads(capsys.readouterr().out)["purged"]["whatsapp_webhooks"] == 1
    old_hook.refresh_from_db()
    assert bytes(old_hook.raw) == b"" and old_hook.purged_at is not None
    assert WhatsAppMessage.objects.get(ticket=old).text == "Antigo"  # the history stays
    for kept in (recent_hook, open_hook):
        kept.refresh_from_db()
        assert b"5511900000" in bytes(kept.raw) and kept.purged_at is None
    call_command("lgpd", "retention")
    assert json.loads(capsys.readouterr().out)["purged"] == {}
