"""The WhatsApp funnel: a webhook delivery is stored raw first (its own commit), then each
message is filed in its own transaction, like the e-mail funnel: joined to the conversation's
ticket or opening one; an unknown number or a plan without the channel is kept, never lost.

Media files are downloaded before the filing transaction opens (nothing talks to the outside
world inside a transaction); automatic answers are sent by a task after commit.
"""

import logging
import re
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department
from balcao.connectors.whatsapp.graph import GraphError, download_media
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    Webhook,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.connectors.whatsapp.payload import BadPayload, Incoming, StatusUpdate, parse
from balcao.core.errors import ActionRefused
from balcao.customers.actions import require_primary
from balcao.customers.models import Contact
from balcao.events.actions import record_event
from balcao.events.models import EventKind
from balcao.sla.selectors import company_channels
from balcao.tickets.actions import (
    NewAttachment,
    check_upload,
    do_add_message,
    do_open_ticket,
    do_record_delivery,
)
from balcao.tickets.models import Origin, Status, Ticket

log = logging.getLogger(__name__)

# A message after a ticket was closed continues it (and reopens it, R12) for this long;
# later, it opens a new ticket that points to the closed one. WhatsApp has no subject to tell.
REOPEN_WINDOW = timedelta(hours=24)
# One automatic answer of each kind per number in this time.
AUTO_ANSWER_EVERY = timedelta(hours=12)
STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3}


@dataclass
class WebhookResult:
    error: str = ""
    created: list[int] = field(default_factory=list)  # ticket numbers
    joined: list[int] = field(default_factory=list)
    duplicates: int = 0
    statuses: int = 0


def do_receive_webhook(raw: bytes) -> WebhookResult:
    """Store a signed delivery, then file its messages and statuses. Only a database outage
    propagates (Meta delivers again; duplicates are recognised by the message id)."""
    webhook = Webhook.objects.create(raw=raw)
    result = WebhookResult()
    try:
        payload = parse(raw)
    except BadPayload as bad:
        Webhook.objects.filter(pk=webhook.pk).update(state=Webhook.State.FAILED, error=str(bad))
        result.error = str(bad)
        return result
    errors = []
    for item in payload.messages:
        try:
            _receive(webhook, item, result)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            log.exception("WhatsApp message %s could not be filed", item.wamid)
            errors.append(traceback.format_exc())
    for update in payload.statuses:
        try:
            _record_status(update)
            result.statuses += 1
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            log.exception("WhatsApp status of %s could not be recorded", update.wamid)
            errors.append(traceback.format_exc())
    Webhook.objects.filter(pk=webhook.pk).update(
        state=Webhook.State.FAILED if errors else Webhook.State.PROCESSED,
        error="\n".join(errors),
    )
    return result


def _receive(webhook: Webhook, item: Incoming, result: WebhookResult) -> None:
    number = (
        BusinessNumber.objects.select_related("department")
        .filter(phone_number_id=item.phone_number_id, is_active=True)
        .first()
    )
    if number is None:
        raise LookupError(f"no active business number {item.phone_number_id!r}")
    if WhatsAppMessage.objects.filter(wamid=item.wamid).exists():
        result.duplicates += 1
        return
    attachments, problems = _download(item)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            ticket, created = _file(webhook, number, item, attachments, problems)
    except IntegrityError:
        if not WhatsAppMessage.objects.filter(wamid=item.wamid).exists():
            raise
        result.duplicates += 1
        return
    (result.created if created else result.joined).append(ticket.number)


def _download(item: Incoming) -> tuple[list[NewAttachment], list[str]]:
    if item.media is None:
        return [], []
    try:
        content, mime_type = download_media(item.media.id, item.phone_number_id)
        attachment = NewAttachment(item.media.filename, mime_type or item.media.mime_type, content)
        check_upload(attachment)
    except (GraphError, ActionRefused) as failure:
        return [], [str(failure)]
    return [attachment], []


def _contact(wa_id: str):
    identity = (
        WhatsAppIdentity.objects.select_related("contact__company__plan", "contact__user")
        .filter(wa_id=wa_id, contact__company__is_active=True, contact__user__is_active=True)
        .first()
    )
    return identity.contact if identity else None


