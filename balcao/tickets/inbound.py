"""The one inbound funnel: every channel where the sender must be recognised (e-mail,
WhatsApp, and the ones to come) hands its message over as one ``InboundMessage`` and calls
``do_receive_inbound``, which owns, once for all of them:

- duplicates: the channel's own message id under a unique (channel, key) — two processes
  filing the same message at once make one ticket, on PostgreSQL too;
- threading (R8): the conversation of subject-less channels, or the ticket token and the
  replied-to ids with an unchanged subject; a changed subject opens a ticket that records
  the earlier one;
- who may write (R2, R7): a trusted contact writes to its company's tickets; anyone else is
  kept, unlinked, outside the SLA, or held apart from a ticket that is not theirs;
- where it lands (R3, R4, R13): a department or channel the plan does not include, or an
  Ouvidoria without an earlier ticket, goes to the fallback department, recorded with why;
- reopening (R12) and the SLA start, through the ticket actions;
- the automatic answers, in one table (``Receipt.answer``) with one throttle.

Connectors only: store the raw payload first → parse → resolve the sender → call this.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.prepared import prepared_insert, prepared_instance
from balcao.customers.models import Channel, Company, Contact
from balcao.customers.selectors import department_refusal
from balcao.events.actions import recorded_together, transferred_event
from balcao.sla.selectors import company_channels
from balcao.tickets import tasks
from balcao.tickets.actions import (
    NewAttachment,
    add_message,
    bump_touched_now,
    create_ticket,
    keep_copied,
)
from balcao.tickets.delivery import sends_answer
from balcao.tickets.models import Message, Receipt, Status, Ticket

TOKEN = re.compile(r"\[#(\d{1,12})\]")
PREFIX = re.compile(
    r"^\s*((re|res|fw|fwd|enc|tr|aw|wg|sv|rv|antw|odp|vs)(\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
# One answer of these kinds per sender and channel in this time; the others answer every
# message that needs them (a notice of where a message went is owed each time).
THROTTLED: dict[str, timedelta] = {
    Receipt.Answer.UNLINKED: timedelta(hours=1),
    Receipt.Answer.CLOSED: timedelta(hours=12),
}


@dataclass(frozen=True)
class Sender:
    """Who wrote, as the connector resolved it. ``address`` is the sender's identity on the
    channel (an e-mail address, a phone number), where automatic answers go; ``email`` the
    address the ticket records for e-mail (the contact's, on other channels)."""

    address: str
    email: str = ""
    name: str = ""
    contact: Contact | None = None
    trusted: bool = True
    problem: str = ""  # why the channel could not prove who wrote (shown to staff)


@dataclass(frozen=True)
class InboundMessage:
    """One message of any channel, as the funnel needs it."""

    channel: str  # tickets.models.Origin
    message_id: str  # the channel's own id of the message ("" when it has none)
    sender: Sender
    department: Department  # where it was addressed (recipient, business number)
    subject: str
    body_text: str
    body_html: str = ""
    attachments: Sequence[NewAttachment] = ()
    dedupe_key: str = ""  # what makes two deliveries one message (default: the message id)
    ticket_number: int | None = None  # a ticket token in the subject
    replied_ids: Sequence[str] = ()  # the channel's ids of the messages this one answers
    conversation: str = ""  # a subject-less channel's conversation (one number to one number)
    reopen_window: timedelta = timedelta(0)  # a closed conversation continues within it
    plan_channel: str = ""  # the customers.Channel the company's plan must include
    mentioned_numbers: Sequence[int] = ()  # ticket numbers in the text (Ouvidoria's earlier one)
    automatic: bool = False  # auto-reply, bounce, list: kept, never reopens, never answered
    no_answer: bool = False  # the sender asked for no automatic answer (or is one of us)
    received_at: datetime | None = None
    note: str = ""  # the channel's own remark for staff
    cc: Sequence[str] = ()  # addresses the message was copied to (kept if authorized contacts)


@dataclass(frozen=True)
class Filed:
    receipt: Receipt
    duplicate: bool

    @property
    def ticket(self) -> Ticket | None:
        return self.receipt.ticket

    def as_json(self) -> dict[str, object]:
        ticket = self.receipt.ticket
        return {
            "ticket": ticket.number if ticket else None,
            "action": "duplicate" if self.duplicate else self.receipt.outcome,
            "linked": bool(ticket and ticket.linked),
            "company": ticket.company.name if ticket and ticket.company else None,
            "department": ticket.department.slug if ticket else None,
            "status": ticket.status if ticket else None,
        }


def normalized_subject(subject: str) -> str:
    """The subject without reply/forward prefixes, the ticket token and spacing."""
    subject = TOKEN.sub(" ", subject or "")
    subject = PREFIX.sub("", subject)
    return " ".join(subject.split()).casefold()


def ticket_token_number(subject: str) -> int | None:
    match = TOKEN.search(subject or "")
    return int(match.group(1)) if match else None


def fallback_department() -> Department:
    department = (
        Department.objects.filter(is_active=True).order_by("-is_fallback", "position", "id").first()
    )
    if department is None:
        raise Department.DoesNotExist("no active department to receive messages")
    return department


def _key(inbound: InboundMessage) -> str:
    source = inbound.dedupe_key or inbound.message_id
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _existing(inbound: InboundMessage, key: str) -> Receipt | None:
    return (
        Receipt.objects.select_related("ticket__company", "ticket__department")
        .filter(channel=inbound.channel, key=key)
        .first()
    )


def do_receive_inbound(inbound: InboundMessage) -> Filed:
    """File one message: a new ticket, a message joining one, or a duplicate (nothing new).
    Durable: the connector's raw record is committed before, never wrapped with this."""
    try:
        with transaction.atomic(durable=True):
            return file_inbound(inbound)
    except IntegrityError:
        # The unique receipt, written last in the filing transaction, says the message was
        # filed already (by another process at the same time too): everything this run
        # wrote is rolled back with it, and no savepoint is paid on every message.
        existing = filed_before(inbound)
        if existing is None:
            raise
        return existing


def filed_before(inbound: InboundMessage) -> Filed | None:
    """The filing of this message already committed, as a duplicate (None: never filed)."""
    existing = _existing(inbound, _key(inbound))
    return None if existing is None else Filed(existing, duplicate=True)


def file_inbound(inbound: InboundMessage) -> Filed:
    """File one message inside the caller's transaction (a connector that commits its raw
    record with the filing, in one transaction). A duplicate raises IntegrityError at the
    receipt, the filing's last statement, and must roll the whole transaction back; the
    caller then answers it with ``filed_before``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("file_inbound runs inside the caller's transaction")
    if inbound.conversation:
        _lock_conversation(inbound)
    receipt = Receipt(
        channel=inbound.channel,
        key=_key(inbound),
        external_id=inbound.message_id,
        conversation=inbound.conversation,
        sender=inbound.sender.address.lower()[:320],
        created_at=min(inbound.received_at or timezone.now(), timezone.now()),
    )
    with translation.override(settings.LANGUAGE_CODE), recorded_together():
        _file(inbound, receipt)
    # whole, once (its SQL built once: core.prepared): a duplicate's IntegrityError rolls all
    # of the filing back
    prepared_insert(receipt)
    bump_touched_now()  # the live lists' version, in this transaction: one commit in all
    if receipt.answer:
        enqueue_on_commit(tasks.deliver_answer_task, receipt.pk)
    return Filed(receipt, duplicate=False)


def _lock_conversation(inbound: InboundMessage) -> None:
    """One message of a conversation filed at a time, so two arriving together join one
    ticket instead of opening two. SQLite's write transactions are already one at a time."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(
        f"{inbound.channel}:{inbound.conversation}".encode(), digest_size=8
    ).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _file(inbound: InboundMessage, receipt: Receipt) -> None:
    sender = inbound.sender
    contact = sender.contact if sender.trusted else None
    company = contact.company if contact else None
    target, follows = _thread(inbound, receipt, company)
    notes = [inbound.note] if inbound.note else []
    if not sender.trusted:
        notes.append(sender.problem)
    if target is not None and _may_write(inbound, target, contact):
        receipt.message = add_message(
            target,
            actor=None,
            body=inbound.body_text,
            body_html=inbound.body_html,
            attachments=inbound.attachments,
            channel=inbound.channel,
            author_email=sender.email,
            author_name=sender.name,
            message_id=inbound.message_id,
            automatic=inbound.automatic,
            # the ticket its token named, read under lock (not a merged one's survivor)
            locked=not inbound.conversation and target.number == inbound.ticket_number,
        )
        receipt.ticket, receipt.outcome = receipt.message.ticket, Receipt.Outcome.JOINED
        if inbound.automatic:
            notes.append(
                _("Automatic message (auto-reply, bounce or list): kept without reopening.")
            )
        answer = _hours_answer(inbound, company)
    else:
        answer = ""
        if target is not None:
            # Not theirs to write to: kept apart, unlinked, pointing to the ticket it named.
            notes.append(
                _("Held: %(sender)s may not write to ticket #%(number)s.")
                % {"sender": sender.address or "?", "number": target.number}
            )
            follows, company = target, None
            answer = Receipt.Answer.NOT_YOURS if contact is not None else Receipt.Answer.UNLINKED
        if follows is None and company is not None and inbound.department.requires_reference:
            follows = _mentioned_ticket(inbound, company)
        department, refusal = _department(inbound, company, follows)
        requester = _requester(sender, company)
        receipt.message = create_ticket(
            department=department,
            subject=inbound.subject or _("(no subject)"),
            body=inbound.body_text,
            body_html=inbound.body_html,
            attachments=inbound.attachments,
            actor=None,
            company=company,
            requester=requester,
            requester_email=sender.email,
            requester_name=sender.name,
            origin=inbound.channel,
            reference=follows,
            message_id=inbound.message_id,
        )
        receipt.ticket, receipt.outcome = receipt.message.ticket, Receipt.Outcome.CREATED
        if refusal:
            transferred_event(
                ticket=receipt.ticket,
                actor=None,
                old=inbound.department,
                new=department,
                reason=refusal,
            )
            notes.append(refusal)
        if company is None and answer != Receipt.Answer.NOT_YOURS:
            notes.append(_("Sender not registered to any company: not linked, outside the SLA."))
        if not sender.trusted:
            answer = ""  # never answer whom the message only claims to be from
        elif refusal and company is not None:
            answer = Receipt.Answer.REFUSED
        elif company is None:
            answer = answer or Receipt.Answer.UNLINKED
        else:
            answer = _hours_answer(inbound, company) or Receipt.Answer.ACKNOWLEDGEMENT
    if inbound.cc and company is not None and receipt.ticket.company_id == company.pk:
        keep_copied(receipt.ticket, inbound.cc)
    receipt.note = " ".join(n for n in notes if n)[:500]
    receipt.answer = _claim_answer(inbound, answer)


