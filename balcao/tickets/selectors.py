"""Reads of tickets, always for a viewer: a customer reaches only its company's tickets."""

from dataclasses import dataclass
from itertools import chain

from django.db.models import Prefetch, Q, QuerySet

from balcao.accounts.models import Department
from balcao.core.errors import NotFound
from balcao.customers.models import Contact
from balcao.events.models import Event
from balcao.tickets.models import Attachment, Message, Ticket


def visible_departments(viewer) -> QuerySet[Department]:
    """Departments whose tickets a staff member sees; restricted ones only for directors."""
    if not getattr(viewer, "is_agent", False):
        return Department.objects.none()
    if viewer.is_administrator:
        return Department.objects.all()
    if viewer.is_director:
        return Department.objects.filter(Q(members=viewer) | Q(restricted=True)).distinct()
    return Department.objects.filter(members=viewer, restricted=False)


def visible_tickets(viewer) -> QuerySet[Ticket]:
    """Every ticket ``viewer`` may see, by construction."""
    if getattr(viewer, "is_agent", False):
        if viewer.is_administrator:
            return Ticket.objects.all()
        return Ticket.objects.filter(department__in=visible_departments(viewer).values("id"))
    if not getattr(viewer, "is_authenticated", False):
        return Ticket.objects.none()
    # A subquery, not a lookup first: the pages already hold the contact, no second query.
    companies = Contact.objects.filter(user=viewer, company__is_active=True).values("company_id")
    return Ticket.objects.filter(company_id__in=companies)


def list_tickets(
    viewer,
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
        tickets = tickets.filter(assignee=viewer)
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


def get_ticket(viewer, number: int) -> Ticket:
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


def ticket_messages(viewer, ticket: Ticket) -> list[Message]:
    """The conversation, both ways; internal notes only for staff."""
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not getattr(viewer, "is_agent", False):
        messages = messages.filter(internal=False)
    return list(messages)


def ticket_events(ticket: Ticket) -> list[Event]:
    return list(ticket.events.select_related("actor"))


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    message: Message | None = None
    event: Event | None = None


def ticket_timeline(viewer, ticket: Ticket) -> list[TimelineEntry]:
    """Messages and events merged by time: the ticket's whole history (R17)."""
    messages = (TimelineEntry(m.created_at, message=m) for m in ticket_messages(viewer, ticket))
    events = (TimelineEntry(e.created_at, event=e) for e in ticket_events(ticket))
    return sorted(chain(messages, events), key=lambda entry: entry.at)


def get_attachment(viewer, attachment_id: int) -> Attachment:
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
