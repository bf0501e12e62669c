"""Merging a duplicate into another ticket of the same company (R17: nothing is lost)."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.events.actions import (
    merged_event,
    merged_from_event,
    message_added_event,
    move_ticket_events,
)
from balcao.search.actions import index_tags, index_ticket
from balcao.tickets import tasks
from balcao.tickets.actions.common import _locked, _require_staff, _save, _set_status
from balcao.tickets.actions.messages import reply_channel
from balcao.tickets.delivery import delivery_for
from balcao.tickets.models import Message, Origin, Receipt, Status, Ticket


def _merge_notice(source: Ticket, into: Ticket) -> str:
    requester = into.requester if into.requester_id else None
    language = getattr(requester, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _(
            "Your ticket #%(merged)s “%(subject)s” is the same request as this one, #%(number)s:"
            " we joined them here, with everything written in both. Please reply to this one."
        ) % {"merged": source.number, "subject": source.subject, "number": into.number}


@transaction.atomic
def do_merge_ticket(ticket: Ticket, *, actor: User, into: Ticket) -> Ticket:
    """Merge a duplicate into another ticket of the same company: its messages (with their
    attachments), events and inbound receipts move to ``into``, its tags join; the duplicate
    is closed, points to ``into`` and says so; the customer is told on ``into`` (by the
    channel a reply takes). Returns ``into``."""
    _require_staff(actor)
    if ticket.pk == into.pk:
        raise ActionRefused(_("A ticket cannot be merged into itself."), code="invalid")
    first, second = sorted((ticket, into), key=lambda t: t.pk)
    first, second = _locked(first), _locked(second)
    source, into = (first, second) if first.pk == ticket.pk else (second, first)
    if source.merged_into_id or into.merged_into_id:
        raise ActionRefused(
            _("Ticket #%(number)s was already merged into another ticket.")
            % {"number": (source if source.merged_into_id else into).number},
            code="invalid",
        )
    same_company = (
        source.company_id == into.company_id
        if source.company_id or into.company_id
        else source.requester_email == into.requester_email
    )
    if not same_company:
        raise ActionRefused(_("Only tickets of the same company can be merged."), code="invalid")
    Message.objects.filter(ticket=source).update(ticket=into)
    move_ticket_events(source=source, into=into)
    Receipt.objects.filter(ticket=source).update(ticket=into)
    into.tags.add(*source.tags.all())
    source.merged_into = into
    _set_status(source, Status.CLOSED, actor)
    merged_event(ticket=source, actor=actor, into=into)
    merged_from_event(ticket=into, actor=actor, merged=source)
    _save(source, "merged_into", "status", "closed_at")
    deliver_by = reply_channel(into, Origin.CONSOLE)
    notice = Message.objects.create(
        ticket=into,
        direction=Message.Direction.OUTBOUND,
        author=actor,
        author_email=actor.email,
        author_name=actor.display_name,
        body_text=_merge_notice(source, into),
        channel=Origin.CONSOLE,
        deliver_by=deliver_by,
        delivery=Message.Delivery.PENDING
        if delivery_for(deliver_by).reply is not None
        else Message.Delivery.NONE,
    )
    message_added_event(ticket=into, actor=actor, message=notice)
    if notice.delivery == Message.Delivery.PENDING:
        enqueue_on_commit(tasks.deliver_reply_task, notice.pk)
    index_ticket(source)  # what each is found by moved with the messages
    index_ticket(into)
    index_tags(into, into.tags.values_list("name", flat=True))
    _save(into)
    return into