def _thread(
    inbound: InboundMessage, receipt: Receipt, company: Company | None
) -> tuple[Ticket | None, Ticket | None]:
    """(the ticket this message continues, the earlier ticket a new one follows)."""
    if inbound.conversation:
        return _conversation(inbound, receipt, company)
    found = None
    if inbound.ticket_number:
        # under its row lock, as do_add_message would read it again: the usual reply
        found = prepared_instance("inbound_thread", _numbered, inbound.ticket_number)
    if found is None and inbound.replied_ids:
        ids = list(inbound.replied_ids)
        known = {
            m.message_id: m.ticket
            for m in Message.objects.filter(message_id__in=ids).select_related("ticket")
        }
        found = next((known[i] for i in reversed(ids) if i in known), None)
    if found is None:
        return None, None
    if inbound.automatic or normalized_subject(inbound.subject) == normalized_subject(
        found.subject
    ):
        return _survivor(found), None
    # R8: another subject is another ticket, which records where it came from — if the
    # sender may see that one (never a pointer into another company's tickets).
    if found.company_id is None or found.company_id == getattr(company, "pk", None):
        return None, found
    return None, None


def _numbered(number: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department", "company")
        .filter(number=number)
    )


def _survivor(ticket: Ticket) -> Ticket:
    """A merged ticket's conversation continues in the ticket it was merged into."""
    while ticket.merged_into_id:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _conversation(
    inbound: InboundMessage, receipt: Receipt, company: Company | None
) -> tuple[Ticket | None, Ticket | None]:
    """A subject-less channel continues the sender's last conversation with us, if it is a
    ticket of the sender's own company (R2: a number removed from a company no longer writes
    to its tickets); a closed one continues within the reopen window, else is followed."""
    ticket = None
    if inbound.replied_ids:
        # A reply to one of the conversation's messages, ours or theirs, continues its ticket.
        ticket = (
            Ticket.objects.filter(
                messages__message_id__in=list(inbound.replied_ids),
                receipts__channel=inbound.channel,
                receipts__conversation=inbound.conversation,
            )
            .order_by("-id")
            .first()
        )
    replied = ticket is not None
    if ticket is None:
        last = (
            Receipt.objects.select_related("ticket")
            .filter(
                channel=inbound.channel, conversation=inbound.conversation, ticket__isnull=False
            )
            .exclude(pk=receipt.pk)
            .order_by("-created_at", "-id")
            .first()
        )
        ticket = last.ticket if last is not None else None
    if ticket is None or ticket.company_id != getattr(company, "pk", None):
        return None, None
    if ticket.status != Status.CLOSED or replied:
        return ticket, None
    if ticket.closed_at and ticket.closed_at >= timezone.now() - inbound.reopen_window:
        return ticket, None
    return None, ticket


