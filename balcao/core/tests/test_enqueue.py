import os
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from redis.client import Pipeline
from redis.exceptions import RedisError
from rq.registry import ScheduledJobRegistry

from balcao.core.enqueue import batch, enqueue_all, enqueue_on_commit, enqueue_unsent
from balcao.core.models import UnsentTask
from balcao.notifications.tasks import email_notification_task
from balcao.sla.tasks import sla_alert_task

pytestmark = pytest.mark.django_db


def test_tasks_enqueued_together_are_one_insert_on_the_database_backend(
    settings, django_assert_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    later = timezone.now() + timedelta(hours=2)
    with django_assert_num_queries(1):
        enqueue_all(
            [
                (sla_alert_task.using(run_after=later), (7, "resolution", "warning", "x")),
                (email_notification_task, (3, 4)),
                (email_notification_task, (3, 5)),
            ]
        )
    rows = {
        (r.task_path, tuple(r.args_kwargs["args"]), r.run_after) for r in DBTaskResult.objects.all()
    }
    assert rows == {
        ("balcao.sla.tasks.sla_alert_task", (7, "resolution", "warning", "x"), later),
        ("balcao.notifications.tasks.email_notification_task", (3, 4), get_date_max()),
        ("balcao.notifications.tasks.email_notification_task", (3, 5), get_date_max()),
    }
    # the two without a time are ready for a worker now, the alert is not
    assert DBTaskResult.objects.ready().count() == 2
    # what a worker reads back is what Task.enqueue would have written
    result = DBTaskResult.objects.get(args_kwargs__args=[3, 5]).task_result
    assert result.task.func is email_notification_task.func and result.args == [3, 5]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_rows_are_one_statement_without_a_transaction(settings):
    """After the filing's commit (issue 17): one INSERT commits by itself; no BEGIN (a
    statement of its own on SQLite) and no COMMIT around it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with CaptureQueriesContext(connection) as captured:
        enqueue_all([(email_notification_task, (3, 4)), (email_notification_task, (3, 5))])
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["INSERT"]
    assert DBTaskResult.objects.count() == 2
    # more than one statement takes (SQLite's 999 parameters): bulk_create's batches
    enqueue_all([(email_notification_task, (3, n)) for n in range(200)])
    assert DBTaskResult.objects.count() == 202


def test_other_backends_get_the_tasks_one_by_one(tasks):
    enqueue_all([(email_notification_task, (3, 4)), (email_notification_task, (3, 5))])
    assert [r.args for r in tasks.results] == [[3, 4], [3, 5]]


def test_a_batch_sends_what_commits_in_one_insert_and_nothing_rolled_back(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with CaptureQueriesContext(connection) as captured, batch():
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(email_notification_task, 1, 2)
            enqueue_all([(email_notification_task, (1, 3))])
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            enqueue_on_commit(email_notification_task, 9, 9)  # rolled back: never sent
            raise ZeroDivisionError
        assert not DBTaskResult.objects.exists()  # held until the batch closes
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert sorted(r.args_kwargs["args"] for r in DBTaskResult.objects.all()) == [[1, 2], [1, 3]]


def test_without_a_batch_tasks_leave_at_once(tasks):
    enqueue_all([(email_notification_task, (3, 4))])
    assert [r.args for r in tasks.results] == [[3, 4]]


@pytest.fixture
def rq_queue(settings):
    import django_rq
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold an RQ queue")
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    queue.connection.delete(ScheduledJobRegistry(queue=queue).key)
    yield queue
    queue.empty()
    queue.connection.delete(ScheduledJobRegistry(queue=queue).key)


def test_tasks_enqueued_together_are_one_pipeline_on_rq(rq_queue):
    from django_tasks import task_backends

    later = timezone.now() + timedelta(hours=2)
    sent = []
    execute = Pipeline.execute

    def counted(pipe, *args, **kwargs):
        sent.append(len(pipe.command_stack))
        return execute(pipe, *args, **kwargs)

    with patch.object(Pipeline, "execute", counted):
        enqueue_all(
            [
                (sla_alert_task.using(run_after=later), (7, "resolution", "warning", "x")),
                (email_notification_task, (3, 4)),
                (email_notification_task, (3, 5)),
            ]
        )
    assert len(sent) == 1  # one round trip for the three
    assert sorted(job.args for job in rq_queue.get_jobs()) == [(3, 4), (3, 5)]
    scheduled = ScheduledJobRegistry(queue=rq_queue).get_job_ids()
    assert len(scheduled) == 1
    # what a worker reads back is what RQBackend.enqueue would have written
    backend = task_backends["default"]
    alert = backend.get_result(scheduled[0])
    assert alert.task.func is sla_alert_task.func
    assert list(alert.args) == [7, "resolution", "warning", "x"]
    ready = backend.get_result(rq_queue.get_job_ids()[0])
    assert ready.task.func is email_notification_task.func


@pytest.fixture
def rq_out_of_reach(settings):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens on 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def test_what_the_queue_cannot_take_is_kept_not_raised(rq_out_of_reach, caplog):
    later = timezone.now() + timedelta(hours=2)
    with batch():
        enqueue_all(
            [
                (sla_alert_task.using(run_after=later), (7, "resolution", "warning", "x")),
                (email_notification_task, (3, 4)),
            ]
        )
    enqueue_all([(email_notification_task, (3, 5))])  # alone, by RQBackend.enqueue
    kept = UnsentTask.objects.order_by("pk")
    assert [(row.task_path, row.args, row.run_after) for row in kept] == [
        (sla_alert_task.module_path, [7, "resolution", "warning", "x"], later),
        (email_notification_task.module_path, [3, 4], None),
        (email_notification_task.module_path, [3, 5], None),
    ]
    assert "queue out of reach: 2 task(s) kept" in caplog.text


def test_kept_tasks_stay_kept_while_the_queue_is_out_of_reach(rq_out_of_reach):
    enqueue_all([(email_notification_task, (3, 4))])
    with pytest.raises(RedisError):
        enqueue_unsent()
    assert UnsentTask.objects.count() == 1


def test_kept_tasks_are_enqueued_once_the_queue_answers(rq_queue, settings):
    later = timezone.now() + timedelta(hours=2)
    queues = settings.RQ_QUEUES
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    enqueue_all(
        [
            (sla_alert_task.using(run_after=later), (7, "resolution", "warning", "x")),
            (email_notification_task, (3, 4)),
        ]
    )
    settings.RQ_QUEUES = queues
    assert enqueue_unsent() == 2
    assert enqueue_unsent() == 0  # each once
    assert not UnsentTask.objects.exists()
    assert [job.args for job in rq_queue.get_jobs()] == [(3, 4)]
    scheduled = ScheduledJobRegistry(queue=rq_queue)
    assert [rq_queue.fetch_job(pk).args for pk in scheduled.get_job_ids()] == [
        (7, "resolution", "warning", "x")
    ]
    assert scheduled.get_scheduled_time(scheduled.get_job_ids()[0]) == later.replace(microsecond=0)
