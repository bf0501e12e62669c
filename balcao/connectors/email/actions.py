"""The e-mail channel's way in, whichever way mail arrives (pipe, LMTP, IMAP): the raw bytes
are committed first (``InboundMail``), then parsed, routed to the department addressed, the
sender resolved, and the message handed to the one inbound funnel (tickets/inbound.py),
which threads, authorizes and files it. Nothing is lost: a message that cannot be processed
still becomes a visible ticket, with its original one click away.
"""

import logging
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department
from balcao.accounts.selectors import DEPARTMENTS_VERSION, list_departments
from balcao.connectors.email.models import InboundMail, Mailbox
from balcao.connectors.email.parsing import ParsedMail, parse_message
from balcao.connectors.email.store import Spooled, keep, keep_all, spool_bytes
from balcao.core.enqueue import batch
from balcao.core.errors import ActionRefused
from balcao.core.prepared import prepared_insert
from balcao.customers.models import Contact
from balcao.customers.selectors import find_contact_by_email
from balcao.tickets.actions import NewAttachment, check_upload, do_record_delivery
from balcao.tickets.inbound import (
    Filed,
    InboundMessage,
    Sender,
    fallback_department,
    file_inbound,
    filed_before,
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


class _Stored(Exception):
    """The same bytes to the same address are stored already: roll this filing back."""


def _keep_file(raw: RawMail) -> InboundMail:
    """Keep the bytes before anything else can fail: on disk, fsynced, under their SHA-256
    (what the MTA's retry finds again if the database is down); the row is written with the
    filing, in its one transaction."""
    spooled = raw.raw if isinstance(raw.raw, Spooled) else spool_bytes(raw.raw)
    return _row(raw, spooled.sha256, keep(spooled))


def _row(raw: RawMail, sha256: str, name: str) -> InboundMail:
    return InboundMail(
        sha256=sha256,
        recipient=raw.recipient.strip().lower()[:320],
        raw=name,
        source=raw.source,
    )


def _insert(mail: InboundMail) -> bool:
    """INSERT the row, whole, unless those bytes to that address are stored already (ON
    CONFLICT on the unique (sha256, recipient): no read before, no savepoint); False then.
    On PostgreSQL another process storing the same row at once makes this wait for its
    commit."""
    return prepared_insert(mail, unless_conflict_on=("sha256", "recipient"))


def _stored(mail: InboundMail) -> InboundMail:
    return InboundMail.objects.select_related("ticket__company", "ticket__department").get(
        sha256=mail.sha256, recipient=mail.recipient
    )


def _save_row(mail: InboundMail) -> None:
    """The row, whole, as the transaction's last write: INSERT … ON CONFLICT, or (a row an
    earlier version committed before filing it) an UPDATE."""
    if mail.pk is not None:
        mail.save(update_fields=[*FILED, "error"])
    elif not _insert(mail):
        raise _Stored


def do_receive_mail(raw: RawMail) -> ReceiveResult:
    """Keep, then file the message — a new ticket, a reply joining one, or a duplicate — in
    one transaction with its row (one commit per message), its tasks enqueued at once.

    Database outages propagate (the caller tells the MTA to retry: the bytes are on disk,
    the row and the ticket commit together on the retry); any other failure leaves a visible
    ticket with the raw."""
    mail = _keep_file(raw)
    # The tasks of what commits (the answer, SLA alerts, notifications) leave together once
    # the filing is done; a failure to send them is not a failure to file.
    with batch():
        return _receive_kept(raw, mail)


def do_receive_mails(raws: Sequence[RawMail]) -> list[ReceiveResult]:
    """Several messages that arrived together (an IMAP batch, LMTP deliveries of concurrent
    sessions), each filed as ``do_receive_mail`` files it, at the cost of one: their bytes
    synced at once, all filed in one transaction (one commit), their tasks in one INSERT.
    Any failure in that transaction (one message that cannot be filed, a duplicate) rolls it
    all back, and then each message is filed on its own, in its own transaction: one bad
    message never takes the others down. Database outages propagate, for all of them (the
    caller answers each as not stored: the bytes are on disk for the retry). The results
    are in the order of ``raws``; a message held as a file (``Spooled``) is kept as is."""
    if len(raws) == 1:
        return [do_receive_mail(raws[0])]
    held = [raw.raw for raw in raws if isinstance(raw.raw, bytes)]
    kept = iter(keep_all(held))
    mails = []
    for raw in raws:
        if isinstance(raw.raw, Spooled):
            mails.append(_keep_file(raw))
        else:
            spooled, name = next(kept)
            mails.append(_row(raw, spooled.sha256, name))
    with batch():
        results = _file_together(raws, mails)
        for index, result in enumerate(results):
            if result is None:  # filed alone, into a fresh row: nothing of the rollback kept
                mail = mails[index]
                fresh = InboundMail(
                    sha256=mail.sha256,
                    recipient=mail.recipient,
                    raw=mail.raw.name,
                    source=mail.source,
                )
                results[index] = _receive_kept(raws[index], fresh)
    return [result for result in results if result is not None]


def _file_together(raws: Sequence[RawMail], mails: list[InboundMail]) -> list[ReceiveResult | None]:
    """All in one transaction, or none (a list of None: each is then filed alone)."""
    filings = []
    for raw, mail in zip(raws, mails, strict=True):
        try:
            filings.append(_read(mail, _parse(raw, mail)))
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            return [None] * len(raws)  # filed alone, where its failure is kept and shown
    try:
        with transaction.atomic(durable=True):
            return [_file_one(filing) for filing in filings]
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        log.info("%d inbound mails filed one by one: %r", len(raws), error)
        return [None] * len(raws)


def _receive_kept(raw: RawMail, mail: InboundMail) -> ReceiveResult:
    """Parse and file a message whose bytes are kept; any failure but the database's still
    leaves a visible ticket with the raw."""
    parsed = None
    try:
        parsed = _parse(raw, mail)
        return _file_mail(_read(mail, parsed))
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        log.exception("inbound mail %s could not be processed", mail.sha256)
        return _keep_unprocessed(mail, parsed, traceback.format_exc())


def _parse(raw: RawMail, mail: InboundMail) -> ParsedMail:
    # the bytes in memory when the way in has them; a spooled message from its file
    if isinstance(raw.raw, bytes):
        parsed = parse_message(raw.raw)
    else:
        with open(mail.raw.path, "rb") as source:
            parsed = parse_message(source)
    if raw.envelope_sender == "":
        parsed.auto_generated = True
    return parsed


@dataclass
class _Filing:
    """A message read and routed, ready to be filed in a transaction."""

    mail: InboundMail
    parsed: ParsedMail
    contact: Contact | None
    department: Department
    departments: list[Department]
    inbound: InboundMessage | None


def _read(mail: InboundMail, parsed: ParsedMail) -> _Filing:
    """The reads, outside the transaction (as short as the writes): the sender, carrying the
    departments' version (the process's copy of them routes, and tells "is it one of us")."""
    address = parsed.from_email
    contact = find_contact_by_email(address, version=DEPARTMENTS_VERSION) if address else None
    departments = list_departments(getattr(contact, "version_token", None))
    department = route_department(parsed, mail.recipient, departments)
    _describe(mail, parsed, department)
    inbound = None
    if not parsed.returned_ids:  # a delivery report is matched inside the transaction
        with translation.override(settings.LANGUAGE_CODE):
            inbound = _inbound(mail, parsed, contact, department, departments)
    return _Filing(mail, parsed, contact, department, departments, inbound)


def _file_one(filing: _Filing) -> ReceiveResult:
    """Inside the transaction: the filing, then the row as its last write."""
    result = _process(filing)
    _save_row(filing.mail)
    return result


def _file_mail(filing: _Filing) -> ReceiveResult:
    mail = filing.mail
    while True:  # twice at most: the second files into a row stored, unfiled, by an older version
        try:
            with transaction.atomic(durable=True):
                return _file_one(filing)
        except _Stored:
            stored = _stored(mail)
            if stored.state != InboundMail.State.RECEIVED:
                return _result(stored.ticket, "duplicate")
            mail.pk, mail._state.adding = stored.pk, False  # file it now, into that row
        except IntegrityError:
            # The funnel's receipt: this message was filed already (to another address of
            # the same department, or by another process at the same time). Everything was
            # rolled back; the row is kept as the duplicate it is.
            filed = filed_before(filing.inbound) if filing.inbound is not None else None
            if filed is None:
                raise
            return _record_duplicate(mail, filing.parsed, filed)


def _process(filing: _Filing) -> ReceiveResult:
    mail, parsed = filing.mail, filing.parsed
    if _record_bounce(mail, parsed):
        _finish(mail, parsed, None)
        return _result(mail.ticket, "joined")
    if filing.inbound is None:  # returned ids that are none of our replies: an ordinary
        # message, whose duplicate is then answered from its receipt as any other's
        with translation.override(settings.LANGUAGE_CODE):
            filing.inbound = _inbound(
                mail, parsed, filing.contact, filing.department, filing.departments
            )
    filed = file_inbound(filing.inbound)
    _finish(mail, parsed, filed)
    return _result(mail.ticket, _filed_action(filed))


def _record_duplicate(mail: InboundMail, parsed: ParsedMail, filed: Filed) -> ReceiveResult:
    _finish(mail, parsed, filed)
    try:
        with transaction.atomic(durable=True):
            _save_row(mail)
    except _Stored:
        return _result(_stored(mail).ticket, "duplicate")
    return _result(filed.ticket, "duplicate")


def _describe(mail: InboundMail, parsed: ParsedMail, department: Department) -> None:
    mail.msgid = parsed.message_id
    mail.from_email = parsed.from_email[:320]
    mail.subject = parsed.subject
    mail.auto_generated = parsed.auto_generated
    mail.department = department


def _finish(mail: InboundMail, parsed: ParsedMail, filed: Filed | None) -> None:
    """What became of the message, on its row (written once, by the caller)."""
    mail.defects = parsed.defects
    if filed is not None:
        mail.ticket, mail.message = filed.ticket, filed.receipt.message
        mail.note = filed.receipt.note
        mail.state = InboundMail.State.DUPLICATE if filed.duplicate else InboundMail.State.PROCESSED
    else:
        mail.state = InboundMail.State.PROCESSED


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
    mail: InboundMail,
    parsed: ParsedMail,
    contact: Contact | None,
    department: Department,
    departments: list[Department],
) -> InboundMessage:
    sender_address = parsed.from_email
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