def _may_write(inbound: InboundMessage, ticket: Ticket, contact: Contact | None) -> bool:
    if ticket.company_id is None:
        if inbound.conversation:
            return True  # the same number's own unlinked conversation
        email = inbound.sender.email.lower()
        return bool(email) and email == ticket.requester_email.lower()
    return contact is not None and contact.company_id == ticket.company_id


def _department(
    inbound: InboundMessage, company: Company | None, follows: Ticket | None
) -> tuple[Department, str]:
    """Where a new ticket lands and, when that is not where it was sent, why (R3, R4, R13)."""
    addressed = inbound.department
    refusal = ""
    if company is not None:
        if inbound.plan_channel and not company.plan.allows_channel(inbound.plan_channel):
            refusal = _("The plan of %(company)s does not include %(channel)s.") % {
                "company": company.name,
                "channel": Channel(inbound.plan_channel).label,
            }
        else:
            refusal = department_refusal(company, addressed)
        if not refusal and addressed.requires_reference and follows is None:
            refusal = _(
                "%(department)s needs the number of the earlier ticket that was not resolved well."
            ) % {"department": addressed.localized("name")}
    elif not addressed.is_active:
        refusal = department_refusal(None, addressed)
    if not refusal:
        return addressed, ""
    fallback = fallback_department()
    return fallback, (refusal if fallback.pk != addressed.pk else "")


