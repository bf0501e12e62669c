"""What Balcão holds about one person, found by e-mail address (LGPD art. 18: access and
portability). The same reader serves the client area's download, staff and `balcao lgpd
export`, so all three give the same answer.

This app reads every app's tables, the channels' too: it is a compliance layer above the
domain, like the interfaces, and the domain never imports it.
"""

import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.utils import timezone

from balcao.accounts.models import User
from balcao.connectors.email.models import InboundMail
from balcao.connectors.whatsapp.models import Webhook, WhatsAppIdentity, WhatsAppMessage
from balcao.customers.models import Contact
from balcao.events.models import Event, EventKind
from balcao.meetings.models import Meeting
from balcao.privacy.models import AccessRecord, DataRequest
from balcao.satisfaction.models import Rating
from balcao.tickets.models import Attachment, Message, Receipt, Status, Ticket

log = logging.getLogger(__name__)

LEGAL_DAYS = 15  # LGPD art. 19, II: a complete answer within 15 days of the request
WARN_DAYS = 3  # the console warns when an open request is due within this many days


@dataclass
class Person:
    """Where one person's data lives: their account (if any), address and numbers."""

    email: str
    user: User | None
    contact: Contact | None
    numbers: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.user is not None or self.tickets().exists() or self.messages().exists()

    def tickets(self) -> QuerySet[Ticket]:
        match = Q(requester_email__iexact=self.email)
        if self.user is not None:
            match |= Q(requester=self.user)
        return Ticket.objects.filter(match)

    def messages(self) -> QuerySet[Message]:
        match = Q(author_email__iexact=self.email)
        if self.user is not None:
            match |= Q(author=self.user)
        return Message.objects.filter(match, direction=Message.Direction.INBOUND)

    def events(self) -> list[Event]:
        """Events that name the person: what they did, and their contact's records."""
        match = Q(ticket__in=self.tickets())
        if self.user is not None:
            match |= Q(actor=self.user)
        if self.contact is not None:
            match |= Q(company=self.contact.company_id, ticket=None)
        return [e for e in Event.objects.filter(match).order_by("id") if self.named_in(e.data)]

    def named_in(self, value: Any) -> bool:
        if isinstance(value, dict):
            if self.user is not None and value.get("id") == self.user.pk:
                return True
            return any(self.named_in(v) for v in value.values())
        if isinstance(value, list):
            return any(self.named_in(v) for v in value)
        if isinstance(value, str):
            return self.email in value.lower() or value in self.numbers
        return False

    def ratings(self) -> QuerySet[Rating]:
        """Their answers to the satisfaction question: signed in, or by the link of the
        e-mail that asked them (the requester's)."""
        match = Q(answered_by=None, ticket__in=self.tickets())
        if self.user is not None:
            match |= Q(answered_by=self.user)
        return Rating.objects.filter(match)

    def meetings(self) -> QuerySet[Meeting]:
        """The meetings they booked."""
        if self.user is None:
            return Meeting.objects.none()
        return Meeting.objects.filter(contact=self.user)

    def mails(self) -> QuerySet[InboundMail]:
        return InboundMail.objects.filter(from_email__iexact=self.email)

    def whatsapp_messages(self) -> QuerySet[WhatsAppMessage]:
        return WhatsAppMessage.objects.filter(wa_id__in=self.numbers)

    def receipts(self) -> QuerySet[Receipt]:
        return Receipt.objects.filter(sender__in=[self.email, *self.numbers])


def find_person(email: str) -> Person:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    contact = Contact.objects.select_related("company").filter(user=user).first() if user else None
    numbers = (
        list(WhatsAppIdentity.objects.filter(contact=contact).values_list("wa_id", flat=True))
        if contact
        else []
    )
    return Person(email=email, user=user, contact=contact, numbers=numbers)


