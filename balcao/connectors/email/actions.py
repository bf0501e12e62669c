"""The one funnel every e-mail goes through, whichever way it came in (pipe, LMTP, IMAP).

``do_receive_message`` stores the raw bytes first (their own commit), then, in one transaction,
parses, routes, threads, checks the sender and hands the message to the ticket actions. Nothing
is lost: a message that cannot be processed still becomes a visible ticket.
"""

import hashlib
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department
from balcao.connectors.email.models import AutoAnswer, InboundMail, Mailbox
from balcao.connectors.email.parsing import ParsedMail, parse_message
from balcao.core.errors import ActionRefused
from balcao.customers.selectors import department_refusal, find_contact_by_email
from balcao.events.actions import record_event
from balcao.events.models import EventKind
from balcao.tickets.actions import (
    NewAttachment,
    check_upload,
    do_add_message,
    do_open_ticket,
    do_record_delivery,
)
from balcao.tickets.models import Message, Origin, Ticket

log = logging.getLogger(__name__)

TOKEN = re.compile(r"\[#(\d{1,12})\]")
PREFIX = re.compile(r"^\s*((re|res|fw|fwd|enc|tr|aw|wg|sv|rv)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
FORWARD = re.compile(r"^\s*(fw|fwd|enc|tr|wg)\s*:", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\d.,/-])#?(\d{4,12})(?![\d.,/-]\d)")
# Automatic answers per address and hour: one explanation, a few acknowledgements.
AUTO_ANSWER_LIMITS = {
    InboundMail.Answer.ACKNOWLEDGEMENT: 10,
    InboundMail.Answer.UNLINKED: 1,
    InboundMail.Answer.REFUSED: 1,
}


# What filing a message writes on its row (never the raw bytes again).
FILED = [
    "state",
    "msgid",
    "from_email",
    "subject",
    "auto_generated",
    "department",
    "ticket",
    "message",
    "answer",
    "note",
    "defects",
]


@dataclass(frozen=True)
class InboundMessage:
    """One message as a channel hands it over: the raw bytes and the envelope."""

    raw: bytes
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

    def as_json(self) -> dict:
        return {
            "ticket": self.ticket,
            "action": self.action,
            "linked": self.linked,
            "company": self.company,
            "department": self.department,
            "status": self.status,
        }


def normalized_subject(subject: str) -> str:
    """The subject without Re:/RES:/Fwd:/ENC:/TR: prefixes, the ticket token and spacing."""
    subject = TOKEN.sub(" ", subject or "")
    subject = PREFIX.sub("", subject)
    return " ".join(subject.split()).casefold()


def _address_key(address: str) -> str:
    local, _at, domain = address.strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def fallback_department() -> Department:
    return (
        Department.objects.filter(is_active=True).order_by("-is_fallback", "position", "id").first()
    )


def route_department(parsed: ParsedMail, recipient: str = "") -> Department:
    """The department whose address the message was sent to (envelope first, then
    Delivered-To, X-Original-To, To, Cc), tolerant of case and plus-addressing."""
    by_address = {}
    for department in Department.objects.filter(is_active=True):
        by_address.setdefault(department.email.lower(), department)
        by_address.setdefault(_address_key(department.email), department)
    for address in [recipient, *parsed.delivered_to, *parsed.to, *parsed.cc]:
        if not address:
            continue
        found = by_address.get(address.strip().lower()) or by_address.get(_address_key(address))
        if found is not None:
            return found
    return fallback_department()


def _result(mail: InboundMail, action: str) -> ReceiveResult:
    ticket = (
        Ticket.objects.select_related("company", "department").filter(pk=mail.ticket_id).first()
    )
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


def _store_raw(inbound: InboundMessage) -> InboundMail:
    """Commit the bytes before anything else can fail; the same bytes to the same address once."""
    with transaction.atomic():
        mail, _created = InboundMail.objects.get_or_create(
            sha256=hashlib.sha256(inbound.raw).hexdigest(),
            recipient=inbound.recipient.strip().lower()[:320],
            defaults={"raw": inbound.raw, "source": inbound.source},
        )
    return mail


def do_receive_message(inbound: InboundMessage) -> ReceiveResult:
    """Store, then file the message: a new ticket, a reply joining one, or a duplicate.

    Database outages propagate (the caller tells the MTA to retry; the stored raw is
    processed on the retry); any other failure leaves a visible ticket with the raw."""
    mail = _store_raw(inbound)
    if mail.state != InboundMail.State.RECEIVED:
        return _result(mail, "duplicate")
    try:
        return _process(mail.pk, inbound)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("inbound mail %s could not be processed", mail.pk)
        return _keep_unprocessed(mail.pk, traceback.format_exc())


