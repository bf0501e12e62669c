"""Reads of tickets, always for a viewer: a customer reaches only its company's tickets."""

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.formats import date_format

from balcao.accounts.models import Department, User, Viewer
from balcao.core.errors import NotFound
from balcao.core.listcache import generation, names_version
from balcao.core.prepared import prepared_instance, prepared_instances, prepared_rows
from balcao.customers.models import Contact
from balcao.events.models import Event
from balcao.search.selectors import match_tickets
from balcao.tickets.models import (
    Attachment,
    CannedResponse,
    DepartmentOptions,
    Message,
    Status,
    Tag,
    Ticket,
    TicketCount,
)


def tag_names(ids: list[int]) -> dict[int, list[str]]:
    """The tags' names of the tickets ``ids``, in order, by ticket id, for a list: one query
    for the page, whatever its length, of the names alone (prefetching the tags, their Tag
    instances and the prefetch's machinery cost ~1 ms more a page of 25)."""
    names: dict[int, list[str]] = {pk: [] for pk in ids}

    def pairs(*ids: int) -> QuerySet[Any, tuple[int, str]]:
        tagged = Ticket.tags.through.objects.filter(ticket_id__in=ids).order_by("tag__name")
        return tagged.values_list("ticket_id", "tag__name")

    if names:
        # SQL built once per number of tickets (core.prepared): the ORM compiled it in ~0.5 ms
        for ticket_id, name in prepared_rows(("tag_names", len(names)), pairs, *names):
            names[ticket_id].append(name)
    return names


def visible_departments(viewer: Viewer) -> QuerySet[Department]:
    """Departments whose tickets a staff member sees; restricted ones only for directors."""
    if not isinstance(viewer, User) or not viewer.is_agent:
        return Department.objects.none()
    if viewer.is_administrator:
        return Department.objects.all()
    if viewer.is_director:
        return Department.objects.filter(Q(members=viewer) | Q(restricted=True)).distinct()
    return Department.objects.filter(members=viewer, restricted=False)


def visible_tickets(viewer: Viewer) -> QuerySet[Ticket]:
    """Every ticket ``viewer`` may see, by construction."""
    if not isinstance(viewer, User) or not viewer.is_active:
        return Ticket.objects.none()
    if viewer.is_agent:
        if viewer.is_administrator:
            return Ticket.objects.all()
        seen = Q(department__in=visible_departments(viewer).values("id"))
        if viewer.is_director:
            # R4: the Ouvidoria's complaints refer to an earlier ticket, wherever it was.
            complaints = Ticket.objects.filter(department__restricted=True)
            seen |= Q(pk__in=complaints.exclude(reference=None).values("reference_id"))
        return Ticket.objects.filter(seen)
    # A subquery, not a lookup first: the pages already hold the contact, no second query.
    # Scalar (a contact belongs to one company), not IN: PostgreSQL plans a semi-join after
    # the list's joins and read every ticket (450 ms at 100,000); `=` uses the company index.
    company = Contact.objects.filter(user=viewer, company__is_active=True).values("company_id")
    return Ticket.objects.filter(company_id=Subquery(company[:1]))


@dataclass
class TicketCounts:
    """Tickets a viewer sees, per department and status, and how many unlinked ones wait."""

    per_status: dict[int, dict[str, int]]  # department id → status → tickets
    unlinked_waiting: int  # no company, not closed


def ticket_counts(viewer: Viewer, department_ids: Iterable[int]) -> TicketCounts:
    """What counting ``visible_tickets(viewer)`` per (department, status) over
    ``department_ids`` (the ids ``visible_departments(viewer)`` gives), and its unlinked
    tickets not closed, would give — from the counts the database keeps (``TicketCount``:
    the sum of each key's few rows), not by reading every ticket. A director also sees the
    earlier tickets the restricted departments' complaints refer to, wherever they are: those
    unlinked and waiting outside the departments they see are counted apart, one query of as
    many tickets as there are such complaints."""
    ids = list(department_ids)
    counts = TicketCounts({pk: {} for pk in ids}, 0)
    if not ids or not isinstance(viewer, User) or not viewer.is_active:
        return counts

    def kept_counts(*pks: int) -> QuerySet[Any, Any]:
        return (
            TicketCount.objects.filter(department_id__in=pks)
            .order_by()
            .values_list("department_id", "status", "linked")
            .annotate(total=Sum("n"))
        )

    # by SQL built once per number of departments (core.prepared)
    rows = prepared_rows(("ticket_counts", len(ids)), kept_counts, *ids)
    for department_id, status, linked, total in rows:
        if not total:
            continue
        per_status = counts.per_status[department_id]
        per_status[status] = per_status.get(status, 0) + total
        if not linked and status != Status.CLOSED:
            counts.unlinked_waiting += total
    if viewer.is_director and not viewer.is_administrator:
        complaints = Ticket.objects.filter(department__restricted=True).exclude(reference=None)
        counts.unlinked_waiting += (
            Ticket.objects.filter(pk__in=complaints.values("reference_id"), company__isnull=True)
            .exclude(status=Status.CLOSED)
            .exclude(department_id__in=ids)
            .count()
        )
    return counts


