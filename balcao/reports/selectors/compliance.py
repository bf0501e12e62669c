"""SLA compliance: first response and resolution targets met or breached, per department and
per plan."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.reports.selectors.results import Chart, Column, Label, Result, Table, percent
from balcao.reports.selectors.scope import ReportScope, _departments, _plans
from balcao.sla.models import ClockState


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
