"""Several tasks enqueued at once. On the database task backend one INSERT carries them all
(django-tasks enqueues one row per call); any other backend gets them one by one, as
``Task.enqueue`` would. The rows are what ``DatabaseBackend.enqueue`` writes (with what its
``pre_save`` handler adds: no ``run_after`` is "now", stored as the far future), and the same
``task_enqueued`` signal is sent for each."""

from collections.abc import Sequence
from typing import Any

from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

Call = tuple[Task[Any, Any], Sequence[object]]


def enqueue_all(calls: Sequence[Call]) -> None:
    """Enqueue each (task, args) of ``calls``, in one statement where the backend allows."""
    if not calls:
        return
    backend = calls[0][0].get_backend()
    if (
        len(calls) == 1
        or not isinstance(backend, DatabaseBackend)
        or any(task.get_backend() is not backend for task, _args in calls)
    ):
        for task, args in calls:
            task.enqueue(*args)
        return
    rows = []
    for task, args in calls:
        backend.validate_task(task)
        rows.append(
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": tuple(args), "kwargs": {}}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=get_date_max() if task.run_after is None else task.run_after,
                backend_name=backend.alias,
            )
        )
    DBTaskResult.objects.bulk_create(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
