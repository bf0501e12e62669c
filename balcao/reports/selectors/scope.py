"""Who sees what, and what a report counts: the viewer's choices (the one selector taking the
viewer) and the ``ReportScope`` every report reads, with the names of its departments and
plans."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balcao.accounts.models import Department, User, Viewer
from balcao.customers.models import Plan
from balcao.reports.selectors.days import report_zone
from balcao.tickets.models import Ticket
from balcao.tickets.selectors import visible_departments


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


def _departments(scope: ReportScope) -> dict[int, str]:
    return {d.pk: d.localized("name") for d in scope.departments}


def _plans(scope: ReportScope) -> dict[int | None, str]:
    names: dict[int | None, str] = {p.pk: p.localized("name") for p in scope.choices.plans}
    names[None] = str(_("No company (unlinked)"))
    return names
