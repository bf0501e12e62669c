"""Response times: first response and resolution in business hours per department and per
agent."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from balcao.reports.selectors.percentiles import TOTAL, Durations, durations
from balcao.reports.selectors.results import Chart, Column, Result, Table
from balcao.reports.selectors.scope import ReportScope, _departments

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
