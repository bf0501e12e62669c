"""The WhatsApp channel's way in: a webhook delivery is stored raw first (its own commit),
then each message is handed to the one inbound funnel (tickets/inbound.py) as a
conversation between the customer's number and our business number; statuses of what we
sent are followed.

Media files are downloaded before the funnel's transaction opens (nothing talks to the
outside world inside a transaction); automatic answers are sent by a task after commit.
"""

import logging
import re
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.accounts.models import User
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
from balcao.events.actions import whatsapp_number_added_event, whatsapp_number_removed_event
from balcao.tickets.actions import NewAttachment, check_upload, do_record_delivery
from balcao.tickets.inbound import Filed, InboundMessage, Sender, do_receive_inbound
from balcao.tickets.models import Message, Origin, Ticket

log = logging.getLogger(__name__)

# A message after a ticket was closed continues it (and reopens it, R12) for this long;
# later, it opens a new ticket that points to the closed one. WhatsApp has no subject to tell.
REOPEN_WINDOW = timedelta(hours=24)
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
    with transaction.atomic(durable=True):
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
    with translation.override(settings.LANGUAGE_CODE):
        filed = do_receive_inbound(_inbound(number, item, attachments, problems))
    _keep(webhook, number, item, filed, problems)
    if filed.duplicate:
        result.duplicates += 1
    elif filed.ticket is not None:
        created = filed.receipt.outcome == filed.receipt.Outcome.CREATED
        (result.created if created else result.joined).append(filed.ticket.number)


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


def _contact(wa_id: str) -> Contact | None:
    identity = (
        WhatsAppIdentity.objects.select_related("contact__company__plan", "contact__user")
        .filter(wa_id=wa_id, contact__company__is_active=True, contact__user__is_active=True)
        .first()
    )
    return identity.contact if identity else None


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


def _inbound(
    number: BusinessNumber, item: Incoming, attachments: list[NewAttachment], problems: list[str]
) -> InboundMessage:
    contact = _contact(item.wa_id)
    # Staff see the number on the ticket: it is what they register to link the sender.
    name = f"{item.name[:170]} (+{item.wa_id})" if item.name else f"+{item.wa_id}"
    if contact is not None and contact.user.name:
        name = contact.user.name
    return InboundMessage(
        channel=Origin.WHATSAPP,
        message_id=item.wamid,
        sender=Sender(
            address=item.wa_id,
            email=contact.user.email if contact else "",
            name=name,
            contact=contact,
        ),
        department=number.department,
        subject=_subject(number, item),
        body_text=_body(item, problems),
        attachments=attachments,
        replied_ids=[item.context_id] if item.context_id else [],
        conversation=f"{number.phone_number_id}:{item.wa_id}",
        reopen_window=REOPEN_WINDOW,
        plan_channel=number.channel,
        automatic=item.kind == "reaction",
        received_at=item.sent_at,
    )


def _keep(
    webhook: Webhook, number: BusinessNumber, item: Incoming, filed: Filed, problems: list[str]
) -> None:
    """The channel's own record of the message: what threads our replies to the number and
    follows their 24-hour window (already there when a copy was filed before)."""
    if filed.duplicate and WhatsAppMessage.objects.filter(wamid=item.wamid).exists():
        return
    WhatsAppMessage.objects.create(
        wamid=item.wamid,
        direction=WhatsAppMessage.Direction.INBOUND,
        business_number=number,
        wa_id=item.wa_id,
        kind=item.kind,
        text=item.text,
        webhook=webhook,
        ticket=filed.ticket,
        message=filed.receipt.message,
        note=filed.receipt.note,
        error="\n".join(problems),
        created_at=filed.receipt.created_at,
    )


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
        if row.message is not None:
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
    *,
    number: BusinessNumber,
    wa_id: str,
    text: str,
    wamid: str,
    ticket: Ticket | None = None,
    message: Message | None = None,
) -> WhatsAppMessage:
    """Remember a message we sent, so its statuses can be followed."""
    return WhatsAppMessage.objects.create(
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
def do_register_number(contact: Contact, *, actor: User, number: str) -> WhatsAppIdentity:
    """Let ``contact`` write to support from ``number`` on WhatsApp."""
    require_primary(contact.company, actor, _only_primary())
    wa_id = normalized_number(number)
    if WhatsAppIdentity.objects.filter(wa_id=wa_id).exists():
        raise ActionRefused(
            _("+%(number)s is already registered.") % {"number": wa_id}, code="duplicate"
        )
    identity = WhatsAppIdentity.objects.create(wa_id=wa_id, contact=contact)
    whatsapp_number_added_event(
        company=contact.company, actor=actor, user=contact.user, number=wa_id
    )
    return identity


@transaction.atomic
def do_remove_number(identity: WhatsAppIdentity, *, actor: User) -> None:
    company = identity.contact.company
    require_primary(company, actor, _only_primary())
    whatsapp_number_removed_event(
        company=company, actor=actor, user=identity.contact.user, number=identity.wa_id
    )
    identity.delete()
