"""The e-mail channel's way in, whichever way mail arrives (pipe, LMTP, IMAP): the raw bytes
are committed first (``InboundMail``), then parsed, routed to the department addressed, the
sender resolved, and the message handed to the one inbound funnel (tickets/inbound.py),
which threads, authorizes and files it. Nothing is lost: a message that cannot be processed
still becomes a visible ticket, with its original one click away.
"""

import logging
import re
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department
from balcao.connectors.email.models import InboundMail, Mailbox
from balcao.connectors.email.parsing import ParsedMail, parse_message
from balcao.connectors.email.store import Spooled, keep, spool_bytes
from balcao.core.errors import ActionRefused
from balcao.customers.selectors import find_contact_by_email
from balcao.tickets.actions import NewAttachment, check_upload, do_record_delivery
from balcao.tickets.inbound import (
    Filed,
    InboundMessage,
    Sender,
    do_receive_inbound,
    fallback_department,
    ticket_token_number,
)
from balcao.tickets.models import Message, Origin, Ticket

log = logging.getLogger(__name__)

FORWARD = re.compile(r"^\s*(fw|fwd|enc|tr|wg|rv|doorst)\s*:", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\d.,/-])#?(\d{4,12})(?![\d.,/-]\d)")
FILED = [
    "state",
    "msgid",
    "from_email",
    "subject",
    "auto_generated",
    "department",
    "ticket",
    "message",
    "note",
    "defects",
]


@dataclass(frozen=True)
class RawMail:
    """One message as a way in hands it over: the raw bytes (or already in a spool file, as
    `mail deliver` streams it) and the envelope."""

    raw: bytes | Spooled
    recipient: str = ""
    source: str = InboundMail.Source.DELIVER
    envelope_sender: str | None = None  # "" is the null sender of bounces


@dataclass(frozen=True)
class ReceiveResult:
    ticket: int | None
    action: str  # created | joined | duplicate | failed
    linked: bool
    company: str | None
    department: str | None
    status: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "ticket": self.ticket,
            "action": self.action,
            "linked": self.linked,
            "company": self.company,
            "department": self.department,
            "status": self.status,
        }


def _address_key(address: str) -> str:
    local, _at, domain = address.strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def route_department(
    parsed: ParsedMail, recipient: str, departments: list[Department]
) -> Department:
    """The active department whose address the message was sent to (envelope first, then
    Delivered-To, X-Original-To, To, Cc), tolerant of case and plus-addressing."""
    by_address: dict[str, Department] = {}
    for department in departments:
        if not department.is_active:
            continue
        by_address.setdefault(department.email.lower(), department)
        by_address.setdefault(_address_key(department.email), department)
    for address in [recipient, *parsed.delivered_to, *parsed.to, *parsed.cc]:
        if not address:
            continue
        found = by_address.get(address.strip().lower()) or by_address.get(_address_key(address))
        if found is not None:
            return found
    return fallback_department()


def _result(ticket: Ticket | None, action: str) -> ReceiveResult:
    if ticket is None:
        return ReceiveResult(None, action, False, None, None, None)
    return ReceiveResult(
        ticket.number,
        action,
        ticket.linked,
        ticket.company.name if ticket.company else None,
        ticket.department.slug,
        ticket.status,
    )


def _filed_action(filed: Filed) -> str:
    return "duplicate" if filed.duplicate else filed.receipt.outcome


def _store_raw(raw: RawMail) -> InboundMail:
    """Keep the bytes before anything else can fail: on disk first (fsync), then the row,
    committed; the same bytes to the same address once."""
    spooled = raw.raw if isinstance(raw.raw, Spooled) else spool_bytes(raw.raw)
    name = keep(spooled)
    recipient = raw.recipient.strip().lower()[:320]
    # Insert first, look only when the unique (sha256, recipient) says it is there: a new
    # message (the usual case) costs one INSERT, without get_or_create's read and savepoint.
    try:
        with transaction.atomic(durable=True):
            return InboundMail.objects.create(
                sha256=spooled.sha256, recipient=recipient, raw=name, source=raw.source
            )
    except IntegrityError:
        return InboundMail.objects.get(sha256=spooled.sha256, recipient=recipient)