# The filters of list_tickets whose matching tickets the kept counts (TicketCount, keyed by
# department, status and linked-ness) can count.
KEPT_COUNT_FILTERS = frozenset({"status", "department", "unlinked"})


def kept_count_rows(viewer: Viewer, **filters: Any) -> "QuerySet[TicketCount, int] | None":
    """The ``TicketCount`` rows (their ``n``) whose sum is how many tickets
    ``list_tickets(viewer, **filters)`` lists, or None where they cannot say: a filter other
    than status, department or unlinked, or a viewer who sees more than whole departments (a
    contact, or a director, who also sees the tickets complaints refer to). At a million
    tickets, counting even 10,001 of the matching tickets took 14–28 ms a list (issue 17)."""
    if {name for name, value in filters.items() if value} - KEPT_COUNT_FILTERS:
        return None
    if not isinstance(viewer, User) or not viewer.is_active or not viewer.is_agent:
        return None
    if viewer.is_director and not viewer.is_administrator:
        return None
    rows = TicketCount.objects.filter(department_id__in=visible_departments(viewer).values("id"))
    if filters.get("status"):
        rows = rows.filter(status__in=filters["status"].split(","))
    if filters.get("department"):
        rows = rows.filter(department_id=_department_id(filters["department"]))
    if filters.get("unlinked"):
        rows = rows.filter(linked=False)
    return rows.order_by().values_list("n", flat=True)


def stand_in(viewer: User, pk: int) -> User:
    """A staff member of ``viewer``'s role whose id is ``pk``: what a query built once per
    role (core.prepared) is built for, ``pk`` the value put in for each viewer."""
    return User(pk=pk, role=viewer.role, is_superuser=viewer.is_superuser)


def list_version(viewer: Viewer) -> str:
    """Changes whenever a ticket the viewer may list changes, without reading the tickets
    a list shows. Staff: the counters (``tickets_version``, bumped by tickets.actions after
    each commit) of the departments they see, a few rows whatever the number of tickets. A
    contact: the company they see tickets of (None once it is deactivated or they are
    removed) and when its tickets last changed (``updated_at``, which every change a list
    shows moves, and a new ticket has the latest of: one step along the company's index), so
    that a change to another company's ticket leaves their lists kept. Two parts, "seen-moved":
    what the viewer sees (the departments' ids; a contact's company) and the names the lists
    show (``names_version``), then how far those tickets changed; ``seen_part`` takes the
    first."""
    # one query, its SQL built once per process and role (core.prepared): the names' version
    # rides along each department's row (a contact's: their company's)
    if isinstance(viewer, User) and viewer.is_agent:
        role = (viewer.role, viewer.is_superuser)

        def departments(pk: int) -> QuerySet[Any, Any]:
            return (
                visible_departments(stand_in(viewer, pk))
                .order_by("pk")
                .values_list("pk", "tickets_version", names_version())
            )

        found = prepared_rows(("list_version", role), departments, viewer.pk)
        rows = [(pk, version) for pk, version, _ in found]
        names = found[0][2] if found else None
        seen = ",".join(str(pk) for pk, _ in rows)
    else:

        def company_of(pk: int) -> QuerySet[Any, Any]:
            contact = Contact.objects.filter(user=pk, company__is_active=True).order_by()
            latest = Ticket.objects.filter(company=OuterRef("company_id")).order_by("-updated_at")
            return contact.values_list(
                "company_id", Subquery(latest.values("updated_at")[:1]), names_version()
            )

        found = prepared_rows("list_version", company_of, viewer.pk)[:1]
        company_id, latest, names = found[0] if found else (None, None, None)
        rows = [(company_id, latest)]
        seen = f"{company_id}"
    seen = f"{names}:{seen}"
    moved = ",".join(f"{pk}.{version}" for pk, version in rows)
    return f"{_digest(seen)}-{_digest(moved)}"


