from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from balcao.core.enqueue import enqueue_all
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


def test_other_backends_get_the_tasks_one_by_one(tasks):
    enqueue_all([(email_notification_task, (3, 4)), (email_notification_task, (3, 5))])
    assert [r.args for r in tasks.results] == [[3, 4], [3, 5]]
