import os
import time

import pytest


def test_task_queues_share_one_redis_connection_per_address(settings):
    import django_rq
    import redis

    from balcao.core.rq import share_connections

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold an RQ queue")
    share_connections()
    share_connections()  # once is enough; twice changes nothing
    settings.RQ_QUEUES = {"default": {"URL": url}}
    first = django_rq.get_queue("default").connection
    assert django_rq.get_queue("default").connection is first
    first.ping()
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    assert django_rq.get_queue("default").connection is not first  # another address, its own


def broken() -> None:
    from rq import get_current_job

    get_current_job().connection.incr("abandoned-test:runs")
    raise ValueError("a task's own error")


@pytest.fixture
def abandoned_queue():
    import redis
    from rq import Queue

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold an RQ queue")
    queue = Queue("abandoned-test", connection=connection)
    queue.empty()
    connection.delete("abandoned-test:runs")
    yield queue
    queue.empty()
    for registry in (queue.started_job_registry, queue.failed_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)


def test_a_job_its_worker_died_under_runs_once_more(abandoned_queue):
    """Jobs run in the worker's process: killed under a job, the worker takes the job with it.
    Found abandoned once its heartbeat lapsed, the job is queued again, once."""
    from balcao.core.worker import DatabaseRetryingRQWorker

    queue = abandoned_queue
    job = queue.enqueue(broken)
    worker = DatabaseRetryingRQWorker([queue], connection=queue.connection)
    for expected in ("queued again", "failed"):
        taken = queue.dequeue_any([queue], None, connection=queue.connection)[0]
        assert taken.id == job.id
        worker.prepare_execution(taken)
        worker.prepare_job_execution(taken)  # and here the worker is killed
        queue.started_job_registry.cleanup(timestamp=time.time() + 100_000)  # heartbeat lapsed
        if expected == "queued again":
            assert queue.job_ids == [job.id]
        else:
            assert queue.job_ids == []
            assert job.id in queue.failed_job_registry.get_job_ids()


@pytest.mark.django_db  # the worker's look around, between jobs
def test_a_job_that_fails_of_itself_is_not_run_again(abandoned_queue):
    from balcao.core.worker import DatabaseRetryingRQWorker

    queue = abandoned_queue
    job = queue.enqueue(broken)
    worker = DatabaseRetryingRQWorker([queue], connection=queue.connection)
    worker.work(burst=True)
    assert queue.job_ids == []
    assert job.id in queue.failed_job_registry.get_job_ids()
    assert int(queue.connection.get("abandoned-test:runs")) == 1