def _mentioned_ticket(inbound: InboundMessage, company: Company) -> Ticket | None:
    numbers = {n for n in inbound.mentioned_numbers if n}
    if not numbers:
        return None
    return Ticket.objects.filter(company=company, number__in=numbers).order_by("-number").first()


def _requester(sender: Sender, company: Company | None) -> User | None:
    if sender.contact is not None and company is not None:
        return sender.contact.user
    return None


def _hours_answer(inbound: InboundMessage, company: Company | None) -> str:
    """A real-time channel out of its hours says when it opens (R14)."""
    if not inbound.plan_channel:
        return ""
    state = next((s for s in company_channels(company) if s.channel == inbound.plan_channel), None)
    return Receipt.Answer.CLOSED if state is not None and not state.open_now else ""


def _claim_answer(inbound: InboundMessage, kind: str) -> str:
    """The automatic answer this message gets: none to machines or to who asked for none,
    none the channel does not send, and the throttled kinds once per period per sender."""
    if not kind or inbound.automatic or inbound.no_answer or not inbound.sender.address:
        return ""
    if not sends_answer(inbound.channel, kind):
        return ""
    period = THROTTLED.get(kind)
    if period is not None and (
        Receipt.objects.filter(
            channel=inbound.channel,
            sender=inbound.sender.address.lower(),
            answer=kind,
            created_at__gte=timezone.now() - period,
        ).exists()
    ):
        return ""
    return kind
