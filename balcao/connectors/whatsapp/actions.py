"""The WhatsApp channel's way in: a webhook delivery is stored raw first (its own commit),
then each message is handed to the one inbound funnel (tickets/inbound.py) as a
conversation between the customer's number and our business number; statuses of what we
sent are followed.

Media files are fetched by a task once the webhook has answered Meta: the message is filed
first with its file pending (``InboundMedia``), so a slow or failing download never delays
the answer nor loses the message. Automatic answers are sent by a task after commit.
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
from balcao.connectors.whatsapp.approved import render_template, template_errors, template_values
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    InboundMedia,
    MessageTemplate,
    TemplateReply,
    Webhook,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.connectors.whatsapp.payload import BadPayload, Incoming, StatusUpdate, parse
from balcao.connectors.whatsapp.tasks import download_media_task
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.customers.actions import require_primary
from balcao.customers.models import Contact
from balcao.events.actions import (
    template_sent_event,
    whatsapp_number_added_event,
    whatsapp_number_removed_event,
)
from balcao.tickets.actions import (
    NewAttachment,
    do_add_message,
    do_attach_files,
    do_record_attachment_failure,
    do_record_delivery,
)
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
    with translation.override(settings.LANGUAGE_CODE):
        filed = do_receive_inbound(_inbound(number, item))
    _keep(webhook, number, item, filed)
    if filed.duplicate:
        result.duplicates += 1
    elif filed.ticket is not None:
        created = filed.receipt.outcome == filed.receipt.Outcome.CREATED
        (result.created if created else result.joined).append(filed.ticket.number)


def _contact(wa_id: str) -> Contact | None:
    identity = (
        WhatsAppIdentity.objects.select_related("contact__company__plan", "contact__user")
        .filter(wa_id=wa_id, contact__company__is_active=True, contact__user__is_active=True)
        .first()
    )
    return identity.contact if identity else None


def _body(item: Incoming) -> str:
    if item.text.strip():
        return item.text
    if item.media is None:
        return _("(WhatsApp message of type “%(type)s”: see its original in the admin.)") % {
            "type": item.kind
        }
    return _("(File sent by WhatsApp: %(name)s.)") % {"name": item.media.filename}


def _subject(number: BusinessNumber, item: Incoming) -> str:
    first = " ".join(item.text.split())[:80] or _("message from +%(number)s") % {
        "number": item.wa_id
    }
    return f"{number.get_channel_display()}: {first}"


def _inbound(number: BusinessNumber, item: Incoming) -> InboundMessage:
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
        body_text=_body(item),
        replied_ids=[item.context_id] if item.context_id else [],
        conversation=f"{number.phone_number_id}:{item.wa_id}",
        reopen_window=REOPEN_WINDOW,
        plan_channel=number.channel,
        automatic=item.kind == "reaction",
        received_at=item.sent_at,
    )


@transaction.atomic(savepoint=False)  # the message's row and its file's, together
def _keep(webhook: Webhook, number: BusinessNumber, item: Incoming, filed: Filed) -> None:
    """The channel's own record of the message: what threads our replies to the number and
    follows their 24-hour window (already there when a copy was filed before); its file, if
    any, pending, fetched by a task once this commits."""
    if filed.duplicate and WhatsAppMessage.objects.filter(wamid=item.wamid).exists():
        return
    row = WhatsAppMessage.objects.create(
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
        created_at=filed.receipt.created_at,
    )
    if item.media is not None and row.message_id is not None:
        media = InboundMedia.objects.create(
            whatsapp_message=row,
            media_id=item.media.id,
            mime_type=item.media.mime_type,
            filename=item.media.filename,
        )
        enqueue_on_commit(download_media_task, media.pk)


def _media_for_update(media: InboundMedia) -> InboundMedia | None:
    """The file, locked, while it is still pending (None once done or failed)."""
    return (
        InboundMedia.objects.select_for_update(of=("self",))
        .select_related("whatsapp_message__message__ticket")
        .filter(pk=media.pk, state=InboundMedia.State.PENDING)
        .first()
    )


@transaction.atomic
def do_store_media(media: InboundMedia, attachment: NewAttachment) -> None:
    """The downloaded file joins the customer's message (once, even if the task ran twice)."""
    pending = _media_for_update(media)
    if pending is None or pending.whatsapp_message.message is None:
        return
    do_attach_files(pending.whatsapp_message.message, [attachment])
    pending.state, pending.attempts = InboundMedia.State.DONE, pending.attempts + 1
    pending.save(update_fields=["state", "attempts"])


@transaction.atomic
def do_retry_media(media: InboundMedia, error: str) -> int:
    """A failed attempt that may succeed later: counted, its error kept; returns the count."""
    pending = _media_for_update(media)
    if pending is None:
        return 0
    pending.attempts += 1
    pending.error = error[:2000]
    pending.save(update_fields=["attempts", "error"])
    return pending.attempts


@transaction.atomic
def do_fail_media(media: InboundMedia, error: str) -> None:
    """The file will not be fetched: marked failed, and staff see why in the history."""
    pending = _media_for_update(media)
    if pending is None:
        return
    pending.state, pending.error = InboundMedia.State.FAILED, error[:2000]
    pending.attempts += 1
    pending.save(update_fields=["state", "error", "attempts"])
    message = pending.whatsapp_message.message
    if message is not None:
        do_record_attachment_failure(message, name=pending.filename, error=error)


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
    kind: str = "text",
) -> WhatsAppMessage:
    """Remember a message we sent, so its statuses can be followed."""
    return WhatsAppMessage.objects.create(
        wamid=wamid,
        direction=WhatsAppMessage.Direction.OUTBOUND,
        business_number=number,
        wa_id=wa_id,
        kind=kind,
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


# --- approved templates, to write outside the 24-hour window -------------------------------


@transaction.atomic
def do_save_template(template: MessageTemplate) -> MessageTemplate:
    """Save a template's settings, refused when Meta could not accept them as given."""
    errors = template_errors(template.name, template.language, template.body, template.parameters)
    if errors:
        raise ActionRefused(" ".join(errors.values()), code="invalid_template")
    template.save()
    return template


@transaction.atomic
def do_reply_with_template(ticket: Ticket, *, actor: User, template_id: int) -> Message:
    """The team's reply as an approved template (WhatsApp's window is closed): recorded as a
    reply with the text the customer reads, and sent as that template by the delivery task."""
    if not getattr(actor, "is_agent", False):
        raise ActionRefused(_("Only the support team can do this."), code="forbidden")
    if ticket.origin != Origin.WHATSAPP:
        raise ActionRefused(_("This ticket is not a WhatsApp conversation."), code="not_whatsapp")
    template = MessageTemplate.objects.filter(pk=template_id, is_active=True).first()
    if template is None or template_errors(
        template.name, template.language, template.body, template.parameters
    ):
        raise ActionRefused(_("That template is not available."), code="no_template")
    values = template_values(template, ticket, actor)
    message = do_add_message(
        ticket, actor=actor, body=render_template(template, values), channel=Origin.CONSOLE
    )
    TemplateReply.objects.create(message=message, template=template, values=values)
    template_sent_event(
        message=message, actor=actor, template=template.name, language=template.language
    )
    return message
