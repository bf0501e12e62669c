"""The staff's reports: each report is one small function over one ``ReportScope`` — the
tickets of the departments the viewer sees, narrowed by the filters — aggregated in the
database; Python only folds the few grouped rows into tables.

Figures are about the tickets opened in the period (Brasília dates), except tickets closed
per day (closed in the period) and the backlog (now). A duplicate merged into another ticket
is not counted: it is the same request. Business times are the SLA clock's own figures
(``TicketSla.first_response_time``, and ``resolution_used`` once closed), so an unlinked
ticket, which has no clock, has none. A new report is one more function joining what it
needs to ``scope.opened()`` (as ``satisfaction`` joins the ratings) and one entry in
``REPORTS``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Case,
    Count,
    DurationField,
    F,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.accounts.models import Department, User, Viewer
from balcao.customers.models import Plan
from balcao.events.models import Event, EventKind
from balcao.satisfaction.models import LOW
from balcao.sla.models import ClockState
from balcao.tickets.models import Origin, Status, Ticket
from balcao.tickets.selectors import visible_departments

COMPANIES_PER_PAGE = 25
Label = str | Promise


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


# --- who sees what: the one selector taking the viewer ----------------------------------------


@dataclass(frozen=True)
class ReportChoices:
    """What a viewer may filter by: the departments it sees (its own; restricted ones only as
    director; all as administrator), the plans, and the staff of those departments."""

    departments: list[Department]
    plans: list[Plan]
    agents: list[User]


def report_choices(viewer: Viewer) -> ReportChoices:
    departments = list(visible_departments(viewer).order_by("position", "name"))
    agents = (
        User.objects.filter(departments__in=departments, is_active=True)
        .exclude(role="")
        .distinct()
        .order_by("name", "email")
    )
    return ReportChoices(
        departments=departments,
        plans=list(Plan.objects.order_by("tier")) if departments else [],
        agents=list(agents) if departments else [],
    )


@dataclass(frozen=True)
class ReportScope:
    """The tickets a report counts: of ``departments`` (chosen among the viewer's), of
    companies on ``plan``, assigned to ``agent``; ``page`` of a ranked list (None: all)."""

    choices: ReportChoices
    start: date
    end: date  # inclusive
    department: Department | None = None
    plan: Plan | None = None
    agent: User | None = None
    page: int | None = 1

    @property
    def departments(self) -> list[Department]:
        return [self.department] if self.department else self.choices.departments

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        zone = report_zone()
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end + timedelta(days=1), time(), zone),
        )

    def tickets(self) -> QuerySet[Ticket]:
        """Every ticket of the scope, whenever opened."""
        tickets = Ticket.objects.filter(
            department_id__in=[d.pk for d in self.departments], merged_into__isnull=True
        )
        if self.plan is not None:
            tickets = tickets.filter(company__plan=self.plan)
        if self.agent is not None:
            tickets = tickets.filter(assignee=self.agent)
        return tickets.order_by()

    def opened(self) -> QuerySet[Ticket]:
        start, end = self.bounds
        return self.tickets().filter(created_at__gte=start, created_at__lt=end)


# --- what a report returns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: Label
    kind: str = "count"  # text | date | count | percent | duration


@dataclass
class Table:
    key: str
    title: Label
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    page: Page[Any] | None = None

    @property
    def shown_columns(self) -> list[Column]:
        """The columns with their labels translated once, not once per cell of a long table."""
        return [Column(str(column.label), column.kind) for column in self.columns]

    @property
    def cells(self) -> list[list[tuple[Any, Column]]]:
        """Each row's values beside their column, for the templates."""
        columns = self.shown_columns
        return [list(zip(row, columns, strict=True)) for row in self.rows]

    @property
    def total_cells(self) -> list[tuple[Any, Column]]:
        return list(zip(self.total, self.shown_columns, strict=True)) if self.total else []


@dataclass(frozen=True)
class Chart:
    """``kind`` "bars" (one bar per label and series) or "lines" (one point per label);
    ``unit`` "count", "hours" or "percent" (bars out of 100)."""

    kind: str
    title: Label
    labels: list[str]
    series: list[tuple[Label, list[float]]]
    unit: str = "count"


@dataclass
class Result:
    tables: list[Table]
    chart: Chart | None = None
    notes: list[Label] = field(default_factory=list)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _departments(scope: ReportScope) -> dict[int, str]:
    return {d.pk: d.localized("name") for d in scope.departments}


def _plans(scope: ReportScope) -> dict[int | None, str]:
    names: dict[int | None, str] = {p.pk: p.localized("name") for p in scope.choices.plans}
    names[None] = str(_("No company (unlinked)"))
    return names


def _sum(rows: Iterable[Sequence[Any]], columns: slice) -> list[int]:
    """Column sums of the counts at ``columns`` of each row."""
    sums: list[int] = []
    for row in rows:
        values = list(row[columns])
        sums = [a + b for a, b in zip(sums, values, strict=True)] if sums else values
    return sums


# --- volume ----------------------------------------------------------------------------------


def volume(scope: ReportScope) -> Result:
    """Tickets opened and closed per day and per department."""
    start, end = scope.bounds
    opened = (
        scope.opened()
        .annotate(day=LocalDate("created_at", start, end))
        .values_list("day", "department_id")
        .annotate(n=Count("pk"))
    )
    closed = (
        scope.tickets()
        .filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(day=LocalDate("closed_at", start, end))
        .values_list("day", "department_id")
        .annotate(n=Count("pk"))
    )
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    per_department: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for column, rows in ((0, opened), (1, closed)):
        for day, department, n in rows:
            per_day[day][column] += n
            per_department[department][column] += n
    days = [scope.start + timedelta(days=i) for i in range((scope.end - scope.start).days + 1)]
    day_rows: list[list[Any]] = [[day, *per_day[day]] for day in days]
    department_rows = [[name, *per_department[pk]] for pk, name in _departments(scope).items()]
    columns = [
        Column(pgettext_lazy("report column", "Opened")),
        Column(pgettext_lazy("report column", "Closed")),
    ]
    return Result(
        tables=[
            Table("days", _("Per day"), [Column(_("Day"), "date"), *columns], day_rows),
            Table(
                "departments",
                _("Per department"),
                [Column(_("Department"), "text"), *columns],
                department_rows,
                total=[_("Total"), *(_sum(department_rows, slice(1, 3)) or [0, 0])],
            ),
        ],
        chart=Chart(
            "lines",
            _("Tickets opened and closed per day"),
            [day.isoformat() for day in days],
            [
                (pgettext_lazy("report column", "Opened"), [r[1] for r in day_rows]),
                (pgettext_lazy("report column", "Closed"), [r[2] for r in day_rows]),
            ],
        ),
        notes=[_("Closed: tickets closed in the period, whenever they were opened.")],
    )


# --- backlog ---------------------------------------------------------------------------------


OPEN = [value for value in Status.values if value != Status.CLOSED]


def backlog(scope: ReportScope) -> Result:
    """Tickets not closed now, per status (the period does not apply)."""
    counts = dict(
        # A list of statuses, not "<> closed", so that the status index can serve.
        scope.tickets().filter(status__in=OPEN).values_list("status").annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    rows: list[list[Any]] = [
        [str(label), counts.get(value, 0), percent(counts.get(value, 0), total)]
        for value, label in Status.choices
        if value != Status.CLOSED
    ]
    return _counted(
        ("statuses", _("Per status"), _("Status"), _("Open tickets per status")),
        rows,
        total,
        notes=[_("Tickets not closed now, whatever the period.")],
    )


def _counted(
    names: tuple[str, Label, Label, Label],
    rows: list[list[Any]],
    total: int,
    notes: Sequence[Label] = (),
) -> Result:
    """One table of [name, tickets, share] rows under ``names`` (key, title, what a row is,
    the chart's title), with its total and a bar chart of the tickets."""
    key, title, label, chart_title = names
    return Result(
        tables=[
            Table(
                key,
                title,
                [Column(label, "text"), Column(_("Tickets")), Column(_("Share"), "percent")],
                rows,
                total=[_("Total"), total, percent(total, total)],
            )
        ],
        chart=Chart(
            "bars", chart_title, [r[0] for r in rows], [(_("Tickets"), [r[1] for r in rows])]
        ),
        notes=list(notes),
    )


# --- business times --------------------------------------------------------------------------


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


DURATION_COLUMNS = [
    Column(pgettext_lazy("report column", "Opened")),
    Column(pgettext_lazy("report column", "Answered")),
    Column(_("Median first response"), "duration"),
    Column(_("90th percentile first response"), "duration"),
    Column(_("Closed with SLA")),
    Column(_("Median resolution"), "duration"),
    Column(_("90th percentile resolution"), "duration"),
]


def times(scope: ReportScope) -> Result:
    """First response and resolution in business hours: median and 90th percentile, per
    department and per agent (the assignee)."""
    found = durations(scope.opened(), ["department_id", "assignee_id"])
    per_department, total = found["department_id"], found[TOTAL].get(0, Durations())
    per_agent = {pk: d for pk, d in found["assignee_id"].items() if pk is not None}
    department_rows = [
        [name, *per_department[pk].row()]
        for pk, name in _departments(scope).items()
        if pk in per_department
    ]
    agent_names = {a.pk: a.display_name for a in scope.choices.agents}
    agent_rows = [
        [agent_names.get(pk, str(_("Staff outside these departments"))), *d.row()]
        for pk, d in sorted(per_agent.items(), key=lambda item: agent_names.get(item[0], "~"))
    ]
    hours = [r[3].total_seconds() / 3600 if r[3] else 0 for r in department_rows]
    return Result(
        tables=[
            Table(
                "departments",
                _("Per department"),
                [Column(_("Department"), "text"), *DURATION_COLUMNS],
                department_rows,
                total=[_("Total"), *total.row()],
            ),
            Table(
                "agents",
                _("Per agent"),
                [Column(_("Agent"), "text"), *DURATION_COLUMNS],
                agent_rows,
            ),
        ],
        chart=Chart(
            "bars",
            _("Median first response per department (business hours)"),
            [r[0] for r in department_rows],
            [(_("Median first response"), hours)],
            unit="hours",
        ),
        notes=[
            _(
                "Business hours of the SLA calendar. Resolution: the time the team owed an "
                "answer until closing, waiting for the customer left out. Unlinked tickets "
                "have no SLA clock and no times."
            )
        ],
    )


# --- SLA compliance --------------------------------------------------------------------------


def _compliance_counts(now: datetime) -> dict[str, Count]:
    live = [ClockState.RUNNING, ClockState.PAUSED]
    first_breached = Q(sla__first_response_breached=True) | Q(
        sla__first_response_at__isnull=True,
        sla__first_response_due__lte=now,
        sla__state__in=live,
    )
    with_resolution = Q(sla__resolution_minutes__gt=0)
    resolution_breached = with_resolution & (
        Q(sla__resolution_breached=True) | Q(sla__resolution_due__lte=now)
    )
    return {
        "first_met": Count(
            "pk",
            filter=Q(sla__first_response_at__isnull=False, sla__first_response_breached=False),
        ),
        "first_breached": Count("pk", filter=first_breached),
        "resolution_met": Count(
            "pk",
            filter=with_resolution
            & Q(sla__state=ClockState.STOPPED, sla__resolution_breached=False),
        ),
        "resolution_breached": Count("pk", filter=resolution_breached),
    }


def _compliance_row(label: Label, counts: Sequence[int]) -> list[Any]:
    first_met, first_breached, resolution_met, resolution_breached = counts
    return [
        label,
        first_met,
        first_breached,
        percent(first_met, first_met + first_breached),
        resolution_met,
        resolution_breached,
        percent(resolution_met, resolution_met + resolution_breached),
    ]


COMPLIANCE_COLUMNS = [
    Column(_("First response met")),
    Column(_("First response breached")),
    Column(_("First response compliance"), "percent"),
    Column(_("Resolution met")),
    Column(_("Resolution breached")),
    Column(_("Resolution compliance"), "percent"),
]


def sla(scope: ReportScope) -> Result:
    """SLA compliance per department and per plan: a target counts once met or breached (a
    due passed while still pending is a breach); targets still running are left out."""
    names = _compliance_counts(timezone.now())
    rows = scope.opened().values_list("department_id", "company__plan_id").annotate(**names)
    per_department: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_plan: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for department, plan, *counts in rows:
        for i, n in enumerate(counts):
            per_department[department][i] += n
            per_plan[plan][i] += n
    department_rows = [
        _compliance_row(name, per_department[pk])
        for pk, name in _departments(scope).items()
        if pk in per_department
    ]
    plan_rows = [
        _compliance_row(name, per_plan[pk]) for pk, name in _plans(scope).items() if pk in per_plan
    ]
    total = [sum(c) for c in zip(*per_department.values(), strict=True)] or [0, 0, 0, 0]
    columns = COMPLIANCE_COLUMNS
    return Result(
        tables=[
            Table(
                "departments",
                _("Per department"),
                [Column(_("Department"), "text"), *columns],
                department_rows,
                total=_compliance_row(_("Total"), total),
            ),
            Table("plans", _("Per plan"), [Column(_("Plan"), "text"), *columns], plan_rows),
        ],
        chart=Chart(
            "bars",
            _("Compliance per department"),
            [r[0] for r in department_rows],
            [
                (_("First response"), [r[3] or 0 for r in department_rows]),
                (_("Resolution"), [r[6] or 0 for r in department_rows]),
            ],
            unit="percent",
        ),
        notes=[_("Targets still running are not counted; — where nothing was due.")],
    )


# --- reopen rate -----------------------------------------------------------------------------


def reopens(scope: ReportScope) -> Result:
    """Of the tickets closed at least once, the share reopened (by a reply or by staff)."""
    reopened = Q(pk__in=Event.objects.filter(kind=EventKind.REOPENED).values("ticket_id"))
    counts = {
        department: [closed, again]
        for department, closed, again in scope.opened()
        .values_list("department_id")
        .annotate(
            closed=Count("pk", filter=Q(status=Status.CLOSED) | reopened),
            again=Count("pk", filter=reopened),
        )
    }
    rows = [
        [name, *counts[pk], percent(counts[pk][1], counts[pk][0])]
        for pk, name in _departments(scope).items()
        if pk in counts
    ]
    closed, again = _sum(rows, slice(1, 3)) or [0, 0]
    return Result(
        tables=[
            Table(
                "departments",
                _("Per department"),
                [
                    Column(_("Department"), "text"),
                    Column(_("Closed at least once")),
                    Column(pgettext_lazy("report column", "Reopened")),
                    Column(_("Reopen rate"), "percent"),
                ],
                [r for r in rows if r[1]],
                total=[_("Total"), closed, again, percent(again, closed)],
            )
        ],
        chart=Chart(
            "bars",
            _("Reopen rate per department"),
            [r[0] for r in rows if r[1]],
            [(_("Reopen rate"), [r[3] or 0 for r in rows if r[1]])],
            unit="percent",
        ),
    )


# --- tickets per channel, plan, company ------------------------------------------------------


def _shares(label: Label, names: dict[Any, str], counts: dict[Any, int], key: str) -> Result:
    total = sum(counts.values())
    rows: list[list[Any]] = [
        [name, counts[k], percent(counts[k], total)] for k, name in names.items() if counts.get(k)
    ]
    return _counted((key, _("Tickets opened"), label, _("Tickets opened")), rows, total)


def channels(scope: ReportScope) -> Result:
    """Tickets opened per channel of origin."""
    counts = dict(scope.opened().values_list("origin").annotate(n=Count("pk")))
    return _shares(_("Channel"), {v: str(label) for v, label in Origin.choices}, counts, "channels")


def plans(scope: ReportScope) -> Result:
    """Tickets opened per plan of the company (unlinked tickets apart)."""
    counts = dict(scope.opened().values_list("company__plan_id").annotate(n=Count("pk")))
    return _shares(_("Plan"), _plans(scope), counts, "plans")


def companies(scope: ReportScope) -> Result:
    """Companies by tickets opened, most first, a page at a time (every one in the CSV)."""
    ranked = (
        scope.opened()
        .filter(company__isnull=False)
        .values_list("company_id", "company__name", "company__plan_id")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=~Q(status=Status.CLOSED)))
        .order_by("-n", "company__name", "company_id")
    )
    page = None
    if scope.page is not None:
        page = Paginator(ranked, COMPANIES_PER_PAGE).get_page(scope.page)
        chosen: Iterable[tuple[Any, ...]] = page.object_list
    else:
        chosen = ranked
    plan_names = _plans(scope)
    rows = [[name, plan_names.get(plan, ""), n, left] for _pk, name, plan, n, left in chosen]
    return Result(
        tables=[
            Table(
                "companies",
                _("Companies with the most tickets"),
                [
                    Column(_("Company"), "text"),
                    Column(_("Plan"), "text"),
                    Column(_("Tickets")),
                    Column(_("Not closed")),
                ],
                rows,
                page=page,
            )
        ],
        chart=Chart(
            "bars",
            _("Tickets opened per company"),
            [r[0] for r in rows],
            [(_("Tickets"), [r[2] for r in rows])],
        ),
    )


