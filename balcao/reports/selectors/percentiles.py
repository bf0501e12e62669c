"""Business times of a set of tickets per group: how many were answered and closed with a
clock, and the median and 90th percentile of first response and resolution, in one query on
either database (PostgreSQL's GROUPING SETS and percentile_cont; SQLite's rows sorted here)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, DurationField, F, QuerySet, When

from balcao.sla.models import ClockState
from balcao.tickets.models import Ticket


@dataclass
class Durations:
    tickets: int = 0
    answered: int = 0
    resolved: int = 0
    first: list[timedelta | None] = field(default_factory=lambda: [None, None])
    resolution: list[timedelta | None] = field(default_factory=lambda: [None, None])

    def row(self) -> list[Any]:
        return [self.tickets, self.answered, *self.first, self.resolved, *self.resolution]


FRACTIONS = (0.5, 0.9)


TOTAL = "total"


def _resolution() -> Case:
    """Business time the team owed the ticket, once closed (as the SLA clock counts it)."""
    return Case(
        When(sla__state=ClockState.STOPPED, then=F("sla__resolution_used")),
        output_field=DurationField(),
    )


def durations(tickets: QuerySet[Ticket], groups: Sequence[str]) -> dict[str, dict[Any, Durations]]:
    """Per value of each field of ``groups``, and for all together (``TOTAL``, key 0): the
    tickets, how many got a first response and were closed with a clock, and the median and
    90th percentile of both business times — one query, on either database."""
    inner = (
        tickets.order_by()
        .annotate(
            **{f"g{i}": F(name) for i, name in enumerate(groups)},
            fr=F("sla__first_response_time"),
            res=_resolution(),
        )
        .values_list(*(f"g{i}" for i in range(len(groups))), "fr", "res")
    )
    found: dict[str, dict[Any, Durations]] = {name: {} for name in (*groups, TOTAL)}
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # nothing to count (an empty list of departments)
        return found
    if connection.vendor == "postgresql":
        _durations_postgresql(sql, params, groups, found)
    else:
        _durations_sorted(sql, params, groups, found)
    return found


def _durations_postgresql(
    sql: str, params: Sequence[Any], groups: Sequence[str], found: dict[str, dict[Any, Durations]]
) -> None:
    """One scan: GROUPING SETS gives each field's groups and the total; percentile_cont of an
    array of fractions sorts each column once per group."""
    columns = [f"g{i}" for i in range(len(groups))]
    levels = ", ".join(f"GROUPING({c})" for c in columns)
    fractions = ", ".join(str(p) for p in FRACTIONS)
    sets = ", ".join([*(f"({c})" for c in columns), "()"])
    query = f"""
        SELECT {levels}, {", ".join(columns)}, COUNT(*), COUNT(fr), COUNT(res),
            PERCENTILE_CONT(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY fr),
            PERCENTILE_CONT(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY res)
        FROM ({sql}) AS t GROUP BY GROUPING SETS ({sets})"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            width = len(columns)
            grouped = [i for i, level in enumerate(row[:width]) if level == 0]
            name, key = (groups[grouped[0]], row[width + grouped[0]]) if grouped else (TOTAL, 0)
            n, answered, resolved, first, resolution = row[2 * width :]
            nothing = [None] * len(FRACTIONS)  # no value at all: NULL, not an array
            found[name][key] = Durations(
                n, answered, resolved, list(first or nothing), list(resolution or nothing)
            )


def _durations_sorted(
    sql: str, params: Sequence[Any], groups: Sequence[str], found: dict[str, dict[Any, Durations]]
) -> None:
    """SQLite has neither percentile_cont nor GROUPING SETS, and its window functions sort
    every grouping's rows anew (over a second for a year at 100,000 tickets): the two
    durations of each ticket are read once (SQLite keeps them as microseconds), each group's
    sorted here and interpolated exactly as percentile_cont does."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    split: dict[str, dict[Any, list[tuple[Any, ...]]]] = {}
    for level, name in enumerate(groups):
        split[name] = defaultdict(list)
        for row in rows:
            split[name][row[level]].append(row)
    for name, members_of in [*split.items(), (TOTAL, {0: rows} if rows else {})]:
        for key, members in members_of.items():
            firsts = sorted(row[-2] for row in members if row[-2] is not None)
            resolutions = sorted(row[-1] for row in members if row[-1] is not None)
            found[name][key] = Durations(
                tickets=len(members),
                answered=len(firsts),
                resolved=len(resolutions),
                first=[_interpolate(firsts, p) for p in FRACTIONS],
                resolution=[_interpolate(resolutions, p) for p in FRACTIONS],
            )


def _interpolate(values: list[int], fraction: float) -> timedelta | None:
    """percentile_cont of microseconds in order."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = int(position)
    below = values[low]
    above = values[low + 1] if low + 1 < len(values) else below
    return timedelta(microseconds=round(below + (position - low) * (above - below)))
