"""Tasks that run on a schedule (the retention policy, …), enqueued by whichever worker looks
first: the database queue's worker between batches, RQ's worker in its maintenance round.

Apps register theirs in ``AppConfig.ready()``; a ``PeriodicRun`` row per task says when it is
next due, and moving it forward is a compare-and-set, so with many workers each turn is
enqueued once. The task itself must be safe to run twice (DESIGN.md, rule 2).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks.base import Task

from balcao.core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    task: Task
    every: timedelta


PERIODIC: dict[str, Periodic] = {}


def register_periodic(task: Task, every: timedelta) -> None:
    PERIODIC[task.module_path] = Periodic(task, every)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every registered task whose time has come; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, periodic in PERIODIC.items():
        run, _ = PeriodicRun.objects.get_or_create(name=name, defaults={"next_at": now})
        if run.next_at > now:
            continue
        won = PeriodicRun.objects.filter(name=name, next_at=run.next_at).update(
            next_at=now + periodic.every
        )
        if won:
            periodic.task.enqueue()
            enqueued.append(name)
    return enqueued
