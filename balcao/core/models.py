from django.conf import settings
from django.db import models
from django.utils.translation import get_language


class Localized:
    """Fields kept in pt-BR (``name``) and English (``name_en``), read in the active language."""

    def localized(self, field: str) -> str:
        if (get_language() or "").startswith("en"):
            return getattr(self, f"{field}_en") or getattr(self, field)
        return getattr(self, field)


class Counter(models.Model):
    """A named value advanced under a row lock: versions that caches are keyed on, and ticket
    numbers on SQLite (PostgreSQL numbers tickets from a sequence: tickets/migrations/0012)."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class WorkerBeat(models.Model):
    """A task worker's last sign of life: `/health` and the console read the latest beat, and
    a worker takes back the tasks claimed by one whose beat went stale (killed mid-task)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.beat_at:%Y-%m-%d %H:%M:%S}"


class PeriodicRun(models.Model):
    """When a periodic task (``core/periodic.py``) is next due: the worker that moves
    ``next_at`` forward (a compare-and-set) is the one that enqueues it."""

    name = models.CharField(max_length=200, primary_key=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}@{self.next_at:%Y-%m-%d %H:%M}"


class UnsentTask(models.Model):
    """A task whose transaction committed while its queue was out of reach (Redis down): kept
    here, and enqueued by the workers' periodic round once the queue answers again
    (``core/enqueue.py``)."""

    task_path = models.CharField(max_length=200)
    args = models.JSONField()
    queue_name = models.CharField(max_length=100)
    priority = models.IntegerField()
    run_after = models.DateTimeField(null=True)
    backend = models.CharField(max_length=100)
    kept_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.task_path}{tuple(self.args)}"


class IdempotentRequest(models.Model):
    """An API write made with an ``Idempotency-Key``: a retry with the same key by the same
    user gets this first response back instead of writing again, until ``expires_at``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