@transaction.atomic
def _process(mail_id: int, inbound: InboundMessage) -> ReceiveResult:
    mail = InboundMail.objects.select_for_update().get(pk=mail_id)
    if mail.state != InboundMail.State.RECEIVED:
        return _result(mail, "duplicate")
    parsed = parse_message(bytes(mail.raw))
    if inbound.envelope_sender == "":
        parsed.auto_generated = True
    department = route_department(parsed, mail.recipient)
    mail.msgid = parsed.message_id
    mail.from_email = parsed.from_email[:320]
    mail.subject = parsed.subject
    mail.auto_generated = parsed.auto_generated
    mail.department = department
    earlier = None
    if parsed.message_id:
        earlier = (
            InboundMail.objects.filter(
                msgid=parsed.message_id,
                department=department,
                state__in=[InboundMail.State.PROCESSED, InboundMail.State.FAILED],
            )
            .exclude(pk=mail.pk)
            .first()
        )
    if earlier is not None:
        mail.state = InboundMail.State.DUPLICATE
        mail.ticket_id = earlier.ticket_id
        mail.defects = parsed.defects
        mail.save(update_fields=FILED)
        return _result(mail, "duplicate")
    with translation.override(settings.LANGUAGE_CODE):
        action = _file(mail, parsed, department)
    mail.defects = parsed.defects
    mail.state = InboundMail.State.PROCESSED
    mail.save(update_fields=FILED)
    if mail.answer in (InboundMail.Answer.UNLINKED, InboundMail.Answer.REFUSED):
        from balcao.connectors.email import tasks

        transaction.on_commit(lambda: tasks.send_mail_notice_task.enqueue(mail.pk))
    return _result(mail, action)


def _thread(parsed: ParsedMail) -> tuple[Ticket | None, Ticket | None]:
    """(the ticket this message continues, the ticket it replied to under a new subject)."""
    match = TOKEN.search(parsed.subject)
    if match:
        ticket = Ticket.objects.filter(number=int(match.group(1))).first()
        if ticket is not None:
            return ticket, None
    ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
    if not ids:
        return None, None
    known = {
        m.message_id: m.ticket
        for m in Message.objects.filter(message_id__in=ids).select_related("ticket")
    }
    replied = next((known[i] for i in ids if i in known), None)
    if replied is None:
        return None, None
    if parsed.auto_generated or normalized_subject(parsed.subject) == normalized_subject(
        replied.subject
    ):
        return replied, None
    return None, replied


def _may_write(ticket: Ticket, contact, sender: str) -> bool:
    if ticket.company_id is None:
        return bool(sender) and sender == ticket.requester_email.lower()
    return contact is not None and contact.company_id == ticket.company_id


def _attachments(parsed: ParsedMail) -> list[NewAttachment]:
    """What the ticket shows; a file over the limits stays in the raw message, as a defect."""
    kept = []
    for item in parsed.attachments:
        attachment = NewAttachment(item.name, item.content_type, item.content, item.inline)
        try:
            check_upload(attachment)
        except ActionRefused as refusal:
            parsed.defects.append(str(refusal))
            continue
        kept.append(attachment)
    return kept


def _bodies(parsed: ParsedMail, *, whole: bool) -> tuple[str, str]:
    text, html = (
        (parsed.body_text, parsed.body_html or "")
        if whole
        else (parsed.reply_text, parsed.reply_html)
    )
    if not text.strip() and not html.strip() and not parsed.attachments:
        text = _("(This e-mail had no text.)")
    return text, html


def _claim_auto_answer(parsed: ParsedMail, kind: str) -> str:
    """The kind of automatic answer this sender may get now, or '' (loops, rate limit)."""
    sender = parsed.from_email
    if not sender or parsed.auto_generated or parsed.suppress_auto_answer:
        return ""
    if Department.objects.filter(email__iexact=sender).exists():
        return ""
    since = timezone.now() - timedelta(hours=1)
    sent = AutoAnswer.objects.filter(address=sender, kind=kind, sent_at__gte=since).count()
    if sent >= AUTO_ANSWER_LIMITS[kind]:
        return ""
    AutoAnswer.objects.create(address=sender, kind=kind)
    return kind


def _earlier_ticket(company, parsed: ParsedMail) -> Ticket | None:
    numbers = {int(n) for n in NUMBER.findall(f"{parsed.subject}\n{parsed.body_text}")}
    if company is None or not numbers:
        return None
    return Ticket.objects.filter(company=company, number__in=numbers).order_by("-number").first()


