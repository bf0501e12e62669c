"""The console list's rows as it reads them: each ticket's values and what it joins, without
model instances (console.rows writes them), always through tickets' visibility."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from balcao.accounts.models import User
from balcao.core.models import Localized
from balcao.core.prepared import prepared_rows
from balcao.search.selectors import ticket_snippets
from balcao.sla.selectors import CLOCK_FIELDS, Clock
from balcao.tickets.selectors import stand_in, tag_names, visible_tickets


@dataclass(frozen=True, slots=True)
class Names(Localized):
    """A department's or plan's names, as a row shows them (``localized``)."""

    name: str
    name_en: str


@dataclass(slots=True)
class Listed:
    """A ticket as a row of the console list shows it (console.rows), read as values: the
    model instances of the five tables it joins cost a list made from nothing a fifth of its
    CPU at a million tickets (issue 17: 34-35 -> 26-27 ms in-process)."""

    pk: int
    number: int
    subject: str
    status: str
    priority: str
    requester_name: str
    requester_email: str
    updated_at: datetime
    department: Names
    company: str | None  # its name; None for an unlinked ticket
    plan: Names | None
    assignee: str | None  # their name as shown (``User.display_name``)
    sla: Clock | None
    tag_names: list[str]
    snippet: str = ""


ROW_FIELDS = (
    "pk",
    "number",
    "subject",
    "status",
    "priority",
    "requester_name",
    "requester_email",
    "updated_at",
    "department__name",
    "department__name_en",
    "company__name",
    "company__plan__name",
    "company__plan__name_en",
    "assignee__name",
    "assignee__email",
    *(f"sla__{name}" for name in CLOCK_FIELDS),
)


def console_rows(viewer: User, ids: list[int], q: str) -> list[Listed]:
    """The tickets ``ids`` (of a page of ``console_page``), in that order, with all the list
    shows: department, company and plan, assignee, clock, tags' names, the search's excerpt."""
    if not ids:
        return []
    role = (viewer.role, viewer.is_superuser)

    def rows_of(pk: int, *ids: int) -> QuerySet[Any, tuple[Any, ...]]:
        tickets = visible_tickets(stand_in(viewer, pk)).filter(pk__in=ids)
        return tickets.values_list(*ROW_FIELDS)

    # SQL built once per role and number of rows (core.prepared): the ORM compiled this join
    # of five tables on every list made, ~1.5 ms of a first view's CPU
    found = {
        row[0]: row
        for row in prepared_rows(("console_rows", role, len(ids)), rows_of, viewer.pk, *ids)
    }
    tags = tag_names([pk for pk in ids if pk in found])
    rows = [_listed(found[pk], tags[pk]) for pk in ids if pk in found]
    if q.strip():
        snippets = ticket_snippets(rows, q, staff=True)
        for row in rows:
            row.snippet = snippets.get(row.pk, "")
    return rows


def _listed(values: tuple[Any, ...], tags: list[str]) -> Listed:
    """A row of ``ROW_FIELDS``' values as ``Listed``."""
    pk, number, subject, status, priority, requester_name, requester_email, updated_at = values[:8]
    department, company, plan, assignee = values[8:10], values[10], values[11:13], values[13:15]
    return Listed(
        pk,
        number,
        subject,
        status,
        priority,
        requester_name,
        requester_email,
        updated_at,
        Names(*department),
        company,
        Names(*plan) if company is not None else None,
        (assignee[0] or assignee[1]) if assignee[1] is not None else None,
        Clock.of(values[15:]),
        tags,
    )


def shown_until(tickets: Iterable[Listed]) -> datetime | None:
    """The next instant an SLA badge of these tickets (loaded with their clock) changes by
    time alone — turning "at risk", or "breached" once a due passes — or None."""
    now = timezone.now()
    instants = [
        instant
        for ticket in tickets
        if (sla := ticket.sla) is not None
        for instant in (sla.at_risk_from, sla.next_due)
        if instant is not None and instant > now
    ]
    return min(instants, default=None)
