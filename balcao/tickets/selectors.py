"""Reads of tickets, always for a viewer: a customer reaches only its company's tickets."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from balcao.accounts.models import Department, User, Viewer
from balcao.core.errors import NotFound
from balcao.customers.models import Contact
from balcao.events.models import Event
from balcao.events.wording import CUSTOMER_KINDS, SHOWN_BY_THE_MESSAGE, Reader, describe_event
from balcao.tickets.models import Attachment, Message, Ticket


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
    companies = Contact.objects.filter(user=viewer, company__is_active=True).values("company_id")
    return Ticket.objects.filter(company_id__in=companies)


def list_tickets(
    viewer: Viewer,
    *,
    status: str = "",
    department: str = "",
    q: str = "",
    assignee: str = "",
    unlinked: bool = False,
) -> QuerySet[Ticket]:
    tickets = visible_tickets(viewer).select_related(
        "department", "company__plan", "assignee", "requester"
    )
    if status:
        tickets = tickets.filter(status__in=status.split(","))
    if department:
        tickets = tickets.filter(department__slug=department)
    if assignee == "me":
        tickets = tickets.filter(assignee=viewer.pk)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee__email__iexact=assignee)
    if unlinked:
        tickets = tickets.filter(company__isnull=True)
    q = q.strip().lstrip("#")
    if q:
        match = Q(subject__icontains=q) | Q(requester_email__icontains=q)
        if q.isdigit():
            match |= Q(number=int(q))
        tickets = tickets.filter(match)
    return tickets.order_by("-updated_at", "-id")


def get_ticket(viewer: Viewer, number: int) -> Ticket:
    """The ticket if ``viewer`` may see it; NotFound otherwise (never 'forbidden')."""
    ticket = (
        visible_tickets(viewer)
        .select_related("department", "company__plan", "assignee", "reference")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound(f"Ticket {number} not found.")
    return ticket


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of a ticket's history as its viewer may see it: a message, or an event worded
    in the active language (``text``). ``author_name`` names who wrote or acted, never by a
    staff e-mail address for a customer."""

    at: datetime
    message: Message | None = None
    event: Event | None = None
    text: str = ""
    author_name: str = ""

    @property
    def kind(self) -> str:
        if self.message is not None or self.event is None:
            return "message"
        return self.event.kind


def _author_name(message: Message, staff: bool) -> str:
    if staff or message.direction == Message.Direction.INBOUND:
        return message.author_name or message.author_email
    # The team's messages name their author, never by address (an unnamed agent's is one).
    return "" if "@" in message.author_name else message.author_name


def visible_events(
    viewer: Viewer, ticket: Ticket, *, departments: Iterable[Department] | None = None
) -> list[HistoryEntry]:
    """The ticket's history for ``viewer``: messages and events merged by time (R10, R17).

    The only reader of a ticket's history. Staff see every message and event; a customer
    contact sees the public messages and the events meant for customers (``CUSTOMER_KINDS``),
    worded for them. ``departments``: the departments the caller already holds, if any, to
    name transfers without one more query.
    """
    staff = getattr(viewer, "is_agent", False)
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    events = ticket.events.select_related("actor").exclude(kind__in=SHOWN_BY_THE_MESSAGE)
    if not staff:
        messages = messages.filter(internal=False)
        events = events.filter(kind__in=CUSTOMER_KINDS)
    if departments is None:
        departments = Department.objects.all()
    reader = Reader(staff=staff, departments={d.slug: d for d in departments})
    entries = [
        HistoryEntry(m.created_at, message=m, author_name=_author_name(m, staff)) for m in messages
    ]
    entries += [
        HistoryEntry(
            e.created_at,
            event=e,
            text=describe_event(e, reader),
            author_name=(e.actor.name or e.actor.email) if staff and e.actor else "",
        )
        for e in events
    ]
    return sorted(entries, key=lambda entry: entry.at)


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
