"""Reopen rate: of the tickets closed at least once, the share reopened, per department."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.events.models import Event, EventKind
from balcao.reports.selectors.results import Chart, Column, Result, Table, _sum, percent
from balcao.reports.selectors.scope import ReportScope, _departments
from balcao.tickets.models import Status


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
