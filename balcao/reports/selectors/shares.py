"""Tickets opened per channel, per plan, and the companies ranked by tickets opened."""

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from balcao.reports.selectors.results import Chart, Column, Label, Result, Table, _counted, percent
from balcao.reports.selectors.scope import ReportScope, _plans
from balcao.tickets.models import Origin, Status

COMPANIES_PER_PAGE = 25


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