def seen_part(version: str) -> str:
    """What ``list_version`` says the viewer sees, whatever their tickets' changes."""
    return version.partition("-")[0]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _department_id(slug: str) -> Subquery:
    """The id of the department ``slug`` names, as a scalar subquery (NULL for none): not a
    join on the slug — PostgreSQL took the join for a few dozen tickets and sorted the
    department's every ticket (30 ms of 17,000 at 100,000); `=` reads the (department,
    updated_at) index and stops at the page."""
    return Subquery(Department.objects.filter(slug=slug).order_by().values("pk")[:1])


def list_tickets(
    viewer: Viewer,
    *,
    status: str = "",
    department: str = "",
    q: str = "",
    assignee: str = "",
    unlinked: bool = False,
    priority: str = "",
    tag: str = "",
    company: int | None = None,
    opened_from: date | None = None,
    opened_to: date | None = None,
) -> QuerySet[Ticket]:
    """The viewer's tickets, filtered; with ``q``, by full text (search app), best first."""
    # What the lists show (the requester's name is on the ticket): each join more costs the
    # planner milliseconds on every list request.
    tickets = visible_tickets(viewer).select_related(
        "department", "company__plan", "assignee", "merged_into"
    )
    if priority:
        tickets = tickets.filter(priority__in=priority.split(","))
    if tag:
        tickets = tickets.filter(tags__name=tag.strip().lower())
    if status:
        tickets = tickets.filter(status__in=status.split(","))
    if department:
        tickets = tickets.filter(department_id=_department_id(department))
    if assignee == "me":
        tickets = tickets.filter(assignee=viewer.pk)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee__email__iexact=assignee)
    if unlinked:
        tickets = tickets.filter(company__isnull=True)
    if company is not None:
        tickets = tickets.filter(company_id=company)
    if opened_from:
        tickets = tickets.filter(created_at__gte=_day_start(opened_from))
    if opened_to:
        tickets = tickets.filter(created_at__lt=_day_start(opened_to + timedelta(days=1)))
    if q.strip():
        return match_tickets(tickets, q, staff=getattr(viewer, "is_agent", False))
    return tickets.order_by("-updated_at", "-id")


class CountOf(Subquery):
    """``(SELECT COUNT(*) FROM (<rows>))``: how many rows a queryset gives (sliced: at most so
    many), as a column of another query (PostgreSQL and SQLite run it once, not once a row)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def known_page(
    found: list[Any], asked: int, count: int, paginator: Paginator[Any]
) -> Page[Any] | None:
    """Page ``asked`` of a list whose rows ``found`` were read with its ``count`` (so the
    paginator reads nothing), or None when ``asked`` is past the list's last page."""
    paginator.count = count
    return Page(found, asked, paginator) if asked <= paginator.num_pages else None


# A page number past this is read by Django's paginator, which checks it against the count
# first (and never sends the database an offset it cannot hold).
PREPARED_PAGES = 400


def contact_page(
    viewer: Viewer, number: str | None, size: int, fields: tuple[str, ...], **filters: Any
) -> Page[Ticket]:
    """A page of a customer contact's ``list_tickets(viewer, **filters)``, each ticket loaded
    with its department and only ``fields`` (the department's among them), and the list's
    count taken by the page's own query.
    Without words to search, its SQL is built once per filters and page (core.prepared): the
    ORM compiled the count and the page, two queries, ~2 ms of a list made again after every
    change to the company's tickets (issue 17)."""

    def page_of(who: Viewer, start: int) -> QuerySet[Ticket]:
        tickets = list_tickets(who, **filters).select_related(None).select_related("department")
        tickets = tickets.only(*fields)
        total = CountOf(tickets.order_by().values("pk"))
        return tickets.annotate(total=total)[start : start + size]

    asked = int(number) if number and number.isdigit() else 1
    if isinstance(viewer, User) and 1 <= asked <= PREPARED_PAGES and not filters.get("q"):
        start = (asked - 1) * size
        shape = ("contact_page", viewer.role, start, size, fields, *sorted(filters.items()))
        found = prepared_instances(
            shape, lambda pk: page_of(stand_in(viewer, pk), start), viewer.pk
        )
        if found or asked == 1:
            count = found[0].total if found else 0  # type: ignore[attr-defined]
            page = known_page(found, asked, count, Paginator(Ticket.objects.none(), size))
            if page is not None:
                return page
    tickets = list_tickets(viewer, **filters).select_related(None).select_related("department")
    return Paginator(tickets.only(*fields), size).get_page(number)


