"""Counts the database keeps as rows of +n and -n inserted by triggers (``tickets.TicketCount``,
``sla.SlaCount``): a key's count is the SUM of its rows. Folding each key's rows into one keeps
a read to a few rows a key whatever the number of changes; no Event: the counts say the same
before and after."""

from django.db import connection, transaction

# One statement: the rows deleted are the rows summed — of the keys of more than one row, and
# of those that sum to nothing (a department emptied). Two folds at once cannot count a row
# twice: a row the other deleted first is skipped (and not returned) once that one commits,
# and its sum is not visible to this one's snapshot. A writer's row inserted meanwhile is
# neither deleted nor summed: the next fold takes it. A fold never waits on a writer, nor a
# writer on a fold: writers only insert.
POSTGRESQL = """
WITH folded AS (
    DELETE FROM {table} WHERE ({keys}) IN (
        SELECT {keys} FROM {table} GROUP BY {keys} HAVING COUNT(*) > 1 OR SUM(n) = 0
    )
    RETURNING {keys}, n
), kept AS (
    INSERT INTO {table} ({keys}, n)
    SELECT {keys}, SUM(n) FROM folded GROUP BY {keys} HAVING SUM(n) <> 0
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM folded), (SELECT COUNT(*) FROM kept)
"""

# SQLite: the transaction holds the database's write lock from its start (IMMEDIATE), so
# nothing is written between the sum and the delete; the rows up to the last id read are the
# ones folded (the sums inserted come after it).
SQLITE_LAST = "SELECT MAX(id) FROM {table}"
# the rows up to that id whose key has more than one row, or sums to nothing
SQLITE_FOLDED = """
WHERE id <= %s AND ({keys}) IN (
    SELECT {keys} FROM {table} WHERE id <= %s GROUP BY {keys} HAVING COUNT(*) > 1 OR SUM(n) = 0
)"""
# (our tables and columns, never a visitor's: S608)
SQLITE_SUM = (
    "INSERT INTO {table} ({keys}, n) SELECT {keys}, SUM(n) FROM {table} "  # noqa: S608
    + SQLITE_FOLDED
    + " GROUP BY {keys} HAVING SUM(n) <> 0"
)
SQLITE_DELETE = "DELETE FROM {table} " + SQLITE_FOLDED  # noqa: S608


def fold_counts(table: str, keys: tuple[str, ...]) -> tuple[int, int]:
    """Fold the rows of the counts' ``table`` keyed by the columns ``keys`` (names of ours,
    never a visitor's): each key of more than one row becomes one row of their sum (none when
    it is 0). Returns (rows folded, rows they became); a quiet desk's fold writes nothing."""
    names = {"table": table, "keys": ", ".join(keys)}
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(POSTGRESQL.format(**names))
            folded, kept = cursor.fetchone()
        if folded and not connection.in_atomic_block:
            # the rows folded are dead: a read of the counts went through every one of them
            # until the table is vacuumed (at a million changes, ~30 ms for 7 departments'
            # sums). Autovacuum would, where it runs and once its threshold is passed; this
            # table of a few rows is vacuumed here, in a few milliseconds, whatever it does.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {table}")
        return folded, kept
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SQLITE_LAST.format(**names))
        (last,) = cursor.fetchone()
        if last is None:
            return 0, 0
        cursor.execute(SQLITE_SUM.format(**names), [last, last])
        kept = cursor.rowcount
        cursor.execute(SQLITE_DELETE.format(**names), [last, last])
        return cursor.rowcount, kept
