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

One module per subject, every name importable from here (``balcao.reports.selectors``):
``days`` (Brasília dates, in SQL too), ``scope`` (the viewer's choices and ``ReportScope``),
``results`` (tables, charts), ``percentiles`` (business times per group, one query), one
module per report family — ``workload`` (volume, backlog), ``response_times``, ``compliance``
(SLA), ``reopen_rate``, ``shares`` (channels, plans, companies), ``csat`` (satisfaction) —
and ``registry`` (``REPORTS``).
"""

from balcao.reports.selectors.compliance import COMPLIANCE_COLUMNS, sla
from balcao.reports.selectors.csat import SATISFIED, satisfaction
from balcao.reports.selectors.days import LocalDate, report_zone, zone_offsets
from balcao.reports.selectors.percentiles import FRACTIONS, TOTAL, Durations, durations
from balcao.reports.selectors.registry import REPORTS, ReportSpec
from balcao.reports.selectors.reopen_rate import reopens
from balcao.reports.selectors.response_times import DURATION_COLUMNS, times
from balcao.reports.selectors.results import Chart, Column, Label, Result, Table, percent
from balcao.reports.selectors.scope import ReportChoices, ReportScope, report_choices
from balcao.reports.selectors.shares import COMPANIES_PER_PAGE, channels, companies, plans
from balcao.reports.selectors.workload import OPEN, backlog, volume

__all__ = [
    "COMPANIES_PER_PAGE",
    "COMPLIANCE_COLUMNS",
    "DURATION_COLUMNS",
    "FRACTIONS",
    "OPEN",
    "REPORTS",
    "SATISFIED",
    "TOTAL",
    "Chart",
    "Column",
    "Durations",
    "Label",
    "LocalDate",
    "ReportChoices",
    "ReportScope",
    "ReportSpec",
    "Result",
    "Table",
    "backlog",
    "channels",
    "companies",
    "durations",
    "percent",
    "plans",
    "reopens",
    "report_choices",
    "report_zone",
    "satisfaction",
    "sla",
    "times",
    "volume",
    "zone_offsets",
]