def do_receive_mail(raw: RawMail) -> ReceiveResult:
    """Store, then file the message: a new ticket, a reply joining one, or a duplicate.

    Database outages propagate (the caller tells the MTA to retry; the stored raw is
    processed on the retry); any other failure leaves a visible ticket with the raw."""
    mail = _store_raw(raw)
    if mail.state != InboundMail.State.RECEIVED:
        mail = InboundMail.objects.select_related("ticket__company", "ticket__department").get(
            pk=mail.pk
        )
        return _result(mail.ticket, "duplicate")
    try:
        return _process(mail, raw)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("inbound mail %s could not be processed", mail.pk)
        return _keep_unprocessed(mail, traceback.format_exc())


def _parse_stored(mail: InboundMail) -> ParsedMail:
    with open(mail.raw.path, "rb") as source:
        return parse_message(source)


def _process(mail: InboundMail, raw: RawMail) -> ReceiveResult:
    parsed = _parse_stored(mail)
    if raw.envelope_sender == "":
        parsed.auto_generated = True
    departments = list(Department.objects.all())  # routing, and "is it one of us"
    department = route_department(parsed, mail.recipient, departments)
    mail.msgid = parsed.message_id
    mail.from_email = parsed.from_email[:320]
    mail.subject = parsed.subject
    mail.auto_generated = parsed.auto_generated
    mail.department = department
    if _record_bounce(mail, parsed):
        return _finish(mail, parsed, None, "joined")
    with translation.override(settings.LANGUAGE_CODE):
        inbound = _inbound(mail, parsed, department, departments)
    filed = do_receive_inbound(inbound)
    return _finish(mail, parsed, filed, "")


def _finish(
    mail: InboundMail, parsed: ParsedMail, filed: Filed | None, action: str
) -> ReceiveResult:
    mail.defects = parsed.defects
    if filed is not None:
        mail.ticket, mail.message = filed.ticket, filed.receipt.message
        mail.note = filed.receipt.note
        mail.state = InboundMail.State.DUPLICATE if filed.duplicate else InboundMail.State.PROCESSED
    else:
        mail.state = InboundMail.State.PROCESSED
    mail.save(update_fields=FILED)
    return _result(mail.ticket, action or (_filed_action(filed) if filed else ""))


