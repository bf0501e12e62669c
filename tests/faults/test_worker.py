"""The task worker under faults: the database going away while it sends (database queue) or
under its jobs (RQ), and kill -9 while it sends (`balcao run` starts it again). Every
acknowledgement e-mail arrives exactly once."""

import os
import re
import signal
import time

import pytest
from django_tasks_db.models import DBTaskResult

from balcao.core.models import PeriodicRun
from balcao.factories import make_company, open_ticket
from tests.faults.conftest import Mailbox, free_port, report, wait_until


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


def open_tickets(primary, first: int, count: int) -> list[tuple[str, str]]:
    """Tickets opened by ``primary``: the (address, subject) of each acknowledgement due."""
    subjects = [f"Pedido {n:03d}" for n in range(first, first + count)]
    for subject in subjects:
        open_ticket(primary, subject=subject)  # its acknowledgement is queued on commit
    return [(primary.email.lower(), subject) for subject in subjects]


def counted(mailbox: Mailbox, expected: list[tuple[str, str]]) -> list[int]:
    """How many times each acknowledgement arrived (its subject carries the ticket token)."""
    return [
        sum(
            n
            for (to, arrived), n in mailbox.subjects.items()
            if to == address and arrived.endswith(subject)
        )
        for address, subject in expected
    ]


def all_sent(mailbox, subjects):
    def done():
        pending = DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists()
        return not pending and all(counted(mailbox, subjects))

    return done


def worker_env(mailbox) -> dict:
    return {"EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}", "WORKER_STALE_SECONDS": "3"}


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_a_database_outage_mid_send(
    profile, relay, processes, mailbox, database_queue
):
    worker = processes("worker", ["worker"], DATABASE_URL=relay.url, **worker_env(mailbox))
    mailbox.hold_at = 4
    _, primary = make_company("essencial")
    subjects = open_tickets(primary, 0, 10)
    wait_until(mailbox.holding.is_set, what="the 4th e-mail at RCPT")
    relay.cut()  # the database goes away while an e-mail is on its way
    mailbox.release.set()
    wait_until(lambda: "cannot record" in worker.output, 30, "the worker to notice")
    time.sleep(2)
    assert worker.alive(), worker.output
    relay.restore()
    subjects += open_tickets(primary, 10, 3)  # and new work is taken once it is back
    wait_until(all_sent(mailbox, subjects), 60, "every acknowledgement")
    time.sleep(1)  # a late duplicate would arrive now
    arrived = counted(mailbox, subjects)
    assert worker.alive(), worker.output
    report(
        "worker/database-outage",
        lost=arrived.count(0),
        doubled=sum(1 for n in arrived if n > 1),
        tasks=len(subjects),
    )


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_worker_mid_send_balcao_run_starts_it_again(
    profile, processes, mailbox, database_queue
):
    port = free_port()
    run = processes("run", ["run", "--port", str(port)], **worker_env(mailbox))
    run.wait_port(port, 120)
    first = int(wait_until(lambda: re.search(r"worker started \(pid (\d+)\)", run.output)).group(1))
    wait_until(all_sent(mailbox, []), 60, "the demo's own e-mails")
    mailbox.hold_at = mailbox.rcpts + 4  # hold one of ours
    _, primary = make_company("essencial")
    subjects = open_tickets(primary, 0, 12)
    wait_until(mailbox.holding.is_set, what="an e-mail held at RCPT")
    os.kill(first, signal.SIGKILL)  # mid-send: the e-mail never got its DATA
    mailbox.release.set()
    wait_until(lambda: "started again" in run.output, 30, "balcao run to restart the worker")
    wait_until(all_sent(mailbox, subjects), 60, "every acknowledgement")
    time.sleep(1)
    arrived = counted(mailbox, subjects)
    report(
        "worker/kill-9",
        lost=arrived.count(0),
        doubled=sum(1 for n in arrived if n > 1),
        tasks=len(subjects),
    )
    assert "interrupted task(s) queued again" in run.output


@pytest.fixture
def rq_queue(settings):
    import django_rq
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis for RQ")
    settings.REDIS_URL = url
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    connection = django_rq.get_queue("default").connection
    forget_rq(connection)  # nothing of an earlier run: jobs, retries, registries, locks
    yield url
    forget_rq(connection)


def forget_rq(connection) -> None:
    for key in connection.scan_iter("rq:*"):
        connection.delete(key)


@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_runs_again_what_failed_on_the_database(
    profile, relay, processes, mailbox, rq_queue
):
    # DB_POOL as `balcao run` and an operator's environment may pass it: the worker must not pool.
    env = {"DATABASE_URL": relay.url, "REDIS_URL": rq_queue, "DB_POOL": "1", **worker_env(mailbox)}
    worker = processes("rq-worker", ["worker"], **env)
    wait_until(lambda: "Listening on" in worker.output, what="RQ to listen")
    # Its first maintenance round has used the database before the outage, and its jobs keep
    # their connection between them: a dead one must not fail every job after the outage.
    wait_until(PeriodicRun.objects.exists, what="the worker's first maintenance round")
    relay.cut()  # the tasks of these tickets fail on the database, in the worker
    _, primary = make_company("essencial")
    subjects = open_tickets(primary, 0, 6)
    wait_until(lambda: "OperationalError" in worker.output, 30, "the jobs to fail")
    relay.restore()
    try:
        wait_until(lambda: all(counted(mailbox, subjects)), 90, "every acknowledgement")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}; the worker said:\n{worker.output[-6000:]}") from None
    time.sleep(1)
    arrived = counted(mailbox, subjects)
    assert worker.alive(), worker.output
    report(
        "rq-worker/database-outage",
        lost=arrived.count(0),
        doubled=sum(1 for n in arrived if n > 1),
        tasks=len(subjects),
    )
