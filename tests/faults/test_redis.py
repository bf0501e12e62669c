"""Redis out of reach when an e-mail's ticket commits: the e-mail is filed all the same, its
tasks (the acknowledgement, the agents' notices, the SLA alerts) are kept in the database, the
health check says so, and once Redis is back the worker enqueues each of them exactly once."""

import json
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone
from rq.job import Job

from balcao.connectors.email.actions import RawMail, do_receive_mail
from balcao.core.enqueue import enqueue_unsent
from balcao.core.models import UnsentTask
from balcao.customers.tasks import invite_contact_task
from balcao.factories import make_company
from balcao.tickets.models import Ticket
from tests.faults.conftest import Mailbox, free_port, report, wait_until
from tests.mail.conftest import make_mail


class PrivateRedis:
    """A redis-server of this test's own on a free port, that can be stopped and started."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.popen: subprocess.Popen | None = None

    def start(self):
        self.popen = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, 10, "redis-server to answer")

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url).ping())
        except redis.ConnectionError:
            return False

    def jobs(self) -> Counter:
        """How many jobs it was given, by task and arguments (as JSON)."""
        connection = redis.Redis.from_url(self.url)
        ids = [key.decode()[7:] for key in connection.scan_iter("rq:job:*") if key.count(b":") == 2]
        jobs = Job.fetch_many(ids, connection=connection)
        return Counter(
            (job.func_name, json.dumps(list(job.args))) for job in jobs if job is not None
        )

    def stop(self):
        if self.popen is not None:
            self.popen.terminate()
            self.popen.wait(10)
            self.popen = None


@pytest.fixture
def private_redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    settings.REDIS_URL = server.url
    settings.RQ_QUEUES = {"default": {"URL": server.url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield server
    server.stop()


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


@pytest.mark.django_db(transaction=True)
def test_tasks_of_a_commit_made_while_redis_is_down_are_enqueued_once_it_is_back(
    profile, private_redis, processes, mailbox
):
    _, primary = make_company("essencial")
    raw = make_mail(sender=primary.email, subject="Pedido sem Redis")
    result = do_receive_mail(RawMail(raw, recipient="suporte@balcao.localhost"))  # no Redis
    ticket = Ticket.objects.get(subject="Pedido sem Redis")
    assert (result.ticket, result.action) == (ticket.number, "created")
    # by task and arguments (as JSON: the SLA alerts' are lists)
    kept = Counter((row.task_path, json.dumps(row.args)) for row in UnsentTask.objects.all())
    paths = {path for path, _args in kept}
    assert {"balcao.tickets.tasks.deliver_answer_task", "balcao.sla.tasks.sla_alerts_task"} <= paths
    assert Client().get("/health").status_code == 503  # Redis unavailable

    private_redis.start()
    health = Client().get("/health")
    assert (health.status_code, health.json()["unsent_tasks"]) == (503, kept.total())
    env = {"REDIS_URL": private_redis.url, "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}"}
    worker = processes("rq-worker", ["worker"], **env)
    wait_until(lambda: not UnsentTask.objects.exists(), 60, "the worker's maintenance round")
    try:
        answered = primary.email.lower()
        wait_until(lambda: any(to == answered for to, _s in mailbox.subjects), 60, "the answer")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}; the worker said:\n{worker.output[-6000:]}") from None
    time.sleep(1)  # a late duplicate would arrive now
    assert enqueue_unsent() == 0  # another round: nothing more
    queued = private_redis.jobs()
    report(
        "redis/down-at-commit",
        lost=sum(1 for call in kept if queued[call] == 0),
        doubled=sum(1 for call in kept if queued[call] > 1)
        + sum(1 for n in mailbox.subjects.values() if n > 1),
        tasks=kept.total(),
        mails=len(mailbox.subjects),
    )


def registered_workers(server: PrivateRedis) -> int:
    from rq import Worker

    return len(Worker.all(connection=redis.Redis.from_url(server.url)))


@pytest.mark.django_db(transaction=True)
def test_tasks_kept_while_redis_restarts_go_out_promptly_once_with_two_workers(
    profile, private_redis, processes, mailbox
):
    """Two workers already running when Redis goes away and comes back (empty, as a restart
    without persistence leaves it): the tasks kept meanwhile are enqueued within seconds, not
    at the workers' next maintenance round (every 10 minutes), by one of them only; /health
    sees the workers again, and a scheduled task runs (RQ's scheduler process died with the
    connection)."""
    private_redis.start()
    env = {
        "REDIS_URL": private_redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "WORKER_STALE_SECONDS": "20",
    }
    workers = [processes(f"rq-worker-{n}", ["worker"], **env) for n in (1, 2)]
    wait_until(lambda: registered_workers(private_redis) == 2, 60, "two workers")
    wait_until(lambda: Client().get("/health").status_code == 200, 30, "a healthy /health")

    private_redis.stop()
    _, primary = make_company("essencial")
    raw = make_mail(sender=primary.email, subject="Pedido durante a queda")
    do_receive_mail(RawMail(raw, recipient="suporte@balcao.localhost"))  # Redis out of reach
    kept = Counter((row.task_path, json.dumps(row.args)) for row in UnsentTask.objects.all())
    assert kept
    time.sleep(3)  # the workers notice the outage

    private_redis.start()
    back = time.monotonic()
    try:
        wait_until(lambda: not UnsentTask.objects.exists(), 30, "the kept tasks enqueued")
        answered = primary.email.lower()
        wait_until(lambda: any(to == answered for to, _s in mailbox.subjects), 30, "the answer")
        wait_until(lambda: Client().get("/health").status_code == 200, 30, "/health healthy")
        soon = invite_contact_task.using(run_after=timezone.now() + timedelta(seconds=1))
        job_id = soon.enqueue(0).id  # no such contact: the task does nothing, and finishes
        connection = redis.Redis.from_url(private_redis.url)
        finished = lambda: Job.fetch(job_id, connection=connection).get_status() == "finished"  # noqa: E731
        wait_until(finished, 30, "a scheduled task to run")
    except AssertionError as timeout:
        said = "\n".join(worker.output[-4000:] for worker in workers)
        raise AssertionError(f"{timeout}; the workers said:\n{said}") from None
    enqueued_after = time.monotonic() - back
    time.sleep(1)  # a late duplicate would arrive now
    queued = private_redis.jobs()
    report(
        "redis/restart-with-two-workers",
        lost=sum(1 for call in kept if queued[call] == 0),
        doubled=sum(1 for call in kept if queued[call] > 1)
        + sum(1 for n in mailbox.subjects.values() if n > 1),
        tasks=kept.total(),
        seconds=round(enqueued_after, 1),
    )