def _record_bounce(mail: InboundMail, parsed: ParsedMail) -> bool:
    """A delivery report returning one of our replies marks that reply as not delivered, on
    its ticket (R10); the report itself stays here, not in the customer's conversation."""
    if not parsed.returned_ids:
        return False
    returned = (
        Message.objects.filter(
            message_id__in=parsed.returned_ids, direction=Message.Direction.OUTBOUND
        )
        .select_related("ticket")
        .first()
    )
    if returned is None:
        return False
    report = parsed.delivery_report or parsed.subject
    do_record_delivery(
        returned,
        message_id=returned.message_id,
        error=_("Returned by the recipient's mail server: %(report)s") % {"report": report},
    )
    mail.ticket = returned.ticket
    mail.note = _("Delivery report of a reply: the reply is marked as not delivered.")
    return True


def _file(mail: InboundMail, parsed: ParsedMail, department: Department) -> str:
    if _record_bounce(mail, parsed):
        return "joined"
    sender = parsed.from_email
    contact = find_contact_by_email(sender) if sender else None
    company = contact.company if contact else None
    attachments = _attachments(parsed)
    target, replied = _thread(parsed)
    if target is not None and _may_write(target, contact, sender):
        text, html = _bodies(parsed, whole=False)
        message = do_add_message(
            target,
            actor=None,
            body=text,
            body_html=html,
            attachments=attachments,
            channel=Origin.EMAIL,
            author_email=sender,
            author_name=parsed.from_name,
            message_id=parsed.message_id,
            automatic=parsed.auto_generated,
        )
        mail.ticket, mail.message = target, message
        if parsed.auto_generated:
            mail.note = _("Automatic message (auto-reply, bounce or bulk): kept without reopening.")
        return "joined"

    follows = None
    refusal = ""
    if target is not None:
        # Someone not authorized on that ticket's company copied its token or thread: held apart.
        company, follows, department = None, target, target.department
        mail.note = _("Held: %(email)s may not write to ticket #%(number)s.") % {
            "email": sender or "?",
            "number": target.number,
        }
    elif replied is not None and (
        replied.company_id is None or replied.company_id == getattr(company, "pk", None)
    ):
        follows = replied
    if company is not None:
        refusal = department_refusal(company, department)
        if not refusal and department.requires_reference:
            follows = follows or _earlier_ticket(company, parsed)
            if follows is None:
                refusal = _(
                    "%(department)s needs the number of the earlier ticket that was not resolved well."
                ) % {"department": department.localized("name")}
    requested, department = department, (fallback_department() if refusal else department)
    text, html = _bodies(
        parsed, whole=bool(FORWARD.match(parsed.subject)) or not parsed.in_reply_to
    )
    ticket = do_open_ticket(
        department=department,
        subject=parsed.subject or _("(no subject)"),
        body=text,
        body_html=html,
        attachments=attachments,
        requester_email=sender,
        requester_name=parsed.from_name,
        company=company,
        origin=Origin.EMAIL,
        message_id=parsed.message_id,
        check_eligibility=False,
        follows=follows,
    )
    if refusal:
        record_event(
            EventKind.TRANSFERRED,
            ticket=ticket,
            old=requested.slug,
            new=department.slug,
            reason=refusal,
        )
        mail.note = refusal
    mail.ticket, mail.message = ticket, ticket.messages.first()
    if refusal:
        mail.answer = _claim_auto_answer(parsed, InboundMail.Answer.REFUSED)
    elif company is None:
        mail.answer = _claim_auto_answer(parsed, InboundMail.Answer.UNLINKED)
    else:
        mail.answer = _claim_auto_answer(parsed, InboundMail.Answer.ACKNOWLEDGEMENT)
    return "created"


def _keep_unprocessed(mail_id: int, error: str) -> ReceiveResult:
    """A message the funnel could not file still becomes a visible, unlinked ticket."""
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            mail = InboundMail.objects.select_for_update().get(pk=mail_id)
            sender = parse_message(bytes(mail.raw)).from_email
            ticket = do_open_ticket(
                department=fallback_department(),
                subject=_("E-mail that could not be processed"),
                body=_(
                    "Balcão could not process this e-mail. Its original is kept: open it from"
                    " this ticket to read it."
                ),
                requester_email=sender,
                origin=Origin.EMAIL,
                check_eligibility=False,
            )
            mail.state, mail.error, mail.from_email = InboundMail.State.FAILED, error, sender
            mail.ticket, mail.message = ticket, ticket.messages.first()
            mail.note = _("Could not be processed.")
            mail.save(update_fields=[*FILED, "error"])
            return _result(mail, "created")
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("inbound mail %s kept unprocessed", mail_id)
        InboundMail.objects.filter(pk=mail_id).update(state=InboundMail.State.FAILED, error=error)
        return ReceiveResult(None, "failed", False, None, None, None)


@transaction.atomic
def do_record_mailbox_progress(mailbox: Mailbox, *, uidvalidity: int, last_uid: int) -> None:
    """Remember how far an IMAP folder has been read (UIDs count only under one UIDVALIDITY)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=last_uid)
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, last_uid
