"""Chat changes, all through the ticket actions (so SLA, events and e-mails apply); each is
broadcast to the chat's sockets and the department's live queue once committed."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.connectors.webchat.selectors import (
    chat_refusal,
    department_group,
    message_payload,
    staff_group,
    ticket_group,
)
from balcao.core.errors import ActionRefused
from balcao.customers.selectors import get_contact
from balcao.tickets.actions import (
    do_add_message,
    do_assign_ticket,
    do_close_ticket,
    do_open_ticket,
)
from balcao.tickets.models import Message, Origin, Status, Ticket


def _broadcast(ticket: Ticket, event: dict[str, object] | None = None, *, group: str = "") -> None:
    """After commit: ``event`` to the chat's sockets, and a nudge to its department's queue."""
    layer = get_channel_layer()
    if layer is None:
        raise ImproperlyConfigured("The chat needs a channel layer (CHANNEL_LAYERS).")

    def send() -> None:
        if event is not None:
            async_to_sync(layer.group_send)(group or ticket_group(ticket.pk), event)
        async_to_sync(layer.group_send)(
            department_group(ticket.department_id), {"type": "queue.changed"}
        )

    transaction.on_commit(send)


def _check_open(ticket: Ticket, actor: User) -> None:
    if ticket.status == Status.CLOSED:
        raise ActionRefused(_("This chat has ended."), code="chat_ended")
    if not actor.is_agent:
        refusal = chat_refusal(ticket.company)
        if refusal:
            raise ActionRefused(refusal, code="chat_unavailable")


@transaction.atomic
def do_start_chat(*, actor: User, department: Department, body: str) -> Ticket:
    """A contact starts a chat: refused unless the plan includes chat and it is open (R13,
    R14); the first message opens a ticket with origin "chat" (R17)."""
    contact = get_contact(actor)
    if contact is None:
        raise ActionRefused(_("Only the company's contacts can chat."), code="forbidden")
    refusal = chat_refusal(contact.company)
    if refusal:
        raise ActionRefused(refusal, code="chat_unavailable")
    if not (body or "").strip():
        raise ActionRefused(_("Please write a message."), code="body_required")
    first_line = body.strip().splitlines()[0]
    ticket = do_open_ticket(
        actor=actor,
        department=department,
        subject=_("Chat: %(start)s") % {"start": Truncator(first_line).chars(80)},
        body=body,
        origin=Origin.CHAT,
    )
    _broadcast(ticket)
    return ticket


@transaction.atomic
def do_send_chat_message(
    ticket: Ticket, *, actor: User, body: str, internal: bool = False
) -> Message:
    """A message in a chat: the contact's → Customer-Reply, an agent's → Answered, an internal
    note only to the agents' sockets (R11, R12)."""
    _check_open(ticket, actor)
    message = do_add_message(ticket, actor=actor, body=body, internal=internal, channel=Origin.CHAT)
    event: dict[str, object] = {"type": "chat.message", "message": message_payload(message)}
    _broadcast(ticket, event, group=staff_group(ticket.pk) if internal else "")
    return message


@transaction.atomic
def do_join_chat(ticket: Ticket, *, actor: User) -> Ticket:
    """An agent takes the chat: it is assigned to them."""
    _check_open(ticket, actor)
    ticket = do_assign_ticket(ticket, actor=actor, assignee=actor)
    _broadcast(ticket, {"type": "chat.joined", "agent": actor.display_name})
    return ticket


@transaction.atomic
def do_end_chat(ticket: Ticket, *, actor: User) -> Ticket:
    """Either side ends the chat: the ticket is closed; the contact writing to it again (in
    the client area or by e-mail) reopens it (R12)."""
    if ticket.status == Status.CLOSED:
        raise ActionRefused(_("This chat has ended."), code="chat_ended")
    ticket = do_close_ticket(ticket, actor=actor)
    _broadcast(ticket, {"type": "chat.ended"})
    return ticket
