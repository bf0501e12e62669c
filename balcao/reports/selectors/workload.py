"""Volume (tickets opened and closed per day and per department) and backlog (not closed now,
per status)."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.reports.selectors.days import LocalDate
from balcao.reports.selectors.results import Chart, Column, Result, Table, _counted, _sum, percent
from balcao.reports.selectors.scope import ReportScope, _departments
from balcao.tickets.models import Status


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