# --- satisfaction ----------------------------------------------------------------------------

SATISFIED = 4  # CSAT: the share of answers of 4 or 5


def _satisfaction_row(
    label: Label, closed: int, ratings: int, scores: int, happy: int, low: int
) -> list[Any]:
    return [
        label,
        closed,
        ratings,
        percent(ratings, closed),
        round(scores / ratings, 2) if ratings else None,
        percent(happy, ratings),
        low,
    ]


def satisfaction(scope: ReportScope) -> Result:
    """CSAT ("Como foi o atendimento?", 1–5) of the tickets opened in the period: per
    department, and per agent the customer rated (the ticket's assignee when answered)."""
    rows = (
        scope.opened()
        .values_list("department_id", "satisfaction__agent_id")
        .annotate(
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            ratings=Count("satisfaction"),
            scores=Sum("satisfaction__score", default=0),
            happy=Count("pk", filter=Q(satisfaction__score__gte=SATISFIED)),
            low=Count("pk", filter=Q(satisfaction__score__lte=LOW)),
        )
    )
    per_department: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    per_agent: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    for department, agent, *counts in rows:
        for i, n in enumerate(counts):
            per_department[department][i] += n
            if agent is not None:
                per_agent[agent][i] += n
    department_rows = [
        _satisfaction_row(name, *per_department[pk])
        for pk, name in _departments(scope).items()
        if pk in per_department
    ]
    agent_names = {a.pk: a.display_name for a in scope.choices.agents}
    agent_rows = []
    for pk, counts in sorted(per_agent.items(), key=lambda item: agent_names.get(item[0], "~")):
        name = agent_names.get(pk, str(_("Staff outside these departments")))
        row = _satisfaction_row(name, *counts)
        agent_rows.append([name, row[2], *row[4:]])  # closed and answer rate: the department's
    totals = [sum(c) for c in zip(*per_department.values(), strict=True)] or [0] * 5
    columns = [
        Column(_("Ratings")),
        Column(_("Average score"), "decimal"),
        Column(_("CSAT (4 or 5)"), "percent"),
        Column(_("Low scores (1 or 2)")),
    ]
    return Result(
        tables=[
            Table(
                "departments",
                _("Per department"),
                [
                    Column(_("Department"), "text"),
                    Column(pgettext_lazy("report column", "Closed")),
                    columns[0],
                    Column(_("Answer rate"), "percent"),
                    *columns[1:],
                ],
                department_rows,
                total=_satisfaction_row(_("Total"), *totals),
            ),
            Table("agents", _("Per agent"), [Column(_("Agent"), "text"), *columns], agent_rows),
        ],
        chart=Chart(
            "bars",
            _("CSAT per department"),
            [r[0] for r in department_rows if r[2]],
            [(_("CSAT (4 or 5)"), [r[5] or 0 for r in department_rows if r[2]])],
            unit="percent",
        ),
        notes=[_("Answer rate: ratings of the closed tickets. CSAT: the share of 4 and 5.")],
    )


# --- the list of reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: Label
    build: Callable[[ReportScope], Result]


REPORTS = {
    spec.slug: spec
    for spec in [
        ReportSpec("volume", _("Volume"), volume),
        ReportSpec("pendentes", _("Backlog"), backlog),
        ReportSpec("tempos", _("Response times"), times),
        ReportSpec("sla", _("SLA compliance"), sla),
        ReportSpec("reaberturas", _("Reopen rate"), reopens),
        ReportSpec("satisfacao", _("Satisfaction"), satisfaction),
        ReportSpec("canais", _("Channels"), channels),
        ReportSpec("planos", _("Plans"), plans),
        ReportSpec("empresas", _("Companies"), companies),
    ]
}
