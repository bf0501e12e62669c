"""The tickets' counts the database keeps (``TicketCount``, written by its triggers): each key's
rows folded into one, so that a read sums a few rows a key whatever the number of changes.
Run each minute by the worker (``tickets.tasks.fold_ticket_counts_task``); no Event: the
counts say the same before and after."""

from django.db import connection, transaction

# One statement: the rows deleted are the rows summed — of the keys of more than one row, and
# of those that sum to nothing (a department emptied). Two folds at once cannot count a row
# twice: a row the other deleted first is skipped (and not returned) once that one commits,
# and its sum is not visible to this one's snapshot. A writer's row inserted meanwhile is
# neither deleted nor summed: the next fold takes it. A fold never waits on a writer, nor a
# writer on a fold: writers only insert.
POSTGRESQL = """
WITH folded AS (
    DELETE FROM tickets_ticketcount WHERE (department_id, status, linked) IN (
        SELECT department_id, status, linked FROM tickets_ticketcount
        GROUP BY department_id, status, linked HAVING COUNT(*) > 1 OR SUM(n) = 0
    )
    RETURNING department_id, status, linked, n
), kept AS (
    INSERT INTO tickets_ticketcount (department_id, status, linked, n)
    SELECT department_id, status, linked, SUM(n) FROM folded
    GROUP BY department_id, status, linked HAVING SUM(n) <> 0
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM folded), (SELECT COUNT(*) FROM kept)
"""

# SQLite: the transaction holds the database's write lock from its start (IMMEDIATE), so
# nothing is written between the sum and the delete; the rows up to the last id read are the
# ones folded (the sums inserted come after it).
SQLITE_LAST = "SELECT MAX(id) FROM tickets_ticketcount"
# the rows up to that id whose key has more than one row, or sums to nothing
SQLITE_FOLDED = """
WHERE id <= %s AND (department_id, status, linked) IN (
    SELECT department_id, status, linked FROM tickets_ticketcount WHERE id <= %s
    GROUP BY department_id, status, linked HAVING COUNT(*) > 1 OR SUM(n) = 0
)"""
SQLITE_SUM = f"""
INSERT INTO tickets_ticketcount (department_id, status, linked, n)
SELECT department_id, status, linked, SUM(n) FROM tickets_ticketcount {SQLITE_FOLDED}
GROUP BY department_id, status, linked HAVING SUM(n) <> 0
"""  # noqa: S608 (constants)
SQLITE_DELETE = f"DELETE FROM tickets_ticketcount {SQLITE_FOLDED}"  # noqa: S608 (constants)


def fold_ticket_counts() -> tuple[int, int]:
    """Fold the counts' rows: each key of more than one row becomes one row of their sum (none
    when it is 0). Returns (rows folded, rows they became); a quiet desk's fold writes
    nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL)
            folded, kept = cursor.fetchone()
            return folded, kept
        cursor.execute(SQLITE_LAST)
        (last,) = cursor.fetchone()
        if last is None:
            return 0, 0
        cursor.execute(SQLITE_SUM, [last, last])
        kept = cursor.rowcount
        cursor.execute(SQLITE_DELETE, [last, last])
        return cursor.rowcount, kept
