"""Is mail going out? The task worker's heartbeat, the age of the oldest queued task (on RQ,
or scheduled task past its time) and the tasks kept while the queue was out of reach
(``core/enqueue.py``), read by `/health` and the console. Other background processes report
their own heartbeat to `/health` through a check they register (``register_check``: the core
imports no connector)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Case, Count, F, Max, Min, When
from django.http import JsonResponse
from django.utils import timezone
from redis.exceptions import RedisError

from balcao.core.middleware import anonymous_view
from balcao.core.models import UnsentTask, WorkerBeat

DATABASE_ERRORS = (OperationalError, InterfaceError)


def record_beat(worker_id: str) -> None:
    """One UPDATE on the worker's own row (an INSERT the first time)."""
    if not WorkerBeat.objects.filter(pk=worker_id).update(beat_at=timezone.now()):
        WorkerBeat.objects.create(worker_id=worker_id, beat_at=timezone.now())


@dataclass(frozen=True)
class WorkerStatus:
    heartbeat_age: float | None  # seconds since the latest beat of any worker; None: never
    oldest_task_age: float | None  # seconds the oldest task ready to run, or kept, has waited
    stale_after: int
    unsent_tasks: int = 0  # kept while the queue was out of reach, not enqueued yet

    @property
    def worker_stale(self) -> bool:
        return self.heartbeat_age is None or self.heartbeat_age > self.stale_after

    @property
    def queue_late(self) -> bool:
        return self.oldest_task_age is not None and self.oldest_task_age > self.stale_after

    @property
    def mail_stuck(self) -> bool:
        return self.worker_stale or self.queue_late

    def as_json(self) -> dict:
        return {
            "worker_heartbeat_age": self.heartbeat_age,
            "oldest_queued_task_age": self.oldest_task_age,
            "stale_after": self.stale_after,
            "worker_stale": self.worker_stale,
            "queue_late": self.queue_late,
            "unsent_tasks": self.unsent_tasks,
        }


@dataclass(frozen=True)
class Check:
    """A registered check's answer: shown in `/health` under its name; 503 when failing."""

    shown: dict
    failing: bool


CHECKS: dict[str, Callable[[], Check]] = {}


def register_check(name: str, check: Callable[[], Check]) -> None:
    """Called once per process by an app's ``ready`` (``mail_fetch``: the IMAP pollers)."""
    CHECKS[name] = check


def _age(moment: datetime | None) -> float | None:
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


def _database_queue() -> tuple[datetime | None, datetime | None]:
    from django_tasks_db.models import DBTaskResult, get_date_max

    last_beat = WorkerBeat.objects.aggregate(last=Max("beat_at"))["last"]
    # A task waits from when it could first run: enqueued, or its run_after if later.
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(waiting_since))["oldest"]
    return last_beat, oldest


def _redis_queue() -> tuple[datetime | None, datetime | None]:
    import django_rq
    from rq import Worker
    from rq.job import Job

    queue = django_rq.get_queue("default")
    beats = [w.last_heartbeat for w in Worker.all(queue=queue) if w.last_heartbeat]
    first = queue.get_job_ids(0, 1)
    job = Job.fetch(first[0], connection=queue.connection) if first else None
    # A task with run_after waits in the scheduled registry (scored by its time) until RQ's
    # scheduler process moves it to the queue: one past its time waits from that time.
    due = queue.connection.zrange(queue.scheduled_job_registry.key, 0, 0, withscores=True)
    overdue = datetime.fromtimestamp(float(due[0][1]), UTC) if due else None
    waiting = [
        job.enqueued_at if job else None,
        overdue if overdue and overdue < timezone.now() else None,
    ]
    return max(beats, default=None), min(filter(None, waiting), default=None)


def worker_status() -> WorkerStatus:
    """Cheap reads: the latest heartbeat, the oldest task ready to run, and the tasks kept
    unsent (Redis only: the database queue never fails to take a task its database took)."""
    if not settings.REDIS_URL:
        last_beat, oldest = _database_queue()
        return WorkerStatus(_age(last_beat), _age(oldest), settings.WORKER_STALE_SECONDS)
    unsent = UnsentTask.objects.aggregate(count=Count("pk"), oldest=Min("kept_at"))
    last_beat, oldest = _redis_queue()
    oldest = min(filter(None, (oldest, unsent["oldest"])), default=None)
    return WorkerStatus(
        _age(last_beat), _age(oldest), settings.WORKER_STALE_SECONDS, unsent["count"]
    )


@anonymous_view
def health(request):
    """For load balancers and monitors: 200 while the database answers, the worker is alive
    and keeping up and every registered check passes; 503 otherwise, with the figures as
    JSON (each check's under its name)."""
    try:
        status = worker_status()
        checks = {name: check() for name, check in CHECKS.items()}
    except DATABASE_ERRORS:
        return JsonResponse({"database": "unavailable"}, status=503)
    except RedisError:
        return JsonResponse({"database": "ok", "queue": "unavailable"}, status=503)
    failing = status.mail_stuck or any(check.failing for check in checks.values())
    return JsonResponse(
        {
            "database": "ok",
            **status.as_json(),
            **{name: check.shown for name, check in checks.items()},
        },
        status=503 if failing else 200,
    )
