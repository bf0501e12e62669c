"""Several tasks enqueued at once: one INSERT on the database task backend (django-tasks
writes one row per call), one Redis pipeline on RQ; any other backend gets them one by one,
as ``Task.enqueue`` would. The rows and jobs are what the backends' own ``enqueue`` writes
(the database backend's ``pre_save`` handler included: no ``run_after`` is "now", stored as
the far future), and the same ``task_enqueued`` signal is sent for each.

``batch()`` gathers everything enqueued while it is open (by ``enqueue_all`` or
``enqueue_on_commit``) and sends it in one go when it closes: a ticket opened or an e-mail
filed enqueues its answer, its SLA alerts and its notifications' e-mails after commit, in
one statement instead of one per task. Work enqueued on commit of a transaction that rolls
back never reaches the batch: ``transaction.on_commit`` drops it, as it always did.

Work the queue cannot take (Redis out of reach) is not lost, and the write it follows, already
committed, is not turned into an error: it is kept as ``UnsentTask`` rows (one INSERT), and
each worker looks for them every few seconds (``worker.QUICK_LOOK``) and enqueues them once the
queue answers (``enqueue_unsent``); the health check counts them meanwhile."""

import logging
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import import_string
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max
from redis.exceptions import RedisError

from balcao.core.models import UnsentTask
from balcao.core.prepared import prepared_insert_all

Call = tuple[Task[Any, Any], Sequence[object]]

_local = threading.local()
log = logging.getLogger(__name__)
UNSENT_AT_ONCE = 500  # rows a periodic round enqueues (the next round takes the rest)


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


def enqueue_unsent() -> int:
    """Enqueue the tasks kept while the queue was out of reach (each by one worker, however
    many look at once); returns how many. Still out of reach: they stay, the error is raised.
    Enqueued, then the rows deleted in the same transaction: the database queue commits both
    at once; on Redis a failed commit leaves them to be enqueued again (tasks are safe to
    retry, DESIGN.md rule 2), never lost."""
    with transaction.atomic():
        rows = list(
            UnsentTask.objects.select_for_update(skip_locked=True).order_by("pk")[:UNSENT_AT_ONCE]
        )
        calls: list[Call] = [
            (
                import_string(row.task_path).using(
                    queue_name=row.queue_name,
                    priority=row.priority,
                    run_after=row.run_after,
                    backend=row.backend,
                ),
                row.args,
            )
            for row in rows
        ]
        _send(calls, keep=False)
        UnsentTask.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def _send(calls: Sequence[Call], keep: bool = True) -> None:
    """``keep``: what Redis cannot take is kept as UnsentTask rows rather than raised."""
    by_backend: dict[int, list[Call]] = {}
    backends = {}
    for task, args in calls:
        backend = task.get_backend()
        by_backend.setdefault(id(backend), []).append((task, args))
        backends[id(backend)] = backend
    for key, group in by_backend.items():
        backend = backends[key]
        if len(group) > 1 and isinstance(backend, DatabaseBackend):
            _insert(backend, group)  # fails only with the database: nowhere to keep them
        elif len(group) > 1 and _is_rq(backend):
            queues, piped, alone = _split(group)
            _or_keep(keep, piped, partial(_pipeline, backend, piped, queues))
            _send_each(keep, alone)
        else:
            _send_each(keep, group)


def _send_each(keep: bool, calls: Sequence[Call]) -> None:
    for task, args in calls:
        _or_keep(keep, [(task, args)], partial(task.enqueue, *args))


def _or_keep(keep: bool, calls: Sequence[Call], send: Callable[[], object]) -> None:
    if not calls:
        return
    try:
        send()
    except RedisError:
        if not keep:
            raise
        log.exception("queue out of reach: %d task(s) kept to enqueue later", len(calls))
        UnsentTask.objects.bulk_create(
            UnsentTask(
                task_path=task.module_path,
                args=normalize_json(list(args)),
                queue_name=task.queue_name,
                priority=task.priority,
                run_after=task.run_after,
                backend=task.backend,
            )
            for task, args in calls
        )


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
        # transaction would add a BEGIN (a statement of its own on SQLite) and a COMMIT; its
        # SQL built once per number of rows (core.prepared), not compiled for each batch
        prepared_insert_all(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def _is_rq(backend: object) -> bool:
    try:
        from django_tasks_rq.backend import RQBackend
    except ImportError:  # the RQ backend is only installed for Redis deployments
        return False
    return isinstance(backend, RQBackend)


def _split(calls: Sequence[Call]) -> tuple[dict[str, Any], list[Call], list[Call]]:
    """(the calls' queues, those sent in one pipeline, those sent one by one: their queue is
    on another connection, or runs synchronously)."""
    import django_rq
    from django_tasks_rq.backend import Job

    queues = {
        task.queue_name: django_rq.get_queue(task.queue_name, job_class=Job) for task, _a in calls
    }
    connection = next(iter(queues.values())).connection
    piped: list[Call] = []
    alone: list[Call] = []
    for task, args in calls:
        queue = queues[task.queue_name]
        together = queue.connection is connection and queue._is_async
        (piped if together else alone).append((task, args))
    return queues, piped, alone


def _pipeline(backend: Any, calls: Sequence[Call], queues: dict[str, Any]) -> None:
    """What ``RQBackend.enqueue`` does for each call, in one Redis round trip (``calls``
    share a connection: ``_split``)."""
    from django_tasks_rq.backend import failed_callback, success_callback
    from rq.job import Callback, JobStatus

    connection = next(iter(queues.values())).connection
    results = []
    with connection.pipeline() as pipe:
        pipe.multi()  # all of them or none (and what rq's enqueue_job expects of a pipeline)
        for task, args in calls:
            backend.validate_task(task)
            result: TaskResult[Any] = TaskResult(
                task=task,
                # 32 characters as django_tasks' get_random_id, from one read of the
                # system's randomness (it reads it once per character)
                id=secrets.token_hex(16),
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
