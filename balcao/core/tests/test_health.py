"""`/health` and the console's warning tell whether mail is going out: the worker's last
heartbeat and how long the oldest task ready to run has waited."""

import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from balcao.core.health import record_beat
from balcao.core.models import UnsentTask, WorkerBeat
from balcao.factories import StaffFactory, make_company


@task()
def nothing() -> None:
    """A task for the queue these tests fill."""


@pytest.fixture
def database_queue(settings):
    settings.REDIS_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 300
    cache.clear()


def beat(seconds_ago: int, worker_id: str = "w1"):
    record_beat(worker_id)
    WorkerBeat.objects.filter(pk=worker_id).update(
        beat_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def queued(seconds_ago: int):
    result = nothing.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.mark.django_db
def test_health_is_ok_while_the_worker_beats_and_keeps_up(client, database_queue):
    beat(10)
    beat(400, "a-dead-one")
    queued(20)
    response = client.get("/health")
    assert response.status_code == 200
    shown = response.json()
    assert shown["database"] == "ok"
    assert 10 <= shown["worker_heartbeat_age"] < 15
    assert 20 <= shown["oldest_queued_task_age"] < 25
    assert not shown["worker_stale"] and not shown["queue_late"]


@pytest.mark.django_db
def test_health_reads_no_session_nor_user_for_a_signed_in_caller(
    client, database_queue, django_assert_num_queries
):
    """Only its three reads (heartbeat, oldest task, the IMAP mailboxes' heartbeats): not the
    caller's session and user, which the viewer's time zone would otherwise read on every
    request."""
    agent = StaffFactory(time_zone="Europe/Lisbon")
    client.force_login(agent)
    with django_assert_num_queries(3):
        assert client.get("/health").status_code == 503


@pytest.mark.django_db
def test_health_is_503_when_the_worker_never_beat_or_went_quiet(client, database_queue):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["worker_heartbeat_age"] is None
    beat(301)
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["worker_stale"]


@pytest.mark.django_db
def test_health_is_503_when_a_task_waits_too_long(client, database_queue):
    beat(1)
    queued(301)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["queue_late"] and not response.json()["worker_stale"]


@pytest.mark.django_db
def test_a_task_scheduled_for_later_is_not_waiting(client, database_queue):
    beat(1)
    nothing.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    assert client.get("/health").json()["oldest_queued_task_age"] is None


@pytest.mark.django_db
def test_staff_see_a_warning_when_mail_is_not_going_out(client, database_queue, profile):
    agent = StaffFactory(departments=["suporte"])
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    assert 'hx-get="/console/envio-de-email/"' in page
    beat(400)
    cache.clear()
    assert "E-mail is not going out" in client.get(
        "/console/envio-de-email/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode("utf-8")
    beat(1)
    cache.clear()
    assert client.get("/console/envio-de-email/").content.strip() == b""


@pytest.mark.django_db
def test_customers_do_not_see_the_staff_warning(client, database_queue, profile):
    _, primary = make_company("essencial")
    client.force_login(primary)
    assert client.get("/console/envio-de-email/").status_code == 404


@pytest.fixture
def redis_queue(settings):
    """RQ on the Redis of REDIS_URL (db 4 in these tests' default)."""
    import django_rq
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold an RQ queue")
    settings.REDIS_URL = url
    settings.RQ_QUEUES = {"default": {"URL": url}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


@pytest.mark.django_db
def test_health_reads_rq_workers_and_queue(client, redis_queue):
    from rq import Queue, Worker

    worker = Worker([redis_queue], connection=redis_queue.connection)
    worker.register_birth()
    try:
        worker.heartbeat()
        Queue("default", connection=redis_queue.connection).enqueue("builtins.print", "queued")
        response = client.get("/health")
    finally:
        worker.register_death()
    shown = response.json()
    assert response.status_code == 200
    assert shown["worker_heartbeat_age"] < 5
    assert 0 <= shown["oldest_queued_task_age"] < 5


@pytest.mark.django_db
def test_health_counts_the_tasks_kept_while_the_queue_was_out_of_reach(client, redis_queue):
    from rq import Worker

    worker = Worker([redis_queue], connection=redis_queue.connection)
    worker.register_birth()
    kept = dict(args=[1], queue_name="default", priority=0, backend="default")
    UnsentTask.objects.create(task_path=nothing.module_path, **kept)
    try:
        worker.heartbeat()
        fresh = client.get("/health")
        UnsentTask.objects.update(kept_at=timezone.now() - timedelta(minutes=10))
        late = client.get("/health")
    finally:
        worker.register_death()
    assert (fresh.status_code, fresh.json()["unsent_tasks"]) == (200, 1)
    assert (late.status_code, late.json()["queue_late"]) == (503, True)
    assert late.json()["oldest_queued_task_age"] >= 600


@pytest.mark.django_db
def test_health_counts_a_scheduled_task_overdue_as_waiting(client, redis_queue):
    """RQ's scheduler moves a task to the queue when its time comes: one overdue (the
    scheduler not running) waits from that time; one due later does not wait."""
    from rq import Queue, Worker

    worker = Worker([redis_queue], connection=redis_queue.connection)
    worker.register_birth()
    queue = Queue("default", connection=redis_queue.connection)
    try:
        worker.heartbeat()
        queue.enqueue_at(timezone.now() + timedelta(minutes=5), "builtins.print", "later")
        later = client.get("/health")
        queue.enqueue_at(timezone.now() - timedelta(minutes=10), "builtins.print", "overdue")
        overdue = client.get("/health")
    finally:
        worker.register_death()
        queue.connection.delete(queue.scheduled_job_registry.key)
    assert (later.status_code, later.json()["oldest_queued_task_age"]) == (200, None)
    assert (overdue.status_code, overdue.json()["queue_late"]) == (503, True)
    assert overdue.json()["oldest_queued_task_age"] >= 600


@pytest.mark.django_db
def test_health_is_503_when_the_queue_is_out_of_reach(client, settings, profile):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.RQ_QUEUES = {"default": {"URL": settings.REDIS_URL}}
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "queue": "unavailable"}
    cache.clear()
    client.force_login(StaffFactory(departments=["suporte"]))
    banner = client.get("/console/envio-de-email/", HTTP_ACCEPT_LANGUAGE="en")
    assert "E-mail is not going out" in banner.content.decode()
