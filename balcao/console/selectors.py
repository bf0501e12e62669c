"""Reads for the staff console, always for a viewer and always through tickets' visibility."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.functional import cached_property
from redis.exceptions import RedisError

from balcao.accounts.models import Department, User
from balcao.core.health import worker_status
from balcao.core.listcache import generation, kept
from balcao.core.prepared import prepared_instances, prepared_rows
from balcao.customers.models import AddOn, Company, Contact
from balcao.customers.validators import normalize_cnpj
from balcao.search.selectors import is_search, ranked_page
from balcao.sla.selectors import sla_counts
from balcao.tickets.models import PRIORITY_ORDER, Status, Ticket
from balcao.tickets.selectors import (
    CountOf,
    kept_count_rows,
    known_page,
    list_tickets,
    stand_in,
    ticket_counts,
    visible_departments,
    visible_tickets,
)

# The order a queue is worked in: what waits for the team first, what waits for nobody last.
STATUS_ORDER = [
    Status.CUSTOMER_REPLY,
    Status.OPEN,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.ANSWERED,
    Status.CLOSED,
]

SORTS = {
    "updated": ("-updated_at", "-id"),
    "-updated": ("updated_at", "id"),
    "created": ("-created_at", "-id"),
    "-created": ("created_at", "id"),
    "number": ("-number",),
    "-number": ("number",),
    "status": ("status_rank", "-updated_at", "-id"),
    "sla": (F("sla__next_due").asc(nulls_last=True), "-updated_at", "-id"),
    "priority": ("priority_rank", "-updated_at", "-id"),
}

MAIL_STUCK_KEY = "console:mail-stuck"


def _rank(field: str, order: Sequence[str]) -> Case:
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(order)),
        output_field=IntegerField(),
    )


@dataclass
class Queue:
    """One department's tickets counted per status."""

    department: Department
    counts: dict[str, int] = field(default_factory=dict)
    at_risk: int = 0  # SLA (R15): open tickets near their due time, and past it
    breached: int = 0

    @property
    def active(self) -> int:
        return sum(n for status, n in self.counts.items() if status != Status.CLOSED)

    def per_status(self) -> list[tuple[Status, int]]:
        return [(status, self.counts.get(status, 0)) for status in STATUS_ORDER]


@dataclass
class Queues:
    departments: list[Queue]
    unlinked_active: int
    # when they were counted: the home page rendered from them is kept under it (a plain
    # default, which queues cached by an earlier release without it read as well)
    counted_at: float = 0.0


QUEUES_SECONDS = 30


def queue_counts(viewer: User, version: str) -> Queues:
    """The home's queues, kept in the shared cache under the viewer's list token
    (``tickets_version``): an unchanged token means no ticket the viewer sees changed, so the
    counts per status are exact; the SLA counts also move with time alone and are at most
    QUEUES_SECONDS old (the home's poll swaps only when the token moves, as before). Made
    afresh, they read the counts the database keeps and the live clocks, no ticket."""
    key = queues_key(viewer, version)
    cached = cache.get(key)
    if isinstance(cached, Queues):
        return cached
    queues = _queue_counts(viewer)
    cache.set(key, queues, QUEUES_SECONDS)
    return queues


def queues_key(viewer: User, version: str) -> str:
    """Where ``queue_counts`` keeps the viewer's queues under the list token ``version``."""
    return f"console:queues:{viewer.pk}:{version}"


def _queue_counts(viewer: User) -> Queues:
    """Each visible department with its counts per status, and the unlinked tickets still
    waiting, from the counts the database keeps per (department, status, linked)
    (``tickets.selectors.ticket_counts``: a few rows a key, whatever the number of tickets);
    the SLA counts from the live clocks of the departments seen."""

    def departments(pk: int) -> QuerySet[Department]:
        return visible_departments(stand_in(viewer, pk)).order_by("position", "name")

    # by SQL built once per role (core.prepared), as the counts below
    shape = ("queue_departments", viewer.role, viewer.is_superuser)
    queues = {d.pk: Queue(d) for d in prepared_instances(shape, departments, viewer.pk)}
    counts = ticket_counts(viewer, queues)
    for department_id, per_status in counts.per_status.items():
        queues[department_id].counts = per_status
    for department_id, (at_risk, breached) in sla_counts(viewer).items():
        queue = queues.get(department_id)
        if queue is not None:
            queue.at_risk, queue.breached = at_risk, breached
    return Queues(list(queues.values()), counts.unlinked_waiting, counted_at=time.time())


