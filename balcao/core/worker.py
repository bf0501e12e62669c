"""The database-queue worker that outlives its database.

django-tasks-db's worker, run in batches inside a loop that records a heartbeat, waits out a
database outage with backoff instead of exiting, and takes back the tasks left claimed by a
worker that died (its heartbeat went stale) or by itself (the database dropped mid-task), so
that a task is run again rather than lost. Tasks are safe to retry (DESIGN.md, rule 2).
"""

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from redis.exceptions import RedisError
from rq import SimpleWorker, worker_registration

from balcao.core.enqueue import enqueue_unsent
from balcao.core.health import DATABASE_ERRORS, record_beat
from balcao.core.models import UnsentTask, WorkerBeat
from balcao.core.periodic import enqueue_due

DATABASE_ERROR_PATHS = {f"{error.__module__}.{error.__qualname__}" for error in DATABASE_ERRORS}
MAX_ATTEMPTS = 10  # a task that keeps dying with its worker is left for staff to look at
LONGEST_BACKOFF = 30  # seconds between attempts to reach the database
PERIODIC_LOOK = 60  # seconds between looks for a periodic task that is due (core/periodic.py)
QUICK_LOOK = 5  # seconds between an RQ worker's looks at what Redis going away left behind


def _run_again(result: DBTaskResult, later: bool = False) -> bool:
    """Back to the queue (``later``: after a pause growing with the attempts), unless someone
    else moved it since it was read."""
    attempts = len(result.worker_ids)
    if attempts >= MAX_ATTEMPTS:
        return False
    pause = timedelta(seconds=min(2**attempts, 300) if later else 0)
    return bool(
        DBTaskResult.objects.filter(
            pk=result.pk, status=result.status, started_at=result.started_at
        ).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now() + pause,
            finished_at=None,
            exception_class_path="",
            traceback="",
        )
    )


class ResilientWorker(Worker):
    def __init__(self, *, interval: float, say: Callable[[str], None]):
        super().__init__(
            queue_names=["default"],
            interval=interval,
            batch=True,  # run() returns once the queue is empty: the loop below goes on
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.say = say
        self.beaten_at = self.swept_at = self.scheduled_at = float("-inf")

    def beat(self) -> None:
        if time.monotonic() - self.beaten_at >= settings.WORKER_STALE_SECONDS / 6:
            record_beat(self.worker_id)
            self.beaten_at = time.monotonic()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # What the task did (an e-mail sent) is recorded even if the database went away
        # meanwhile: run again, it would be done twice.
        for outcome in ("set_successful", "set_failed"):
            record = getattr(db_task_result, outcome)
            setattr(db_task_result, outcome, self._until_recorded(record))
        super().run_task(db_task_result)
        failed_on_database = (
            db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path in DATABASE_ERROR_PATHS
        )
        if failed_on_database:
            _run_again(db_task_result, later=True)
        self.beat()

    def _until_recorded(self, record: Callable) -> Callable:
        def recorded(*args):
            backoff = 1
            while True:
                try:
                    return record(*args)
                except DATABASE_ERRORS as error:
                    if not self.running:  # stopping: the task is taken back when it restarts
                        raise
                    self.say(f"worker: cannot record a task's outcome, retrying: {error}")
                    _close_connections()
                    time.sleep(backoff)
                    backoff = min(backoff * 2, LONGEST_BACKOFF)

        return recorded

    def take_back(self) -> int:
        """Run again the tasks claimed by a worker that stopped beating, or by this one."""
        stale = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        alive = set(WorkerBeat.objects.filter(beat_at__gte=stale).values_list("pk", flat=True))
        alive.discard(self.worker_id)  # between batches this worker is running nothing
        taken = sum(
            _run_again(result)
            for result in DBTaskResult.objects.running().only("pk", "started_at", "worker_ids")
            if result.worker_ids and result.worker_ids[-1] not in alive
        )
        WorkerBeat.objects.filter(beat_at__lt=stale - timedelta(days=1)).delete()
        self.swept_at = time.monotonic()
        return taken

    def run_forever(self) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)  # not one line a batch
        self.configure_signals()
        backoff, down = 1, False
        while self.running:
            try:
                sweep = time.monotonic() - self.swept_at >= settings.WORKER_STALE_SECONDS / 2
                if (down or sweep) and (taken := self.take_back()):
                    self.say(f"worker: {taken} interrupted task(s) queued again")
                self.beat()
                if time.monotonic() - self.scheduled_at >= PERIODIC_LOOK:
                    enqueue_due()
                    self.scheduled_at = time.monotonic()
                self.run()
            except DATABASE_ERRORS as error:
                if not down:
                    self.say(f"worker: database unavailable, retrying with backoff: {error}")
                down = True
                _close_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, LONGEST_BACKOFF)
                continue
            if down:
                self.say("worker: database reachable again, resuming")
                backoff, down = 1, False
            time.sleep(self.interval)


def _close_connections() -> None:
    # A connection to a database that went away may fail to close: it is gone anyway.
    with contextlib.suppress(*DATABASE_ERRORS):
        connections.close_all()


