"""The writers of LGPD compliance.

Erasure (art. 18, VI): the person is anonymised everywhere — name, address, numbers, what they
wrote, their files and the raw messages they sent — while the company keeps its ticket
numbers, statuses and statistics. Recorded without the erased data; a second run finds
nothing and changes nothing. Also: data subjects' requests and their closing, the record of
who opened whose data, and the retention policy's purge.
"""

import uuid
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.connectors.email.models import InboundMail
from balcao.connectors.email.store import forget as forget_raw
from balcao.connectors.whatsapp.models import Webhook, WhatsAppIdentity
from balcao.core.errors import ActionRefused
from balcao.core.listcache import forget_lists
from balcao.core.prepared import prepared_insert
from balcao.events.models import Event, EventKind
from balcao.privacy.models import AccessRecord, DataRequest, Erasure, RetentionRun
from balcao.privacy.selectors import (
    Person,
    RetentionPolicy,
    due_date,
    expired_attachments,
    expired_raw_emails,
    expired_webhooks,
    find_person,
)
from balcao.search.actions import index_ticket
from balcao.tickets.actions import touch_departments
from balcao.tickets.models import Attachment, Ticket


def _erased_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("(Removed at the request of the person who wrote it.)")


def _scrub(value: Any, person: Person, address: str) -> Any:
    """The same data with the person's name, address and numbers taken out."""
    if isinstance(value, dict):
        if person.user is not None and value.get("id") == person.user.pk:
            return {**value, "name": ""}
        return {k: "" if k == "consent" else _scrub(v, person, address) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, person, address) for v in value]
    if isinstance(value, str) and (person.email in value.lower() or value in person.numbers):
        return address if "@" in value else ""
    return value


def _delete_files(attachments: list[Attachment]) -> int:
    """Delete the files from storage unless another message holds the same content."""
    deleted = 0
    for attachment in attachments:
        shared = Attachment.objects.filter(sha256=attachment.sha256).exclude(pk=attachment.pk)
        name = attachment.file.name
        attachment.delete()
        if name and not shared.exists():
            attachment.file.storage.delete(name)
            deleted += 1
    return deleted


@transaction.atomic
def do_erase_person(
    email: str, *, actor: User | None = None, request: DataRequest | None = None
) -> Erasure | None:
    """Anonymise ``email``'s person; None when nothing is held about them (any more).
    ``request``: the data subject's request it answers, closed with the erasure."""
    person = find_person(email)
    if not person.found and not person.mails().exists():
        return None
    address = f"removido-{uuid.uuid4().hex[:12]}@anonimo.invalid"
    erased = _erased_text()
    counts: dict[str, int] = {}
    events = person.events()
    for event in events:
        event.data = _scrub(event.data, person, address)
        event.save(update_fields=["data"])
    counts["events"] = len(events)
    messages = person.messages()
    touched = {*person.tickets().values_list("pk", flat=True)}
    touched |= {*messages.values_list("ticket_id", flat=True)}
    attachments = list(Attachment.objects.filter(message__in=messages))
    counts["messages"] = messages.update(
        author_email=address, author_name="", body_text=erased, body_html=""
    )
    counts["files"] = _delete_files(attachments)
    # satisfaction: the score stays (statistics), the comment goes, in the history too
    rated = list(person.ratings().values_list("ticket_id", flat=True))
    counts["satisfaction_comments"] = person.ratings().exclude(comment="").update(comment=erased)
    for event in Event.objects.filter(kind=EventKind.SATISFACTION_RATED, ticket__in=rated):
        if event.data.get("comment"):
            event.data = {**event.data, "comment": erased}
            event.save(update_fields=["data"])
    # meetings: the rows stay (statistics), the topic they wrote goes — also from the
    # meeting's ticket subject and its booking in the history, which repeat it
    meetings = person.meetings()
    meeting_tickets = Ticket.objects.filter(meeting__in=meetings)
    touched |= {*meeting_tickets.values_list("pk", flat=True)}
    meeting_tickets.update(subject=erased)
    for event in Event.objects.filter(
        kind=EventKind.MEETING_BOOKED, ticket__meeting__in=meetings
    ).exclude(data__topic=erased):
        event.data = {**event.data, "topic": erased}
        event.save(update_fields=["data"])
    counts["meetings"] = meetings.update(topic=erased)
    counts["tickets"] = person.tickets().update(requester_email=address, requester_name="")
    stored = set(person.mails().values_list("raw", flat=True))
    counts["raw_emails"] = person.mails().update(raw="", from_email=address, subject="", defects=[])
    counts["raw_email_files"] = forget_raw(_unkept(stored))
    webhooks = list(person.whatsapp_messages().values_list("webhook_id", flat=True))
    counts["whatsapp_messages"] = person.whatsapp_messages().update(wa_id="", text=erased)
    Webhook.objects.filter(pk__in=[w for w in webhooks if w]).update(raw=b"")
    counts["receipts"] = person.receipts().update(sender=address, conversation="")
    if person.contact is not None:
        WhatsAppIdentity.objects.filter(contact=person.contact).delete()
        person.contact.delete()
    if person.user is not None:
        user = person.user
        user.email, user.name, user.language, user.time_zone = address, "", "", ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.api_tokens.all().delete()
        user.account_events.all().delete()  # addresses it connected from
    erased_from = list(Ticket.objects.filter(pk__in=touched))
    for ticket in erased_from:
        index_ticket(ticket)  # the search documents hold what was erased too
    # so do the lists: the live ones swap when the list token moves (after commit), and the
    # lists and rows kept rendered (core.listcache) are all made afresh
    touch_departments(*{ticket.department_id for ticket in erased_from})
    transaction.on_commit(forget_lists)
    # The requests (their kind, dates and answer) and the record of accesses stay, without
    # the address or what the person wrote in the request.
    counts["requests"] = DataRequest.objects.filter(email=person.email).update(
        email=address, details=""
    )
    AccessRecord.objects.filter(subject_email=person.email).update(subject_email=address)
    erasure = Erasure.objects.create(actor=actor, counts=counts)
    if request is not None:
        _close(request, actor=actor, answer=_("Erased."), erasure=erasure)
    return erasure


