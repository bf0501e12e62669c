"""The departments' ``tickets_version``, which the console's live lists poll: moved once per
transaction that changed their tickets, after it commits (or, for the inbound funnel, as one of
its last writes)."""

import threading

from django.db import connection, transaction

from balcao.accounts.models import Department

_touched = threading.local()


def touch_departments(*department_ids: int) -> None:
    """Say that tickets of these departments changed: their ``tickets_version`` moves once
    the transaction commits (one UPDATE however many tickets changed), which is what the
    console's live lists poll instead of scanning the tickets. After commit, never before:
    a poll between the commit and the bump sees new rows under the old version and swaps once
    more later, never the reverse (an old page kept under a new version). No row lock is held
    through the transaction, so writers of one department do not queue on it."""
    pending: set[int] = getattr(_touched, "ids", set())
    _touched.ids = pending
    pending.update(department_ids)
    # robust: the change is committed; a failed bump is logged, never reported as its failure
    transaction.on_commit(_bump_touched, robust=True)


def _bump_touched() -> None:
    pending: set[int] = getattr(_touched, "ids", set())
    if pending:
        ids = sorted(pending)
        with connection.cursor() as cursor:
            cursor.execute(_bump_sql(len(ids)), ids)
        pending.difference_update(ids)  # only once done: a failed bump is retried by the next


def _bump_sql(count: int) -> str:
    """The UPDATE of ``count`` departments' versions, as the ORM would write it without its
    compiling (~0.5 ms of CPU on a path every write takes: issue 17)."""
    table = connection.ops.quote_name(Department._meta.db_table)
    ids = ", ".join(["%s"] * count)
    return f"UPDATE {table} SET tickets_version = tickets_version + 1 WHERE id IN ({ids})"  # noqa: S608 (the model's table)


def bump_touched_now() -> None:
    """The departments' versions moved inside the transaction, as one of its last writes, so
    that a writer commits once (the inbound funnel, issue 17): the rows and the version a
    poll reads become visible at the same commit. Their rows stay locked from here to the
    commit, a few statements: only for callers whose transaction ends just after. The bump
    registered for after the commit then finds nothing left to do."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bump_touched_now runs inside the transaction it ends")
    _bump_touched()