def values_page(
    viewer: Viewer, start: int, size: int, fields: tuple[str, ...], **filters: Any
) -> tuple[list[dict[str, Any]], int]:
    """Rows ``start`` to ``start + size`` of ``list_tickets(viewer, **filters)`` (no words to
    search), each the values of ``fields`` by name, and how many the list holds: one query,
    its SQL built once per role, filters and page (core.prepared) — the ORM compiled a count
    and a page, and made five model instances a ticket (the API's list made again after a
    change: issue 17). A page past the list, or past PREPARED_PAGES, is read by the ORM."""

    def page_of(who: Viewer) -> QuerySet[Any, Any]:
        tickets = list_tickets(who, **filters).select_related(None)
        total = CountOf(tickets.order_by().values("pk"))
        return tickets.values_list(*fields, total)[start : start + size]

    if isinstance(viewer, User) and start < PREPARED_PAGES * size:
        shape = ("values_page", viewer.role, viewer.is_superuser, start, size, fields)
        found = prepared_rows(
            (*shape, *sorted(filters.items())), lambda pk: page_of(stand_in(viewer, pk)), viewer.pk
        )
        if found:
            return [dict(zip(fields, row, strict=False)) for row in found], found[0][-1]
        return [], (list_tickets(viewer, **filters).count() if start else 0)
    tickets = list_tickets(viewer, **filters).select_related(None)
    return list(tickets.values(*fields)[start : start + size]), tickets.count()


# What a ticket's pages and the API show with it, read in its one-row read. Every join costs
# PostgreSQL planning time on each read (~0.3 ms each at 100,000 tickets), so a page that needs
# fewer asks for fewer (``related``). The customer's satisfaction rating (balcao/satisfaction)
# rides along: the ticket page and the API read it at no extra query. The earlier ticket and the
# one merged into are not joined: two more joins of the ticket table made PostgreSQL plan this
# read for 4-20 ms (1.6 ms without them); the few tickets that have them read each by its key.
DETAIL = ("department__ticket_options", "company__plan", "assignee", "satisfaction")