def do_record_access(
    *,
    actor: User,
    email: str,
    what: AccessRecord.What,
    ticket_number: int | None = None,
    client_address: str = "",
) -> AccessRecord:
    """That ``actor`` opened ``email``'s data: one insert, from what the page already holds
    (its SQL built once per process: the console's ticket page writes one on every view)."""
    record = AccessRecord(
        actor=actor,
        subject_email=email.strip().lower(),
        what=what,
        ticket_number=ticket_number,
        client_address=client_address or None,
    )
    prepared_insert(record)
    return record


@transaction.atomic
def do_record_export(
    email: str, *, actor: User, client_address: str = "", request: DataRequest | None = None
) -> AccessRecord:
    """Staff produced the person's export (for a request received by other means): recorded
    as an access, and the request it answers closed with it as its reference."""
    record = do_record_access(
        actor=actor, email=email, what=AccessRecord.What.EXPORT, client_address=client_address
    )
    if request is not None:
        _close(request, actor=actor, answer=_("Data exported."), export=record)
    return record


@transaction.atomic
def do_open_data_request(
    *,
    actor: User,
    kind: DataRequest.Kind,
    email: str,
    channel: DataRequest.Channel,
    received_at: datetime,
    details: str = "",
) -> DataRequest:
    """Record a data subject's request; due 15 calendar days after it was received."""
    if received_at > timezone.now():
        raise ActionRefused(_("A request cannot have been received in the future."))
    return DataRequest.objects.create(
        kind=kind,
        email=email.strip().lower(),
        channel=channel,
        received_at=received_at,
        due_on=due_date(received_at),
        details=details,
        recorded_by=actor,
    )


def _close(
    request: DataRequest,
    *,
    actor: User | None,
    answer: str,
    status: DataRequest.Status = DataRequest.Status.DONE,
    erasure: Erasure | None = None,
    export: AccessRecord | None = None,
) -> None:
    request.status, request.answer, request.handled_by = status, answer, actor
    request.closed_at = timezone.now()
    request.erasure, request.export = erasure, export
    request.save(update_fields=["status", "answer", "handled_by", "closed_at", "erasure", "export"])


@transaction.atomic
def do_close_data_request(
    request: DataRequest, *, actor: User, status: DataRequest.Status, answer: str
) -> DataRequest:
    """Close a request by hand (a correction made, a refusal with its reason)."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataRequest.Status.OPEN:
        raise ActionRefused(_("This request is already closed."))
    if status == DataRequest.Status.OPEN or not answer.strip():
        raise ActionRefused(_("Say how the request was answered."))
    _close(request, actor=actor, answer=answer.strip(), status=status)
    return request


def _purge_files(attachments: list[Attachment], now: datetime) -> int:
    """Mark the attachments purged and delete each file no kept attachment still uses."""
    ids = [a.pk for a in attachments]
    Attachment.objects.filter(pk__in=ids).update(purged_at=now)
    hashes = {a.sha256: a.file.name for a in attachments if a.file.name}
    kept = set(
        Attachment.objects.filter(sha256__in=hashes, purged_at=None).values_list(
            "sha256", flat=True
        )
    )
    unused = [name for sha256, name in hashes.items() if sha256 not in kept]
    storage = Attachment._meta.get_field("file").storage

    def delete_files() -> None:
        for name in unused:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(unused)


def _unkept(names: set[str]) -> set[str]:
    """Of these stored originals, those no mail points at any more: the same bytes sent to two
    addresses are one file, kept while one mail keeps it."""
    kept = set(InboundMail.objects.filter(raw__in=names).values_list("raw", flat=True))
    return {name for name in names - kept if name}


def do_apply_retention(
    policy: RetentionPolicy, *, actor: User | None = None, batch: int = 500
) -> RetentionRun | None:
    """Purge what ``policy`` no longer keeps: the raw bytes of old closed tickets' e-mails and
    WhatsApp deliveries (by the raw e-mail years: both are raw messages), and their
    attachments' files. Tickets, messages and attachments' rows (names, sizes) stay, so
    the history and the statistics are whole; each is marked purged. In batches, each its own
    transaction; recorded when anything was purged. Running it again purges nothing more."""
    now = timezone.now()
    counts = {"raw_emails": 0, "whatsapp_webhooks": 0, "attachments": 0, "files": 0}
    while rows := list(expired_raw_emails(policy, now).values_list("id", "raw")[:batch]):
        with transaction.atomic():
            counts["raw_emails"] += InboundMail.objects.filter(
                pk__in=[pk for pk, _ in rows], purged_at=None
            ).update(raw="", purged_at=now)
            gone = _unkept({name for _, name in rows})
            transaction.on_commit(partial(forget_raw, gone))
    while ids := list(expired_webhooks(policy, now).values_list("id", flat=True)[:batch]):
        with transaction.atomic():
            counts["whatsapp_webhooks"] += Webhook.objects.filter(
                pk__in=ids, purged_at=None
            ).update(raw=b"", purged_at=now)
    while files := list(expired_attachments(policy, now)[:batch]):
        with transaction.atomic():
            counts["attachments"] += len(files)
            counts["files"] += _purge_files(files, now)
    if not any(counts.values()):
        return None
    return RetentionRun.objects.create(actor=actor, counts=counts)