def _close_idle_connections(*, only_if_done: bool = False) -> None:
    """Close this process's connections — ``only_if_done``: those Django would close as a
    request ends (``close_old_connections``: after an error or past CONN_MAX_AGE, the others
    checked before their next use) — but not one inside a transaction: that is a test's, which
    wraps everything in one."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            with contextlib.suppress(*DATABASE_ERRORS):
                if only_if_done:
                    connection.close_if_unusable_or_obsolete()
                else:
                    connection.close()


class DatabaseRetryingRQWorker(SimpleWorker):
    """RQ's worker (with REDIS_URL): a job that failed because the database was out of reach
    is scheduled again (after 2, 4, … up to 60 s; at most MAX_ATTEMPTS times) instead of
    failing. RQ itself needs no database, so the worker process lives through the outage.

    Jobs run in the worker's own process, as the database queue's worker runs them, not each in
    a child forked for it (RQ's default): forking a process of Django's size, the child's new
    connections and its exit cost ~100 ms of CPU per job where the job itself takes ~20 (a
    client-area ticket's three jobs: 305 → 67 ms of worker CPU, bench/README.md). Between jobs
    the database connection is closed when Django would close a request's (errors,
    CONN_MAX_AGE), so that a database that went away costs one job a retry, not every job.

    Redis going away is noticed and recovered from within seconds rather than at RQ's
    maintenance round (every 10 minutes): the wait for a job is cut into QUICK_LOOK-second
    waits, with a look between them (``look_around``), and a lost connection is tried again
    every QUICK_LOOK seconds at most (RQ's backoff grows to a minute)."""

    max_connection_wait_time = float(QUICK_LOOK)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.looked_at = float("-inf")
        self.look_failed = False
        self.scheduled_at = float("-inf")

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        if timeout is None:  # burst: RQ does not wait at all
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while True:
            self.look_around()
            # returns None when QUICK_LOOK seconds passed without a job (RQ's max_idle_time)
            if job := super().dequeue_job_and_maintain_ttl(QUICK_LOOK, QUICK_LOOK):
                return job

    def look_around(self) -> None:
        """At most every QUICK_LOOK seconds, between jobs: start the scheduler again if Redis
        going away killed it (RQ's scheduler process exits on a connection error; scheduled
        tasks, the SLA alerts, would wait for the maintenance round), register this worker
        again if Redis lost it (restarted empty: /health would never see it), enqueue the
        tasks kept while Redis was out of reach (one EXISTS on an empty table otherwise), and
        every PERIODIC_LOOK seconds the periodic tasks that are due, as the database queue's
        worker does (RQ's maintenance round alone comes every 10 minutes; the tickets' counts
        are folded each minute)."""
        if time.monotonic() - self.looked_at < QUICK_LOOK:
            return
        self.looked_at = time.monotonic()
        try:
            scheduler = self.scheduler
            if scheduler and not (scheduler._process and scheduler._process.is_alive()):
                _close_idle_connections()  # the scheduler is a forked process: not ours to share
                scheduler.acquire_locks(auto_start=True)  # if no other worker's runs
            if not self.connection.sismember(self.redis_workers_keys, self.key):
                self.log.info("Worker %s: registered again (Redis had lost it)", self.name)
                with self.connection.pipeline() as pipeline:
                    pipeline.hset(self.key, mapping=self.serialize())
                    worker_registration.register(self, pipeline)
                    pipeline.expire(self.key, self.worker_ttl + 60)
                    pipeline.execute()
            if UnsentTask.objects.exists() and (kept := enqueue_unsent()):
                self.log.info("%d task(s) kept while Redis was out of reach enqueued", kept)
            if time.monotonic() - self.scheduled_at >= PERIODIC_LOOK:
                enqueue_due()
                self.scheduled_at = time.monotonic()
            self.look_failed = False
        except (*DATABASE_ERRORS, RedisError) as error:  # the next look tries again
            if not self.look_failed:
                self.log.warning("cannot look at what Redis going away left: %s", error)
            self.look_failed = True
            _close_idle_connections()

    def run_maintenance_tasks(self):
        _close_idle_connections()  # RQ may fork its scheduler again here
        super().run_maintenance_tasks()  # every 10 minutes
        try:
            enqueue_due()
        except (*DATABASE_ERRORS, RedisError) as error:  # the next round looks again
            self.log.warning("cannot enqueue the periodic tasks: %s", error)
        finally:
            _close_idle_connections()

    def execute_job(self, job, queue):
        _close_idle_connections(only_if_done=True)
        try:
            super().execute_job(job, queue)
        finally:
            _close_idle_connections(only_if_done=True)

    def prepare_job_execution(self, job, remove_from_intermediate_queue=False):
        # A job the worker dies under (kill -9, out of memory) is found abandoned once its
        # heartbeat lapses (RQ's cleanup of started jobs) and runs once more: the tasks are
        # written to be run again after an interruption, as the database queue does. Not twice
        # more: a job that kills its worker each time ends failed.
        if job.retries_left is None:
            job.retries_left = 1
            self.connection.hset(job.key, "retries_left", 1)
        super().prepare_job_execution(job, remove_from_intermediate_queue)

    def handle_exception(self, job, *exc_info):
        attempts = job.meta.get("database_attempts", 0)
        if isinstance(exc_info[1], DATABASE_ERRORS) and attempts < MAX_ATTEMPTS:
            job.meta["database_attempts"] = attempts + 1
            job.save_meta()
            job.retries_left = 1
            job.retry_intervals = [min(2 ** (attempts + 1), 60)]
        else:  # the run kept for a worker's death is not one for the job's own errors
            job.retries_left = 0
        super().handle_exception(job, *exc_info)