# What a ticket's page shows besides its own row, read in that row's query: the last message
# and event (the SLA's and the meetings' events do not save the ticket), and how many replies
# were sent (a delivery saves only its message; a failed one also records an event). Built
# once: building them for each read cost the ORM half a millisecond.
_SENT = Message.objects.filter(ticket=OuterRef("pk"), delivery=Message.Delivery.SENT).order_by()
VERSION_PARTS = {
    "last_message": Subquery(
        Message.objects.filter(ticket=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    ),
    "last_event": Subquery(
        Event.objects.filter(ticket=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    ),
    "sent": Subquery(
        _SENT.values("ticket").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
    ),
    "names": names_version(),
}


def ticket_version(ticket: Ticket) -> str:
    """Moves with every change a ticket's page shows, in the transaction that makes it: the
    ticket saved (``updated_at``), a message or event added, a reply's e-mail sent (or failed:
    an event), a name the history shows changed (``names_version``); and after an erasure, which rewrites history in place (``forget_lists``'
    generation). Read from a ``read_ticket`` at no extra query; any other ticket is read
    again."""
    if not hasattr(ticket, "last_event"):
        ticket = Ticket.objects.annotate(**VERSION_PARTS).get(pk=ticket.pk)
    read: Any = ticket  # with the annotations
    parts = (read.last_message, read.last_event, read.sent, read.names, generation())
    return f"{ticket.updated_at.timestamp():.6f}-" + "-".join(str(part or 0) for part in parts)


def get_ticket(
    viewer: Viewer,
    number: int,
    *,
    related: Iterable[str] = DETAIL,
) -> Ticket:
    """The ticket if ``viewer`` may see it; NotFound otherwise (never 'forbidden'). A page
    read on every request reads it with ``read_ticket``."""
    tickets = visible_tickets(viewer)
    related = tuple(related)
    if related:  # select_related() without names would join every relation
        tickets = tickets.select_related(*related)
    try:
        # get(), not first(): the number is unique, and ordering by the model's default order
        # cost the ORM half a millisecond of compiling per read
        return tickets.get(number=number)
    except Ticket.DoesNotExist:
        raise NotFound(f"Ticket {number} not found.") from None


def read_ticket(
    viewer: Viewer,
    number: int,
    *,
    related: tuple[str, ...],
    contact: Contact | None = None,
    annotate: Callable[[User], Mapping[str, Any]] | None = None,
) -> Ticket:
    """``get_ticket`` for a page read on every request, with what ``ticket_version`` reads, its
    SQL built once per process and shape (core.prepared; ~1 ms of the ORM's CPU on each read
    otherwise): the related rows, the access path and ``annotate``, a module-level function of
    the viewer making what else is read with the ticket. ``contact``: the viewer's own contact
    record when the caller read it in this request with its company active (the client area's
    access check): its company's tickets are the viewer's, read without the subquery
    ``visible_tickets`` makes of it; else a staff viewer's role says what they see."""
    if contact is not None and contact.user_id == viewer.pk:

        def of_company(company: int, number: int) -> QuerySet[Ticket]:
            tickets = Ticket.objects.filter(company_id=company)
            return tickets.select_related(*related).annotate(**VERSION_PARTS).filter(number=number)

        ticket = prepared_instance(("ticket", related), of_company, contact.company_id, number)
    elif isinstance(viewer, User) and viewer.is_active and viewer.is_agent:
        role = (viewer.role, viewer.is_superuser)

        def seen_by(pk: int, number: int) -> QuerySet[Ticket]:
            staff = stand_in(viewer, pk)
            tickets = visible_tickets(staff).select_related(*related).annotate(**VERSION_PARTS)
            if annotate is not None:
                tickets = tickets.annotate(**annotate(staff))
            return tickets.filter(number=number)

        ticket = prepared_instance(("ticket", related, role, annotate), seen_by, viewer.pk, number)
    else:
        ticket = None
    if ticket is None:
        raise NotFound(f"Ticket {number} not found.")
    return ticket


def get_attachment(viewer: Viewer, attachment_id: int) -> Attachment:
    """An attachment, only to whom may see its message."""
    attachments = Attachment.objects.select_related("message").filter(
        pk=attachment_id, message__ticket__in=visible_tickets(viewer).values("id")
    )
    if not getattr(viewer, "is_agent", False):
        attachments = attachments.filter(message__internal=False)
    attachment = attachments.first()
    if attachment is None:
        raise NotFound("Attachment not found.")
    return attachment


def copied_emails(ticket: Ticket) -> list[str]:
    """Who besides the requester gets the team's replies (the ticket is already in sight)."""
    return list(ticket.cc.order_by("created_at", "id").values_list("email", flat=True))


def customers_set_priority(department: Department) -> bool:
    """Whether the department lets its customers set their tickets' priority."""
    return DepartmentOptions.objects.filter(
        department=department, customers_set_priority=True
    ).exists()


def list_tags(prefix: str = "", limit: int = 20) -> list[str]:
    """Tag names starting with ``prefix``, for autocomplete."""
    prefix = " ".join(prefix.lower().split())
    return list(
        Tag.objects.filter(name__startswith=prefix)
        .order_by("name")
        .values_list("name", flat=True)[:limit]
    )


def canned_responses_for(
    viewer: User | AnonymousUser, department: Department | None = None
) -> QuerySet[CannedResponse]:
    """The canned replies ``viewer`` may use: the team's and their own, for every department or
    one they see (``department``: only those that fit a ticket of it)."""
    if not getattr(viewer, "is_agent", False):
        return CannedResponse.objects.none()
    replies = CannedResponse.objects.filter(Q(owner=None) | Q(owner=viewer))
    if department is not None:
        return replies.filter(Q(department=None) | Q(department=department))
    return replies.filter(
        Q(department=None) | Q(department__in=visible_departments(viewer).values("id"))
    )


def get_canned_response(viewer: User | AnonymousUser, canned_id: int) -> CannedResponse:
    canned = canned_responses_for(viewer).select_related("department").filter(pk=canned_id).first()
    if canned is None:
        raise NotFound("Canned reply not found.")
    return canned


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_canned(canned: CannedResponse, *, ticket: Ticket, agent: User) -> str:
    """The canned reply's text with its placeholders filled for ``ticket`` and ``agent``."""
    sla = getattr(ticket, "sla", None) if ticket.company_id else None  # none when unlinked
    due = sla.next_due if sla is not None else None
    company = ticket.company
    values = dict(
        customer_name=ticket.requester_name or ticket.requester_email,
        ticket_number=str(ticket.number),
        agent_name=agent.display_name,
        company=company.name if company else "",
        plan=company.plan.localized("name") if company else "",
        sla_due=date_format(timezone.localtime(due), "SHORT_DATETIME_FORMAT") if due else "",
    )
    # An unknown placeholder stays as written.
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), canned.body)