def my_open_tickets(viewer: User, limit: int = 20) -> list[Ticket]:
    """The viewer's own tickets not closed, last updated first, by SQL built once per role
    (core.prepared)."""

    def mine_of(pk: int) -> QuerySet[Ticket]:
        return (
            visible_tickets(stand_in(viewer, pk))
            .filter(assignee=pk)
            .exclude(status=Status.CLOSED)
            .select_related("department", "company")
            .order_by("-updated_at", "-id")[:limit]
        )

    shape = ("my_open_tickets", viewer.role, viewer.is_superuser, limit)
    return prepared_instances(shape, mine_of, viewer.pk)


def console_tickets(viewer: User, *, sort: str = "updated", **filters: Any) -> QuerySet[Ticket]:
    """The ticket list of the console: tickets.selectors.list_tickets, sorted as asked."""
    tickets = list_tickets(viewer, **filters)
    if sort == "relevance" and filters.get("q", "").strip():
        return tickets.select_related("sla")  # already best match first
    if sort == "status":
        tickets = tickets.annotate(status_rank=_rank("status", STATUS_ORDER))
    elif sort == "priority":
        tickets = tickets.annotate(priority_rank=_rank("priority", PRIORITY_ORDER))
    return tickets.select_related("sla").order_by(*SORTS.get(sort, SORTS["updated"]))


COUNT_CAP = 10_000


class CappedPaginator(Paginator[Any]):
    """Counts at most COUNT_CAP + 1 rows: an unfiltered list of a large desk says "more than
    10,000" instead of counting every ticket on every request (pages go up to the cap).
    ``ids`` are sliced for a page; ``counted`` (the same tickets, in any order) is counted —
    or, given ``kept`` (``tickets.selectors.kept_count_rows``), the counts the database keeps
    are summed instead, and no ticket is read for the count."""

    def __init__(
        self,
        ids: "QuerySet[Ticket, Any] | DueFirst",
        per_page: int,
        counted: QuerySet[Ticket],
        kept: "QuerySet[Any, int] | None" = None,
    ) -> None:
        super().__init__(ids, per_page)  # type: ignore[arg-type]
        self.counted, self.kept = counted, kept

    @cached_property
    def count(self) -> int:
        if self.kept is not None:
            return min(self.kept.aggregate(total=Sum("n"))["total"] or 0, COUNT_CAP + 1)
        return self.counted.order_by()[: COUNT_CAP + 1].count()  # any 10,001 rows: no sort

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP


class KeptCount(Subquery):
    """``(SELECT COALESCE(SUM(n), 0) FROM (<kept count rows>))``: the sum of the counts the
    database keeps as a column of another query, as ``CountOf`` counts tickets."""

    template = "(SELECT COALESCE(SUM(n), 0) FROM (%(subquery)s) kept)"
    output_field = IntegerField()


class DueFirst:
    """The ``(id, updated_at)`` of ``tickets`` in the SLA order (what is due soonest first,
    then the tickets with nothing due, last updated first), sliced by the paginator. Ordering the whole list
    by the clock's ``next_due`` joined the clocks to every ticket and sorted them all (20 ms
    for the 20,000 open tickets of 100,000 on PostgreSQL, 67 ms unfiltered); split in two,
    the first part reads along the ``next_due`` index and stops at the page (1 ms), and the
    second (asked only past the tickets that have a due) along ``-updated_at``."""

    def __init__(self, tickets: QuerySet[Ticket]) -> None:
        ids = tickets.select_related(None).values_list("pk", "updated_at")
        self.due = ids.filter(sla__next_due__isnull=False).order_by(
            "sla__next_due", "-updated_at", "-id"
        )
        self.rest = ids.filter(sla__next_due__isnull=True).order_by("-updated_at", "-id")

    def __getitem__(self, window: slice) -> list[tuple[int, datetime]]:
        start, stop = window.start or 0, window.stop
        ids = list(self.due[start:stop])
        if len(ids) == stop - start:
            return ids
        due = start + len(ids) if ids else self.due.count()
        return ids + list(self.rest[max(start - due, 0) : stop - due])


def console_page(
    viewer: User, number: int | str | None, *, size: int, sort: str = "updated", **filters: Any
) -> Page[Any]:
    """One page of the console list: its tickets' ``(id, updated_at)`` in order (``updated_at``
    None in a search by relevance), which ``console.listed.console_rows`` loads with all they
    show. The count and the order are taken on the narrow rows (ticket and clock), then only
    that page's tickets are loaded: at 100,000 tickets, sorting the joined rows costs several
    times more; and a list made again after a change loads only the tickets that changed. A
    search by relevance takes its total with the page's ids (one ranking of the matches, not
    two)."""
    q = filters.get("q", "")
    page: Page[Any]
    if sort == "relevance" and is_search(q):
        page = ranked_page(
            list_tickets(viewer, **{**filters, "q": ""}), q, number, size, staff=True
        )
        page.object_list = [(pk, None) for pk in page.object_list]
        return page
    if sort == "sla":
        tickets = list_tickets(viewer, **filters)
        kept = kept_count_rows(viewer, **filters)
        page = CappedPaginator(DueFirst(tickets), size, tickets, kept).get_page(number)
        page.object_list = list(page.object_list)
        return page
    return _counted_page(viewer, number, size, sort, filters)


