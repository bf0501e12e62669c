"""Days in Brasília time, whoever reads: the zone reports count in, its offsets from UTC over a
period, and the local date of a datetime column in SQL on either database."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import TruncDate
from django.db.models.sql.compiler import SQLCompiler


def report_zone() -> ZoneInfo:
    """Reports count days in Brasília time whoever reads them, so every viewer gets the same
    figures for the same dates."""
    return ZoneInfo(settings.TIME_ZONE)


def zone_offsets(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The zone's offsets from UTC in seconds over [start, end), each from the instant its
    clocks changed to it (the first from ``start``): a day's boundaries are compared, and
    where they differ the change is found to the second (clocks change at most once a day)."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    found = [(start, offset(start))]
    at = start
    while at < end:
        after = min(at + timedelta(days=1), end)
        if offset(after) != found[-1][1]:
            low, high = int(at.timestamp()), int(after.timestamp())
            while high - low > 1:  # offset(low) is the old one, offset(high) the new
                middle = (low + high) // 2
                moment = datetime.fromtimestamp(middle, UTC)
                low, high = (middle, high) if offset(moment) == found[-1][1] else (low, middle)
            found.append((datetime.fromtimestamp(high, UTC), offset(after)))
        at = after
    return found


class LocalDate(TruncDate):
    """The local date of a datetime column in the report's zone, for values in [start, end).
    PostgreSQL converts natively (``AT TIME ZONE``); Django's SQLite function runs Python per
    row, so there the zone's offsets over the period (one, or a few where clocks change)
    become SQLite's own ``date(column, '±N seconds')``: the same dates, per the zone's rules."""

    def __init__(self, column: str, start: datetime, end: datetime) -> None:
        super().__init__(column, tzinfo=report_zone())
        self.period = (start, end)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.lhs)
        (_start, first), *changes = zone_offsets(*self.period, report_zone())
        sql = f"date({column}, %s)"
        values: tuple[Any, ...] = (*params, f"{first} seconds")
        for since, seconds in changes:  # the latest offset from when the clocks changed to it
            sql = f"CASE WHEN {column} >= %s THEN date({column}, %s) ELSE {sql} END"
            since_value = connection.ops.adapt_datetimefield_value(since)
            values = (*params, since_value, *params, f"{seconds} seconds", *values)
        return sql, values
