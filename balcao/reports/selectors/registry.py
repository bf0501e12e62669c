"""The list of reports: each one's slug (its address), title and function."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from balcao.reports.selectors.compliance import sla
from balcao.reports.selectors.csat import satisfaction
from balcao.reports.selectors.reopen_rate import reopens
from balcao.reports.selectors.response_times import times
from balcao.reports.selectors.results import Label, Result
from balcao.reports.selectors.scope import ReportScope
from balcao.reports.selectors.shares import channels, companies, plans
from balcao.reports.selectors.workload import backlog, volume


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
