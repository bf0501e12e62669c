"""Reads for the chat (R13, R14): may a contact chat now, the live chats an agent sees, and a
chat's messages. A chat is a ticket with origin "chat": its history is the ticket's (R17)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, Viewer
from balcao.core.errors import NotFound
from balcao.customers.models import Channel, Company
from balcao.customers.selectors import list_department_choices
from balcao.sla.selectors import company_channels
from balcao.tickets.models import Message, Origin, Status, Ticket
from balcao.tickets.selectors import get_ticket, visible_tickets

LIVE = [status for status in Status if status != Status.CLOSED]
QUEUE_LIMIT = 100


def ticket_group(ticket_id: int) -> str:
    """Everyone in the chat: the contact and the agents; public messages only."""
    return f"webchat.ticket.{ticket_id}"


def staff_group(ticket_id: int) -> str:
    """The agents in the chat: internal notes go here and nowhere else."""
    return f"webchat.staff.{ticket_id}"


def department_group(department_id: int) -> str:
    """The agents' live queue of a department."""
    return f"webchat.department.{department_id}"


def chat_refusal(company: Company | None, now: datetime | None = None) -> str:
    """Why a contact of ``company`` may not chat now ('' when it may): its plan, then the
    channel's hours, saying when it opens."""
    state = next((s for s in company_channels(company, now) if s.channel == Channel.CHAT), None)
    if state is None or not state.available_in_plan:
        return _("Your plan does not include chat.")
    if not state.open_now:
        return _("Chat is closed now and %(opens)s.") % {"opens": state.state}
    return ""


def get_chat(viewer: Viewer, number: int) -> Ticket:
    """A chat the viewer may see; NotFound for any other ticket."""
    ticket = get_ticket(viewer, number)
    if ticket.origin != Origin.CHAT:
        raise NotFound(f"Chat {number} not found.")
    return ticket


def chat_messages(viewer: Viewer, ticket: Ticket, after: int = 0) -> list[Message]:
    """The chat's messages after id ``after`` (a reconnecting socket's last one); internal notes
    only for staff."""
    messages = ticket.messages.filter(pk__gt=after).select_related("author").order_by("id")
    if not getattr(viewer, "is_agent", False):
        messages = messages.filter(internal=False)
    return list(messages)


def message_payload(message: Message) -> dict[str, object]:
    """What a socket sends for one message; the page renders the same fields."""
    return {
        "id": message.pk,
        "body": message.body_text,
        "author": message.author_name or message.author_email,
        "staff": message.direction == Message.Direction.OUTBOUND,
        "internal": message.internal,
        "at": timezone.localtime(message.created_at).strftime("%H:%M"),
    }


def contact_chats(user: Viewer) -> list[Ticket]:
    """The contact's own chats not yet ended, to come back to."""
    return list(
        visible_tickets(user)
        .filter(origin=Origin.CHAT, status__in=LIVE, requester=user.pk)
        .order_by("-created_at", "-id")[:10]
    )


@dataclass(frozen=True)
class Queue:
    waiting: list[Ticket]
    active: list[Ticket]


def list_chats(viewer: Viewer) -> Queue:
    """Chats not ended in the departments the agent sees, oldest first: waiting (nobody
    assigned) and active."""
    chats = list(
        visible_tickets(viewer)
        .filter(origin=Origin.CHAT, status__in=LIVE)
        .select_related("department", "company", "assignee")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    return Queue(
        waiting=[c for c in chats if c.assignee_id is None],
        active=[c for c in chats if c.assignee_id is not None],
    )


def chat_departments(company: Company) -> list[Department]:
    """The departments a contact may start a chat in: those its plan allows, except the ones
    that need an earlier ticket's number (the Ouvidoria), which a chat has no field for."""
    return [
        choice.department
        for choice in list_department_choices(company)
        if choice.available and not choice.department.requires_reference
    ]
