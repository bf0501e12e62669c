"""The conversation: public replies, internal notes and the customer's messages, with the
status each leads to (R11, R12), the channel a reply leaves by and how its delivery went
(R10, R18)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.enqueue import batch, enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.core.html import sanitize_html
from balcao.core.prepared import prepared_insert
from balcao.events.actions import delivery_failed_event, message_added_event, note_added_event
from balcao.notifications.actions import notify_later
from balcao.search.actions import index_message
from balcao.tickets import tasks
from balcao.tickets.actions.attachments import NewAttachment, _store_attachments, check_upload
from balcao.tickets.actions.common import _locked, _save, _set_status
from balcao.tickets.delivery import delivery_for
from balcao.tickets.models import Message, Origin, Status, Ticket


def _require_body(body: str, body_html: str, attachments: Sequence[NewAttachment]) -> None:
    if not (body or "").strip() and not body_html and not attachments:
        raise ActionRefused(_("Please write a message."), code="body_required")


def reply_channel(ticket: Ticket, written_in: str) -> str:
    """The channel the team's public reply leaves by: a line written in a live chat is seen
    there; on a WhatsApp conversation, WhatsApp; otherwise e-mail (R18)."""
    if written_in == Origin.CHAT:
        return ""
    return Origin.WHATSAPP if ticket.origin == Origin.WHATSAPP else Origin.EMAIL


def do_add_message(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    internal: bool = False,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    channel: str = Origin.PORTAL,
    author_email: str = "",
    author_name: str = "",
    message_id: str = "",
    automatic: bool = False,
) -> Message:
    """Add to the conversation. The team's public reply → Answered; an internal note changes
    nothing; the customer's message → Customer-Reply, reopening a Closed ticket (R11, R12).

    ``actor`` None is a customer writing through a channel (the funnel) with ``author_email``.
    ``automatic`` (an auto-reply or bounce) is kept but never reopens a ticket.
    """
    with batch(), transaction.atomic():
        return add_message(
            ticket,
            actor=actor,
            body=body,
            internal=internal,
            body_html=body_html,
            attachments=attachments,
            channel=channel,
            author_email=author_email,
            author_name=author_name,
            message_id=message_id,
            automatic=automatic,
        )


def add_message(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    internal: bool = False,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    channel: str = Origin.PORTAL,
    author_email: str = "",
    author_name: str = "",
    message_id: str = "",
    automatic: bool = False,
    locked: bool = False,
) -> Message:
    """``do_add_message`` inside the caller's transaction (the inbound funnel's), without a
    savepoint of its own. ``locked``: the caller read ``ticket`` under its row lock, with its
    department and company, in this transaction."""
    _require_body(body, body_html, attachments)
    staff = getattr(actor, "is_agent", False)
    if internal and not staff:
        raise ActionRefused(_("Only the support team can write internal notes."), code="forbidden")
    if channel in (Origin.PORTAL, Origin.API, Origin.CONSOLE):
        for item in attachments:
            check_upload(item)
    if not locked:
        ticket = _locked(ticket)
    deliver_by = reply_channel(ticket, channel) if staff and not internal else ""
    message = Message(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND if staff else Message.Direction.INBOUND,
        internal=internal,
        author=actor,
        author_email=actor.email if actor else author_email.lower(),
        author_name=actor.display_name if actor else author_name,
        body_text=body or "",
        body_html=sanitize_html(body_html),
        channel=channel,
        message_id=message_id,
        deliver_by=deliver_by,
        delivery=Message.Delivery.PENDING
        if deliver_by and delivery_for(deliver_by).reply is not None
        else Message.Delivery.NONE,
    )
    prepared_insert(message)  # its SQL built once (core.prepared): no signal listens to messages
    _store_attachments(message, attachments)
    index_message(ticket, message)
    if internal:
        note_added_event(ticket=ticket, actor=actor, message=message)
        _save(ticket)
        return message
    added = message_added_event(ticket=ticket, actor=actor, message=message)
    if not staff and not automatic:
        notify_later(added)
    if staff:
        _set_status(ticket, Status.ANSWERED, actor)
        if message.delivery == Message.Delivery.PENDING:
            enqueue_on_commit(tasks.deliver_reply_task, message.pk)
        if ticket.department.auto_close_days:
            enqueue_on_commit(tasks.follow_up_answer_task, message.pk)
    elif not automatic:
        _set_status(ticket, Status.CUSTOMER_REPLY, actor)
    _save(ticket, "status", "closed_at")
    return message


@transaction.atomic
def do_record_delivery(message: Message, *, message_id: str, error: str = "") -> Message:
    """Record how the e-mail of a reply went: sent, or failed (shown on the ticket, R10)."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    message.message_id = message_id
    message.delivery = Message.Delivery.FAILED if error else Message.Delivery.SENT
    message.delivery_error = error[:2000]
    message.save(update_fields=["message_id", "delivery", "delivery_error"])
    if error:
        delivery_failed_event(message=message, error=error)
    return message