def do_keep_failed_mail(raw: RawMail, error: str) -> InboundMail:
    """A message that could not be filed even alone (``mail fetch`` passes it): its bytes in
    the raw store and its row, failed (or the row those bytes have already)."""
    assert isinstance(raw.raw, bytes)
    spooled = spool_bytes(raw.raw)
    mail, _created = InboundMail.objects.get_or_create(
        sha256=spooled.sha256,
        recipient=raw.recipient.strip().lower()[:320],
        defaults={
            "raw": keep(spooled),
            "source": raw.source,
            "state": InboundMail.State.FAILED,
            "error": error,
        },
    )
    return mail


def _keep_unprocessed(mail: InboundMail, parsed: ParsedMail | None, error: str) -> ReceiveResult:
    """A message the funnel could not file still becomes a visible, unlinked ticket, with
    its row, in one transaction; if even that fails, the row alone, marked failed."""
    sender = parsed.from_email[:320] if parsed is not None else ""
    mail.state, mail.error, mail.from_email = InboundMail.State.FAILED, error, sender
    try:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic(durable=True):
            filed = file_inbound(
                InboundMessage(
                    channel=Origin.EMAIL,
                    message_id="",
                    dedupe_key=f"unprocessed:{mail.sha256}\n{mail.recipient}",
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
            mail.ticket, mail.message = filed.ticket, filed.receipt.message
            mail.note = filed.receipt.note
            _save_row(mail)
        return _result(filed.ticket, "created")
    except (OperationalError, InterfaceError):
        raise
    except _Stored:
        return _result(_stored(mail).ticket, "duplicate")
    except Exception:
        log.exception("inbound mail %s kept unprocessed", mail.sha256)
        mail.ticket = mail.message = None
        mail.note = ""
        try:
            with transaction.atomic(durable=True):
                _save_row(mail)
        except _Stored:
            InboundMail.objects.filter(
                sha256=mail.sha256, recipient=mail.recipient, state=InboundMail.State.RECEIVED
            ).update(state=InboundMail.State.FAILED, error=error)
        return ReceiveResult(None, "failed", False, None, None, None)


@transaction.atomic
def do_record_mailbox_progress(mailbox: Mailbox, *, uidvalidity: int, last_uid: int) -> None:
    """Remember how far an IMAP folder has been read (UIDs count only under one UIDVALIDITY)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=last_uid)
    mailbox.uidvalidity, mailbox.last_uid = uidvalidity, last_uid