def _conversation(
    number: BusinessNumber, item: Incoming, company
) -> tuple[Ticket | None, Ticket | None]:
    """(the ticket this message continues, the earlier ticket a new one follows). Only a
    ticket of the sender's own company, or an unlinked one for an unknown number: a number
    removed from a company does not write to its tickets any more (R2)."""
    company_id = company.pk if company else None
    if item.context_id:
        replied = (
            WhatsAppMessage.objects.select_related("ticket")
            .filter(wamid=item.context_id, business_number=number, wa_id=item.wa_id)
            .exclude(ticket=None)
            .first()
        )
        if replied is not None and replied.ticket.company_id == company_id:
            return replied.ticket, None
    last = (
        WhatsAppMessage.objects.select_related("ticket")
        .filter(
            wa_id=item.wa_id,
            business_number=number,
            direction=WhatsAppMessage.Direction.INBOUND,
        )
        .exclude(ticket=None)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.ticket.company_id != company_id:
        return None, None
    ticket = last.ticket
    if ticket.status != Status.CLOSED or ticket.closed_at >= timezone.now() - REOPEN_WINDOW:
        return ticket, None
    return None, ticket


def _body(item: Incoming, problems: list[str]) -> str:
    text = item.text
    if not text and item.media is None:
        text = _("(WhatsApp message of type “%(type)s”: see its original in the admin.)") % {
            "type": item.kind
        }
    for problem in problems:
        text += "\n\n" + _(
            "(The file sent with this message could not be downloaded: %(error)s)"
        ) % {"error": problem}
    return text.strip() or _("(File sent by WhatsApp.)")


def _subject(number: BusinessNumber, item: Incoming) -> str:
    first = " ".join(item.text.split())[:80] or _("message from +%(number)s") % {
        "number": item.wa_id
    }
    return f"{number.get_channel_display()}: {first}"


def _claim_answer(wa_id: str, kind: str) -> str:
    """The automatic answer this number may get now, or '' (one of each kind per period)."""
    since = timezone.now() - AUTO_ANSWER_EVERY
    if WhatsAppMessage.objects.filter(wa_id=wa_id, answer=kind, created_at__gte=since).exists():
        return ""
    return kind


def _channel_open(number: BusinessNumber) -> bool:
    states = {state.channel: state for state in company_channels(None)}
    state = states.get(number.channel)
    return state is None or state.open_now


def _fallback_department() -> Department:
    return (
        Department.objects.filter(is_active=True).order_by("-is_fallback", "position", "id").first()
    )


@transaction.atomic
def _file(webhook, number, item, attachments, problems) -> tuple[Ticket, bool]:
    # One message of a number filed at a time: two arriving together join one conversation.
    BusinessNumber.objects.select_for_update().filter(pk=number.pk).first()
    row = WhatsAppMessage.objects.create(
        wamid=item.wamid,
        direction=WhatsAppMessage.Direction.INBOUND,
        business_number=number,
        wa_id=item.wa_id,
        kind=item.kind,
        text=item.text,
        webhook=webhook,
        error="\n".join(problems),
        created_at=min(item.sent_at or timezone.now(), timezone.now()),
    )
    contact = _contact(item.wa_id)
    company = contact.company if contact else None
    email = contact.user.email if contact else ""
    # Staff see the number on the ticket: it is what they register to link the sender.
    name = f"{item.name[:170]} (+{item.wa_id})" if item.name else f"+{item.wa_id}"
    if contact is not None and contact.user.name:
        name = contact.user.name
    refused = company is not None and not company.plan.allows_channel(number.channel)
    body = _body(item, problems)
    target, follows = _conversation(number, item, company)
    created = target is None
    if target is not None:
        row.message = do_add_message(
            target,
            actor=None,
            body=body,
            attachments=attachments,
            channel=Origin.WHATSAPP,
            author_email=email,
            author_name=name,
            message_id=item.wamid,
            automatic=item.kind == "reaction",
        )
        row.ticket = target
    else:
        department = _fallback_department() if refused else number.department
        row.ticket = do_open_ticket(
            department=department,
            subject=_subject(number, item),
            body=body,
            attachments=attachments,
            requester_email=email,
            requester_name=name,
            company=company,
            origin=Origin.WHATSAPP,
            message_id=item.wamid,
            check_eligibility=False,
            follows=follows,
        )
        row.message = row.ticket.messages.first()
        if refused:
            row.note = _("The plan of %(company)s does not include %(channel)s.") % {
                "company": company.name,
                "channel": number.get_channel_display(),
            }
            if department != number.department:
                record_event(
                    EventKind.TRANSFERRED,
                    ticket=row.ticket,
                    old=number.department.slug,
                    new=department.slug,
                    reason=row.note,
                )
    if company is None:
        row.note = _("Number not registered to any contact: not linked, outside the SLA.")
        row.answer = _claim_answer(item.wa_id, WhatsAppMessage.Answer.UNKNOWN)
    elif refused:
        row.answer = _claim_answer(item.wa_id, WhatsAppMessage.Answer.REFUSED)
    elif not _channel_open(number):
        row.note = _("Received outside %(channel)s's hours.") % {
            "channel": number.get_channel_display()
        }
        row.answer = _claim_answer(item.wa_id, WhatsAppMessage.Answer.CLOSED)
    row.save(update_fields=["ticket", "message", "note", "answer"])
    if row.answer:
        from balcao.connectors.whatsapp import tasks

        transaction.on_commit(lambda: tasks.send_auto_answer_task.enqueue(row.pk))
    return row.ticket, created


@transaction.atomic
def _record_status(update: StatusUpdate) -> None:
    """sent → delivered → read of one of our messages; a failure is shown on its ticket."""
    row = (
        WhatsAppMessage.objects.select_for_update()
        .filter(wamid=update.wamid, direction=WhatsAppMessage.Direction.OUTBOUND)
        .first()
    )
    if row is None or update.status not in WhatsAppMessage.Status.values or not update.status:
        return
    if update.status == WhatsAppMessage.Status.FAILED:
        row.status, row.error = update.status, update.error
        row.save(update_fields=["status", "error"])
        if row.message_id is not None:
            do_record_delivery(
                row.message,
                message_id=update.wamid,
                error=_("WhatsApp could not deliver it: %(error)s")
                % {"error": update.error or _("no reason given")},
            )
        return
    if STATUS_ORDER.get(update.status, 0) > STATUS_ORDER.get(row.status, 0):
        row.status = update.status
        row.save(update_fields=["status"])


@transaction.atomic
def do_record_sent(
    *, number: BusinessNumber, wa_id: str, text: str, wamid: str, ticket=None, message=None
) -> WhatsAppMessage:
    """Remember a message we sent, so its statuses can be followed."""
    row = WhatsAppMessage.objects.create(
        wamid=wamid,
        direction=WhatsAppMessage.Direction.OUTBOUND,
        business_number=number,
        wa_id=wa_id,
        kind="text",
        text=text,
        ticket=ticket,
        message=message,
        status=WhatsAppMessage.Status.SENT,
    )
    if message is not None:
        do_record_delivery(message, message_id=wamid)
    return row


# --- the numbers a company's contacts write from (R2) ----------------------------------------


def _only_primary() -> str:
    return _("Only the account's primary contact manages the WhatsApp numbers.")


def normalized_number(raw: str) -> str:
    """Digits with the country code first, as WhatsApp sends them ("+55 (11) 98765-4321" →
    "5511987654321"); refused when it cannot be a full international number."""
    digits = re.sub(r"\D", "", raw or "")
    if not 10 <= len(digits) <= 15:
        raise ActionRefused(
            _("Write the full number with the country code, e.g. +55 11 98765-4321."),
            code="invalid_number",
        )
    return digits


@transaction.atomic
def do_register_number(contact: Contact, *, actor, number: str) -> WhatsAppIdentity:
    """Let ``contact`` write to support from ``number`` on WhatsApp."""
    require_primary(contact.company, actor, _only_primary())
    wa_id = normalized_number(number)
    if WhatsAppIdentity.objects.filter(wa_id=wa_id).exists():
        raise ActionRefused(
            _("+%(number)s is already registered.") % {"number": wa_id}, code="duplicate"
        )
    identity = WhatsAppIdentity.objects.create(wa_id=wa_id, contact=contact)
    record_event(
        EventKind.WHATSAPP_NUMBER_ADDED,
        actor=actor,
        company=contact.company,
        number=wa_id,
        email=contact.user.email,
    )
    return identity


@transaction.atomic
def do_remove_number(identity: WhatsAppIdentity, *, actor) -> None:
    company = identity.contact.company
    require_primary(company, actor, _only_primary())
    record_event(
        EventKind.WHATSAPP_NUMBER_REMOVED,
        actor=actor,
        company=company,
        number=identity.wa_id,
        email=identity.contact.user.email,
    )
    identity.delete()