def _attachments(parsed: ParsedMail) -> list[NewAttachment]:
    """What the ticket shows; a file over the limits stays in the raw message, as a defect."""
    kept = []
    for item in parsed.attachments:
        if item.left_out:  # measured in the raw file: over the limit
            parsed.defects.append(
                _("%(name)s is larger than %(limit)d MB.")
                % {"name": item.name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            )
            continue
        attachment = NewAttachment(
            item.name, item.content_type, item.content, item.inline, item.content_id
        )
        try:
            check_upload(attachment)
        except ActionRefused as refusal:
            parsed.defects.append(str(refusal))
            continue
        kept.append(attachment)
    return kept


def _inbound(
    mail: InboundMail, parsed: ParsedMail, department: Department, departments: list[Department]
) -> InboundMessage:
    sender_address = parsed.from_email
    contact = find_contact_by_email(sender_address) if sender_address else None
    token = ticket_token_number(parsed.subject)
    replied = [i for i in [*parsed.references, parsed.in_reply_to] if i]
    # What the person wrote: the reply without the quoted history, unless the message starts
    # a conversation (a forward, or nothing it replies to): then all of it.
    whole = bool(FORWARD.match(parsed.subject)) or not (parsed.in_reply_to or token)
    text, html = (
        (parsed.body_text, parsed.body_html or "")
        if whole
        else (parsed.reply_text, parsed.reply_html)
    )
    attachments = _attachments(parsed)
    if not text.strip() and not html.strip() and not attachments:
        text = _("(This e-mail had no text.)")
    ours = bool(sender_address) and any(
        d.email.lower() == sender_address.lower() for d in departments
    )
    return InboundMessage(
        channel=Origin.EMAIL,
        message_id=parsed.message_id,
        # The same message to two addresses of one department is one ticket; to two
        # departments, one in each. Without a Message-ID, the bytes tell.
        dedupe_key=f"{department.pk}\n{parsed.message_id or 'sha256:' + mail.sha256}",
        # A sender the message does not prove (several From, a name that is another address,
        # DMARC failed where required) is kept, never linked on that basis, never answered.
        sender=Sender(
            address=sender_address,
            email=sender_address,
            name=parsed.from_name,
            contact=contact,
            trusted=parsed.from_trusted,
            problem=_(parsed.trust_problem) if parsed.trust_problem else "",
        ),
        department=department,
        subject=parsed.subject,
        body_text=text,
        body_html=html,
        attachments=attachments,
        ticket_number=token,
        replied_ids=replied,
        mentioned_numbers=[int(n) for n in NUMBER.findall(f"{parsed.subject}\n{parsed.body_text}")],
        automatic=parsed.auto_generated,
        no_answer=parsed.suppress_auto_answer or ours,
        cc=parsed.cc,
    )


def _record_bounce(mail: InboundMail, parsed: ParsedMail) -> bool:
    """A delivery report returning one of our replies marks that reply as not delivered, on
    its ticket (R10); the report itself stays here, not in the customer's conversation."""
    if not parsed.returned_ids:
        return False
    returned = (
        Message.objects.filter(
            message_id__in=parsed.returned_ids, direction=Message.Direction.OUTBOUND
        )
        .select_related("ticket__company", "ticket__department")
        .first()
    )
    if returned is None:
        return False
    report = parsed.delivery_report or parsed.subject
    with translation.override(settings.LANGUAGE_CODE):
        do_record_delivery(
            returned,
            message_id=returned.message_id,
            error=_("Returned by the recipient's mail server: %(report)s") % {"report": report},
        )
        mail.note = _("Delivery report of a reply: the reply is marked as not delivered.")
    mail.ticket = returned.ticket
    return True


def _keep_unprocessed(mail: InboundMail, error: str) -> ReceiveResult:
    """A message the funnel could not file still becomes a visible, unlinked ticket."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            sender = _parse_stored(mail).from_email
            filed = do_receive_inbound(
                InboundMessage(
                    channel=Origin.EMAIL,
                    message_id="",
                    dedupe_key=f"unprocessed:{mail.pk}",
                    sender=Sender(
                        address=sender,
                        email=sender,
                        trusted=False,
                        problem=_("Could not be processed."),
                    ),
                    department=fallback_department(),
                    subject=_("E-mail that could not be processed"),
                    body_text=_(
                        "Balcão could not process this e-mail. Its original is kept: open it"
                        " from this ticket to read it."
                    ),
                    no_answer=True,
                )
            )
        mail.state, mail.error, mail.from_email = InboundMail.State.FAILED, error, sender
        mail.ticket, mail.message = filed.ticket, filed.receipt.message
        mail.note = filed.receipt.note
        mail.save(update_fields=[*FILED, "error"])
        return _result(filed.ticket, "created")
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("inbound mail %s kept unprocessed", mail.pk)
        InboundMail.objects.filter(pk=mail.pk).update(state=InboundMail.State.FAILED, error=error)
        return ReceiveResult(None, "failed", False, None, None, None)


@transaction.atomic
def do_record_mailbox_progress(mailbox: Mailbox, *, uidvalidity: int, last_uid: int) -> None:
    """Remember how far an IMAP folder has been read (UIDs count only under one UIDVALIDITY)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=last_uid)
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, last_uid
