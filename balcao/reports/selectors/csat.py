"""Satisfaction (CSAT, "Como foi o atendimento?", 1–5) per department and per agent rated."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.reports.selectors.results import Chart, Column, Label, Result, Table, percent
from balcao.reports.selectors.scope import ReportScope, _departments
from balcao.satisfaction.models import LOW
from balcao.tickets.models import Status

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
