"""The worker runs again what it could not finish, and only that: tasks claimed by a worker
that stopped beating, or that failed because the database dropped under them."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from balcao.core.health import record_beat
from balcao.core.models import WorkerBeat
from balcao.core.worker import ResilientWorker

RUNS = []


@task()
def count_run(name: str) -> None:
    RUNS.append(name)


@task()
def lose_the_database() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@task()
def fail() -> None:
    raise ValueError("a bug, not an outage")


@pytest.fixture
def worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 60
    RUNS.clear()
    return ResilientWorker(interval=0, say=print)


def claimed_by(worker_id: str, name: str) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=count_run.enqueue(name).id)
    result.claim(worker_id)
    return result


@pytest.mark.django_db(transaction=True)
def test_tasks_of_a_worker_that_stopped_beating_run_again_once(worker):
    record_beat("alive")
    record_beat("killed")
    WorkerBeat.objects.filter(pk="killed").update(beat_at=timezone.now() - timedelta(minutes=2))
    claimed_by("alive", "busy elsewhere")
    claimed_by("killed", "interrupted")
    claimed_by(worker.worker_id, "mine, before the database dropped")
    assert worker.take_back() == 2
    worker.run()
    assert sorted(RUNS) == ["interrupted", "mine, before the database dropped"]
    assert DBTaskResult.objects.running().count() == 1
    assert worker.take_back() == 0


@pytest.mark.django_db(transaction=True)
def test_a_task_that_lost_the_database_is_queued_again_and_a_bug_is_not(worker):
    again = lose_the_database.enqueue()
    failed = fail.enqueue()
    worker.run()
    assert DBTaskResult.objects.get(pk=again.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=failed.id).status == TaskResultStatus.FAILED
    assert WorkerBeat.objects.filter(pk=worker.worker_id).exists()