def _counted_page(
    viewer: User, number: int | str | None, size: int, sort: str, filters: dict[str, Any]
) -> Page[Any]:
    """The ``(id, updated_at)`` of the page asked for, with the list's capped count taken by
    the page's own query (one round trip, not two); an empty first page is an empty list.
    Only a page number past the last page counts alone first (as Django's paginator does),
    then reads the page it shows instead; a number past the cap's last page does not even
    look (nor send the database an offset it cannot hold)."""
    try:
        asked = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        asked = 1
    if 1 <= asked <= -(-(COUNT_CAP + 1) // size):  # not past any capped list
        start = (asked - 1) * size
        rows = _page_rows(viewer, sort, filters, start, size)
        if rows or asked == 1:
            count = min(rows[0][2], COUNT_CAP + 1) if rows else 0
            shown = [(pk, stamp) for pk, stamp, _total in rows[: count - start]]
            nothing = Ticket.objects.none()
            page = known_page(shown, asked, count, CappedPaginator(nothing, size, nothing))
            if page is not None:
                return page
    tickets = console_tickets(viewer, sort=sort, **filters).select_related(None)
    ids = tickets.values_list("pk", "updated_at")
    page = CappedPaginator(ids, size, tickets, kept_count_rows(viewer, **filters)).get_page(number)
    page.object_list = list(page.object_list)
    return page


def _page_rows(
    viewer: User, sort: str, filters: dict[str, Any], start: int, size: int
) -> list[tuple[int, datetime, int]]:
    """The page's ``(id, updated_at, count)`` rows. Without words to search, its SQL is built
    once per role, order, filters and page (core.prepared): building this query cost the ORM
    ~3 ms of CPU, a seventh of a list's first view and a third of a list made again after a
    change (issue 17)."""

    def rows_of(who: User) -> QuerySet[Any, tuple[int, datetime, int]]:
        tickets = console_tickets(who, sort=sort, **filters).select_related(None)
        kept = kept_count_rows(who, **filters)
        total: Subquery = (
            KeptCount(kept)
            if kept is not None
            else CountOf(tickets.order_by().values("pk")[: COUNT_CAP + 1])
        )
        page = tickets.annotate(total=total).values_list("pk", "updated_at", "total")
        return page[start : start + size]

    if filters.get("q", "").strip():  # a search's words are no shape to keep
        return list(rows_of(viewer))
    role = (viewer.role, viewer.is_superuser)
    shape = ("console_page", role, sort, start, size, COUNT_CAP, *sorted(filters.items()))
    return prepared_rows(shape, lambda pk: rows_of(stand_in(viewer, pk)), viewer.pk)


def list_staff(viewer: User) -> list[User]:
    """Active staff working in the departments the viewer sees (for filters and bulk assign),
    by SQL built once per role (core.prepared; its compiling was most of what it cost)."""

    def staff_of(pk: int) -> QuerySet[User]:
        departments = visible_departments(stand_in(viewer, pk)).values("id")
        return (
            User.objects.filter(is_active=True)
            .exclude(role="")
            .filter(Q(departments__in=departments) | Q(role=User.Role.ADMINISTRATOR) | Q(pk=pk))
            .distinct()
            .order_by("name", "email")
        )

    return prepared_instances(("list_staff", viewer.role, viewer.is_superuser), staff_of, viewer.pk)


def departments_seen(viewer: User) -> list[Department]:
    """The departments the viewer sees (``visible_departments``), for the list's filter, by SQL
    built once per role (core.prepared)."""

    def departments_of(pk: int) -> QuerySet[Department]:
        return visible_departments(stand_in(viewer, pk))

    key = ("departments_seen", viewer.role, viewer.is_superuser)
    return prepared_instances(key, departments_of, viewer.pk)


def assignable_staff(department: Department) -> list[User]:
    """Who may take a ticket of ``department`` (the rule do_assign_ticket enforces)."""
    who = Q(departments=department) | Q(role=User.Role.ADMINISTRATOR) | Q(is_superuser=True)
    if department.restricted:
        who |= Q(role=User.Role.DIRECTOR)
    return list(
        User.objects.filter(is_active=True)
        .exclude(role="")
        .filter(who)
        .distinct()
        .order_by("name", "email")
    )


def kept_assignable_staff(department: Department, names: int | None) -> list[User]:
    """``assignable_staff``, kept under the names counter ``names`` (``core.listcache.
    names_version``, read by the caller), which every change of a staff member's name, role,
    activity or departments moves."""
    staff: list[User] = kept(
        ("assignable", department.pk, department.restricted, names, generation()),
        lambda: assignable_staff(department),
    )
    return staff


@dataclass(frozen=True)
class CustomerPanel:
    company: Company | None
    addons: list[AddOn]
    requester_contact: Contact | None
    primary_contact: Contact | None
    other_open: int


def other_open(viewer: User) -> Subquery:
    """How many other tickets of a ticket's company the viewer sees still open, read with the
    ticket (``read_ticket(annotate=...)``)."""
    return Subquery(
        visible_tickets(viewer)
        .filter(company=OuterRef("company_id"))
        .exclude(status=Status.CLOSED)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def customer_panel(viewer: User, ticket: Ticket) -> CustomerPanel:
    """Who wrote and for which company: plan, add-ons, whether the requester is authorized,
    and how many other tickets of the company the viewer sees still open. A ticket read with
    the names counter (``names``) and ``other_open`` (the page's): the contacts and add-ons
    kept under that counter, which their changes move (``customers.actions``), the count read
    with the ticket; any other ticket: all read here."""
    company = ticket.company
    if company is None:
        return CustomerPanel(None, [], None, None, 0)
    email = ticket.requester_email.lower()

    def read() -> tuple[list[Contact], list[AddOn]]:
        # only the fields the panel shows: what is kept in the shared cache holds no more
        contacts = (
            Contact.objects.select_related("user")
            .only("company_id", "is_primary", "user__email", "user__name")
            .filter(
                Q(is_primary=True) | Q(user__email__iexact=email),
                company=company,
                user__is_active=True,
            )
        )
        return list(contacts), list(company.addons.all())

    if hasattr(ticket, "names"):
        contacts, addons = kept(("panel", company.pk, email, ticket.names, generation()), read)
    else:
        contacts, addons = read()
    requester = next((c for c in contacts if c.user.email.lower() == email), None)
    primary = next((c for c in contacts if c.is_primary), None)
    if hasattr(ticket, "other_open"):
        others = ticket.other_open or 0
    else:
        others = (
            visible_tickets(viewer)
            .filter(company=company)
            .exclude(status=Status.CLOSED)
            .exclude(pk=ticket.pk)
            .count()
        )
    return CustomerPanel(company, addons, requester, primary, others)


def search_companies(q: str, limit: int = 10) -> list[Company]:
    """Active companies by name, or by CNPJ (punctuation optional), for linking a ticket."""
    q = q.strip()
    if not q:
        return []
    match = Q(name__icontains=q)
    digits = normalize_cnpj(q)
    if len(digits) >= 4:
        match |= Q(cnpj__startswith=digits)
    return list(
        Company.objects.filter(match, is_active=True)
        .select_related("plan")
        .order_by("name")[:limit]
    )


def companies_called(text: str) -> list[Company]:
    """The console list's company filter: active companies named ``text`` (case aside) or
    with that CNPJ (punctuation optional); two at most — more than one is ambiguous."""
    digits = normalize_cnpj(text)
    match = Q(cnpj=digits) if len(digits) == 14 else Q(name__iexact=text.strip())
    return list(Company.objects.filter(match, is_active=True).order_by("pk")[:2])


def get_company(company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    return Company.objects.select_related("plan").filter(pk=company_id, is_active=True).first()


def mail_stuck(viewer: User) -> bool:
    """Whether staff are warned that mail is not going out (worker silent, or a task waiting
    too long); shared by every page for a few seconds so that it costs the pages nothing."""
    if not viewer.is_agent:
        return False
    return bool(cache.get_or_set(MAIL_STUCK_KEY, _mail_stuck, 15))


def _mail_stuck() -> bool:
    try:
        return worker_status().mail_stuck
    except RedisError:  # the queue itself is out of reach: nothing goes out either
        return True


WAITING = [Status.OPEN, Status.CUSTOMER_REPLY, Status.ASSIGNED, Status.IN_PROGRESS]


def next_ticket(viewer: User, *, after: int) -> Ticket | None:
    """The ticket to work on next: mine or nobody's, waiting on the team, the longest
    waiting first; never the one just left."""
    return (
        visible_tickets(viewer)
        .filter(Q(assignee=viewer) | Q(assignee__isnull=True), status__in=WAITING)
        .exclude(number=after)
        .order_by("updated_at", "id")
        .first()
    )
