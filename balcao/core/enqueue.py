"""Several tasks enqueued at once: one INSERT on the database task backend (django-tasks
writes one row per call), one Redis pipeline on RQ; any other backend gets them one by one,
as ``Task.enqueue`` would. The rows and jobs are what the backends' own ``enqueue`` writes
(the database backend's ``pre_save`` handler included: no ``run_after`` is "now", stored as
the far future), and the same ``task_enqueued`` signal is sent for each.

``batch()`` gathers everything enqueued while it is open (by ``enqueue_all`` or
``enqueue_on_commit``) and sends it in one go when it closes: a ticket opened or an e-mail
filed enqueues its answer, its SLA alerts and its notifications' e-mails after commit, in
one statement instead of one per task. Work enqueued on commit of a transaction that rolls
back never reaches the batch: ``transaction.on_commit`` drops it, as it always did."""

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

Call = tuple[Task[Any, Any], Sequence[object]]

_local = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Hold what is enqueued inside, and enqueue it all at the end (nested: the outer one
    sends). Open it around the transaction, so that its on-commit work lands in it."""
    if getattr(_local, "calls", None) is not None:
        yield
        return
    calls: list[Call] = []
    _local.calls = calls
    try:
        yield
    finally:
        _local.calls = None
        _send(calls)


def enqueue_all(calls: Sequence[Call]) -> None:
    """Enqueue each (task, args) of ``calls``: now, in as few round trips as the backend
    allows, or with the open ``batch``."""
    pending = getattr(_local, "calls", None)
    if pending is not None:
        pending.extend(calls)
        return
    _send(calls)


def enqueue_on_commit(task: Task[Any, Any], *args: object) -> None:
    """``task.enqueue(*args)`` once the transaction commits (with the open batch, if any)."""
    transaction.on_commit(partial(enqueue_all, [(task, args)]))


def _send(calls: Sequence[Call]) -> None:
    by_backend: dict[int, list[Call]] = {}
    backends = {}
    for task, args in calls:
        backend = task.get_backend()
        by_backend.setdefault(id(backend), []).append((task, args))
        backends[id(backend)] = backend
    for key, group in by_backend.items():
        backend = backends[key]
        if len(group) > 1 and isinstance(backend, DatabaseBackend):
            _insert(backend, group)
        elif len(group) > 1 and _is_rq(backend):
            _pipeline(backend, group)
        else:
            for task, args in group:
                task.enqueue(*args)


def _insert(backend: Any, calls: Sequence[Call]) -> None:
    rows: list[DBTaskResult] = []
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
    fields = DBTaskResult._meta.concrete_fields
    if len(rows) > connection.ops.bulk_batch_size(fields, rows):
        DBTaskResult.objects.bulk_create(rows)  # its batches, in a transaction of their own
    else:
        # one statement, which commits by itself after the filing's commit: bulk_create's
        # transaction would add a BEGIN (a statement of its own on SQLite) and a COMMIT
        query = InsertQuery(DBTaskResult)
        query.insert_values(fields, list(rows))
        query.get_compiler(connection=connection).execute_sql()
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def _is_rq(backend: object) -> bool:
    try:
        from django_tasks_rq.backend import RQBackend
    except ImportError:  # the RQ backend is only installed for Redis deployments
        return False
    return isinstance(backend, RQBackend)


def _pipeline(backend: Any, calls: Sequence[Call]) -> None:
    """What ``RQBackend.enqueue`` does for each call, in one Redis round trip (queues on
    another connection, or run synchronously, get theirs one by one)."""
    import django_rq
    from django_tasks_rq.backend import Job, failed_callback, success_callback
    from rq.job import Callback, JobStatus

    queues = {
        task.queue_name: django_rq.get_queue(task.queue_name, job_class=Job) for task, _a in calls
    }
    connection = next(iter(queues.values())).connection
    alone = [
        (task, args)
        for task, args in calls
        if queues[task.queue_name].connection is not connection
        or not queues[task.queue_name]._is_async
    ]
    results = []
    with connection.pipeline() as pipe:
        pipe.multi()  # all of them or none (and what rq's enqueue_job expects of a pipeline)
        for task, args in calls:
            if (task, args) in alone:
                continue
            backend.validate_task(task)
            result: TaskResult[Any] = TaskResult(
                task=task,
                id=get_random_id(),
                status=TaskResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=list(args),
                kwargs={},
                backend=backend.alias,
                errors=[],
                worker_ids=[],
            )
            queue = queues[task.queue_name]
            job = queue.create_job(
                task.module_path,
                args=tuple(args),
                kwargs={},
                job_id=result.id,
                status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
                on_failure=Callback(failed_callback),
                on_success=Callback(success_callback),
                meta={"backend_name": backend.alias},
            )
            if task.run_after is None:
                job = queue.enqueue_job(
                    job, pipeline=pipe, at_front=task.priority == TASK_MAX_PRIORITY
                )
            else:
                job = queue.schedule_job(job, task.run_after, pipeline=pipe)
            results.append((result, job))
        pipe.execute()
    for result, job in results:
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(backend), task_result=result)
    for task, args in alone:
        task.enqueue(*args)