def _consent(person: Person) -> dict[str, Any] | None:
    """Who authorized the contact (R2), when, and how the primary contact's consent was given
    when staff acted for them: from the contact's record and its ``contact_authorized`` event."""
    contact = person.contact
    if contact is None or person.user is None:
        return None
    event = (
        Event.objects.filter(
            kind=EventKind.CONTACT_AUTHORIZED, company=contact.company_id, ticket=None
        )
        .filter(data__contact__id=person.user.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    actor = event.actor if event else None
    given_by = "primary contact" if actor is None or not actor.is_agent else "staff"
    return {
        "primary_contact": contact.is_primary,
        "recorded_at": (event.created_at if event else contact.created_at).isoformat(),
        "given_by": given_by,
        "recorded_by": actor.name if actor else "",  # a name, never an address
        "how": event.data.get("consent", "") if event else "",
    }


def personal_data(email: str) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data: nothing of anyone else."""
    person = find_person(email)
    user, contact = person.user, person.contact
    messages = person.messages().select_related("ticket").order_by("created_at", "id")
    attachments = Attachment.objects.filter(message__in=person.messages()).select_related(
        "message__ticket"
    )
    return {
        "email": person.email,
        "profile": {
            "name": user.name,
            "language": user.language,
            "time_zone": user.time_zone,
            "joined": user.date_joined.isoformat(),
            "active": user.is_active,
        }
        if user
        else None,
        "contact": {
            "company": contact.company.name,
            "primary": contact.is_primary,
            "authorized_at": contact.created_at.isoformat(),
        }
        if contact
        else None,
        "consent": _consent(person),
        "whatsapp_numbers": person.numbers,
        "tickets": [
            {
                "number": t.number,
                "subject": t.subject,
                "status": t.status,
                "channel": t.origin,
                "opened": t.created_at.isoformat(),
            }
            for t in person.tickets().order_by("number")
        ],
        "messages": [
            {
                "ticket": m.ticket.number,
                "at": m.created_at.isoformat(),
                "channel": m.channel,
                "text": m.body_text,
            }
            for m in messages
        ],
        "attachments": [
            {
                "ticket": a.message.ticket.number,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                # deleted by the retention policy: not in the archive's anexos/ any more
                "purged": a.purged_at is not None,
            }
            for a in attachments
        ],
        "events": [
            {"kind": e.kind, "at": e.created_at.isoformat(), "data": e.data}
            for e in person.events()
        ],
        "satisfaction": [
            {
                "ticket": r.ticket.number,
                "score": r.score,
                "comment": r.comment,
                "answered": r.answered_at.isoformat(),
                "changed": r.changed_at.isoformat() if r.changed_at else None,
            }
            for r in person.ratings().select_related("ticket").order_by("answered_at", "id")
        ],
        "meetings": [
            {
                "ticket": m.ticket.number,
                "kind": m.kind,
                "topic": m.topic,
                "start": m.start.isoformat(),
                "end": m.end.isoformat(),
                "status": m.status,
                "host": m.host.user.name,  # a name, never a staff address
            }
            for m in person.meetings().select_related("ticket", "host__user").order_by("start")
        ],
        "emails_received": [
            {"received": m.received_at.isoformat(), "subject": m.subject}
            for m in person.mails().order_by("received_at")
        ],
        "account_events": [
            {"kind": e.kind, "at": e.created_at.isoformat(), "address": e.client_address}
            for e in (user.account_events.order_by("created_at", "id") if user else [])
        ],
    }


def write_export_archive(email: str, out: IO[bytes]) -> None:
    """The export as a ZIP: ``dados.json`` (``personal_data``) and the files the person sent,
    under ``anexos/`` — the one archive the client area and staff hand out."""
    person = find_person(email)
    attachments = (
        Attachment.objects.filter(message__in=person.messages(), purged_at=None)
        .select_related("message__ticket")
        .order_by("id")
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        data = json.dumps(personal_data(email), ensure_ascii=False, indent=2)
        archive.writestr("dados.json", data)
        for item in attachments:
            name = f"anexos/{item.message.ticket.number}-{item.pk}-{item.name}"
            try:
                with item.file.open("rb") as source, archive.open(name, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
            except FileNotFoundError:
                log.warning("attachment %s is missing from storage", item.pk)


# Data subjects' requests (art. 18, 19) and who opened whose data.


def due_date(received_at: datetime) -> date:
    """The legal deadline: 15 calendar days after the day it was received, in Brasília."""
    return received_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date() + timedelta(days=LEGAL_DAYS)


def today() -> date:
    return timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def list_data_requests(*, closed: bool = False) -> QuerySet[DataRequest]:
    """Open requests by due date, the closest first; or the closed ones, the latest due first
    — with who recorded and handled them."""
    requests = DataRequest.objects.select_related("recorded_by", "handled_by")
    if closed:
        return requests.exclude(status=DataRequest.Status.OPEN).order_by("-due_on", "-id")
    return requests.filter(status=DataRequest.Status.OPEN).order_by("due_on", "id")


def list_own_requests(email: str) -> QuerySet[DataRequest]:
    """A person's own requests, the latest first (the client area's "Your data")."""
    return DataRequest.objects.filter(email=email.strip().lower()).order_by("-received_at")[:20]


def get_data_request(pk: int) -> DataRequest | None:
    return DataRequest.objects.select_related("recorded_by", "handled_by").filter(pk=pk).first()


@dataclass(frozen=True)
class Deadlines:
    overdue: int
    near: int


def request_deadlines() -> Deadlines:
    """How many open requests are past their legal deadline, and how many are due within
    ``WARN_DAYS`` days (one query, on the (status, due_on) index)."""
    now = today()
    counts = DataRequest.objects.filter(
        status=DataRequest.Status.OPEN, due_on__lte=now + timedelta(days=WARN_DAYS)
    ).aggregate(overdue=Count("id", filter=Q(due_on__lt=now)), all=Count("id"))
    return Deadlines(overdue=counts["overdue"], near=counts["all"] - counts["overdue"])


def list_accesses(email: str | None = None) -> QuerySet[AccessRecord]:
    """Who opened personal data, the latest first: everyone's, or one person's."""
    records = AccessRecord.objects.select_related("actor")
    if email is not None:
        records = records.filter(subject_email=email.strip().lower())
    return records.order_by("-at", "-id")


@dataclass(frozen=True)
class PersonSummary:
    """What an erasure changes and what it keeps, counted, for the confirmation page."""

    email: str
    found: bool
    name: str
    company: str
    tickets: int
    messages: int
    attachments: int
    raw_emails: int
    whatsapp_numbers: int


def person_summary(email: str) -> PersonSummary:
    person = find_person(email)
    return PersonSummary(
        email=person.email,
        found=person.found or person.mails().exists(),
        name=person.user.name if person.user else "",
        company=person.contact.company.name if person.contact else "",
        tickets=person.tickets().count(),
        messages=person.messages().count(),
        attachments=Attachment.objects.filter(message__in=person.messages()).count(),
        raw_emails=person.mails().count(),
        whatsapp_numbers=len(person.numbers),
    )


# The retention policy: settings read defensively.


@dataclass(frozen=True)
class RetentionPolicy:
    """Years after a ticket closed that its raw e-mails and attachments' files are kept
    (None: for ever)."""

    raw_email_years: int | None
    attachment_years: int | None
    problems: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.raw_email_years is not None or self.attachment_years is not None


def _years(name: str, problems: list[str]) -> int | None:
    value = str(getattr(settings, name, "") or "").strip()
    if value in ("", "0"):
        return None
    if value.isdigit() and 1 <= int(value) <= 100:
        return int(value)
    problems.append(f"{name}={value!r} is not a number of years from 1 to 100: nothing purged")
    return None


def retention_policy() -> RetentionPolicy:
    """The policy as set; a setting that cannot be read purges nothing (and is reported)."""
    problems: list[str] = []
    policy = RetentionPolicy(
        raw_email_years=_years("RETENTION_RAW_EMAIL_YEARS", problems),
        attachment_years=_years("RETENTION_ATTACHMENT_YEARS", problems),
        problems=tuple(problems),
    )
    for problem in problems:
        log.warning("retention policy: %s", problem)
    return policy


def _cutoff(years: int, now: datetime) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _expired_tickets(years: int, now: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(status=Status.CLOSED, closed_at__lt=_cutoff(years, now))


def expired_raw_emails(policy: RetentionPolicy, now: datetime) -> QuerySet[InboundMail]:
    """Raw e-mails of tickets closed longer ago than the policy keeps them, not yet purged."""
    if policy.raw_email_years is None:
        return InboundMail.objects.none()
    tickets = _expired_tickets(policy.raw_email_years, now)
    return InboundMail.objects.filter(ticket__in=tickets.values("id"), purged_at=None)


def expired_webhooks(policy: RetentionPolicy, now: datetime) -> QuerySet[Webhook]:
    """WhatsApp deliveries as they arrived (the raw payloads) whose messages all belong to
    tickets closed longer ago than the policy keeps raw messages, not yet purged: the same
    rule as raw e-mails. A delivery that also carries a message of another ticket stays."""
    if policy.raw_email_years is None:
        return Webhook.objects.none()
    tickets = _expired_tickets(policy.raw_email_years, now).values("id")
    candidates = WhatsAppMessage.objects.filter(ticket__in=tickets).values("webhook_id")
    others = (
        WhatsAppMessage.objects.filter(webhook_id__in=candidates)
        .exclude(ticket__in=tickets)
        .values("webhook_id")
    )
    return Webhook.objects.filter(pk__in=candidates, purged_at=None).exclude(pk__in=others)


def expired_attachments(policy: RetentionPolicy, now: datetime) -> QuerySet[Attachment]:
    """Attachments of tickets closed longer ago than the policy keeps them, not yet purged."""
    if policy.attachment_years is None:
        return Attachment.objects.none()
    tickets = _expired_tickets(policy.attachment_years, now)
    return Attachment.objects.filter(message__ticket__in=tickets.values("id"), purged_at=None)


def retention_report(policy: RetentionPolicy, now: datetime) -> dict[str, Any]:
    """What applying ``policy`` at ``now`` would purge: counts, bytes and ticket numbers."""
    mails = expired_raw_emails(policy, now)
    files = expired_attachments(policy, now)
    names = set(mails.values_list("raw", flat=True))
    mail_bytes = sum(default_storage.size(name) for name in names if default_storage.exists(name))
    file_stats = files.aggregate(count=Count("id"), bytes=Sum("size"))
    webhooks = expired_webhooks(policy, now)
    webhook_stats = webhooks.aggregate(count=Count("id"), bytes=Sum(Length("raw")))
    return {
        "policy": {
            "raw_email_years": policy.raw_email_years,
            "attachment_years": policy.attachment_years,
        },
        "problems": list(policy.problems),
        "raw_emails": {
            "count": mails.count(),
            "bytes": mail_bytes,
            "tickets": sorted(set(mails.values_list("ticket__number", flat=True))),
        },
        "whatsapp_webhooks": {
            "count": webhook_stats["count"],
            "bytes": webhook_stats["bytes"] or 0,
            "tickets": sorted(
                set(
                    WhatsAppMessage.objects.filter(
                        webhook__in=webhooks.values("id"), ticket__isnull=False
                    ).values_list("ticket__number", flat=True)
                )
            ),
        },
        "attachments": {
            "count": file_stats["count"],
            "bytes": file_stats["bytes"] or 0,
            "tickets": sorted(set(files.values_list("message__ticket__number", flat=True))),
        },
    }
