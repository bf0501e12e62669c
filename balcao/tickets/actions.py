"""Every change to a ticket: atomic, under a row lock, recorded as an Event (R11, R12, R17)."""

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.enqueue import batch, enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.core.filenames import is_executable, normalize_filename
from balcao.core.html import sanitize_html
from balcao.core.models import Counter
from balcao.customers.models import Company, Contact
from balcao.customers.selectors import department_refusal, find_contact_by_email, get_contact
from balcao.events.actions import (
    assigned_event,
    attachment_failed_event,
    auto_closed_event,
    cc_added_event,
    cc_removed_event,
    chat_abandoned_event,
    delivery_failed_event,
    department_overridden_event,
    linked_event,
    merged_event,
    merged_from_event,
    message_added_event,
    move_ticket_events,
    note_added_event,
    priority_changed_event,
    recorded_together,
    reopened_event,
    status_changed_event,
    tags_changed_event,
    ticket_opened_event,
    transferred_event,
)
from balcao.notifications.actions import notify_later
from balcao.search.actions import index_message, index_tags, index_ticket
from balcao.sla.actions import do_reprioritize_clock, do_start_clock, do_update_clock
from balcao.sla.selectors import POLICIES_VERSION
from balcao.tickets import tasks
from balcao.tickets.delivery import delivery_for
from balcao.tickets.models import (
    STAFF_ORIGINS,
    Attachment,
    CannedResponse,
    Message,
    Origin,
    Priority,
    Receipt,
    Status,
    Tag,
    Ticket,
    TicketCc,
)
from balcao.tickets.selectors import (
    customers_set_priority,
    get_canned_response,
    render_canned,
)


@dataclass(frozen=True)
class NewAttachment:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""  # an e-mail part's Content-ID, without the angle brackets


def check_upload(attachment: NewAttachment) -> None:
    """Size and type limits for files people upload (mail is kept whole, raw, regardless)."""
    if len(attachment.content) > settings.ATTACHMENT_MAX_BYTES:
        raise ActionRefused(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": attachment.name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if is_executable(attachment.name):
        raise ActionRefused(
            _("%(name)s is a type of file we do not accept (programs and scripts).")
            % {"name": attachment.name}
        )


def _next_number() -> tuple[int, int | None]:
    """The next ticket number and, read in the same statement, the SLA policies' version
    token (sla/selectors.py; None where there is none yet), so that the new ticket's clock
    costs no read of its own."""
    # One statement where the counter exists (every ticket after the first): the UPDATE takes
    # the row lock and says the new value (RETURNING: SQLite 3.35+, PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_counter SET value = value + 1 WHERE name = %s"
            " RETURNING value, (SELECT value FROM core_counter WHERE name = %s)",
            ["ticket", POLICIES_VERSION],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), row[1]
    counter, _created = Counter.objects.select_for_update().get_or_create(
        name="ticket", defaults={"value": 1000}
    )
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value, None


def _store_attachments(message: Message, attachments: Sequence[NewAttachment]) -> None:
    for item in attachments:
        digest = hashlib.sha256(item.content).hexdigest()
        attachment = Attachment(
            message=message,
            name=normalize_filename(item.name) or "attachment",
            sha256=digest,
            content_type=item.content_type[:255] or "application/octet-stream",
            size=len(item.content),
            inline=item.inline,
            content_id=item.content_id[:255],
        )
        attachment.file.save(digest, ContentFile(item.content), save=False)
        attachment.save()


def _set_status(ticket: Ticket, status: Status, actor: User | None) -> None:
    if ticket.status == status:
        return
    old = ticket.status
    ticket.status = status
    ticket.closed_at = timezone.now() if status == Status.CLOSED else None
    status_changed_event(ticket=ticket, actor=actor, old=old, new=status)
    if old == Status.CLOSED:
        reopened_event(ticket=ticket, actor=actor)
    do_update_clock(ticket, status=status, actor=actor)


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["updated_at", *fields])
    touch_departments(ticket.department_id)


_touched = threading.local()


def touch_departments(*department_ids: int) -> None:
    """Say that tickets of these departments changed: their ``tickets_version`` moves once
    the transaction commits (one UPDATE however many tickets changed), which is what the
    console's live lists poll instead of scanning the tickets. After commit, never before:
    a poll between the commit and the bump sees new rows under the old version and swaps once
    more later, never the reverse (an old page kept under a new version). No row lock is held
    through the transaction, so writers of one department do not queue on it."""
    pending: set[int] = getattr(_touched, "ids", set())
    _touched.ids = pending
    pending.update(department_ids)
    # robust: the change is committed; a failed bump is logged, never reported as its failure
    transaction.on_commit(_bump_touched, robust=True)


def _bump_touched() -> None:
    pending: set[int] = getattr(_touched, "ids", set())
    if pending:
        ids = sorted(pending)
        Department.objects.filter(pk__in=ids).update(tickets_version=F("tickets_version") + 1)
        pending.difference_update(ids)  # only once done: a failed bump is retried by the next


def bump_touched_now() -> None:
    """The departments' versions moved inside the transaction, as one of its last writes, so
    that a writer commits once (the inbound funnel, issue 17): the rows and the version a
    poll reads become visible at the same commit. Their rows stay locked from here to the
    commit, a few statements: only for callers whose transaction ends just after. The bump
    registered for after the commit then finds nothing left to do."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bump_touched_now runs inside the transaction it ends")
    _bump_touched()


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock, so two agents acting at once cannot corrupt it."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department", "company")
        .get(pk=ticket.pk)
    )


def _require_staff(actor: User) -> None:
    if not getattr(actor, "is_agent", False):
        raise ActionRefused(_("Only the support team can do this."), code="forbidden")


def _check_department(company: Company | None, department: Department, actor: User) -> None:
    """Refused with the reason worded for who acts: the customer, or an agent transferring."""
    reason = department_refusal(company, department, actor)
    if reason:
        raise ActionRefused(reason, code="department_not_available")


def _check_reference(
    company: Company | None, department: Department, reference: int | None
) -> Ticket | None:
    if not department.requires_reference:
        return None
    if not reference:
        raise ActionRefused(
            _("%(department)s needs the number of the earlier ticket that was not resolved well.")
            % {"department": department.localized("name")},
            code="reference_required",
        )
    earlier = Ticket.objects.filter(number=reference, company=company).first()
    if earlier is None or company is None:
        raise ActionRefused(
            _("Ticket %(number)s is not one of your company's tickets.") % {"number": reference},
            code="reference_invalid",
        )
    return earlier


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())[:255]
    if not subject:
        raise ActionRefused(_("Please write a subject."), code="subject_required")
    return subject


def _require_body(body: str, body_html: str, attachments: Sequence[NewAttachment]) -> None:
    if not (body or "").strip() and not body_html and not attachments:
        raise ActionRefused(_("Please write a message."), code="body_required")


def create_ticket(
    *,
    department: Department,
    subject: str,
    body: str,
    actor: User | None,
    company: Company | None,
    requester: User | None,
    requester_email: str,
    requester_name: str,
    origin: str,
    reference: Ticket | None = None,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    message_id: str = "",
    priority: str = Priority.NORMAL,
    first_message_internal: bool = False,
) -> Message:
    """The one place a ticket is written, with its opening Event, SLA clock and first message
    (returned; its ``ticket`` is the new ticket). ``first_message_internal``: staff opening a
    ticket wrote the first message as their own internal note, not as the customer's words.
    Callers have applied the rules: ``do_open_ticket`` for people, the inbound funnel
    (tickets/inbound.py) for channels."""
    number, policies_token = _next_number()
    ticket = Ticket.objects.create(
        number=number,
        subject=_clean_subject(subject),
        department=department,
        company=company,
        requester=requester,
        requester_email=requester_email.lower(),
        requester_name=requester_name[:200],
        origin=origin,
        reference=reference,
        priority=priority,
    )
    touch_departments(department.pk)
    notify_later(
        ticket_opened_event(
            ticket=ticket, actor=actor, department=department, origin=origin, reference=reference
        )
    )
    do_start_clock(ticket, actor=actor, policies_token=policies_token)
    if first_message_internal and actor is not None:
        note = Message.objects.create(
            ticket=ticket,
            direction=Message.Direction.OUTBOUND,
            internal=True,
            author=actor,
            author_email=actor.email,
            author_name=actor.display_name,
            body_text=body or "",
            channel=Origin.CONSOLE,
            created_at=ticket.created_at,
        )
        note_added_event(ticket=ticket, actor=actor, message=note)
        return note
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.INBOUND,
        author=requester or (actor if actor and actor.is_agent else None),
        author_email=ticket.requester_email,
        author_name=ticket.requester_name,
        body_text=body or "",
        body_html=sanitize_html(body_html),
        channel=origin,
        message_id=message_id,
        created_at=ticket.created_at,
    )
    _store_attachments(message, attachments)
    index_ticket(ticket, [message])
    return message


def do_open_ticket(
    *,
    actor: User,
    department: Department,
    subject: str,
    body: str,
    origin: str = Origin.PORTAL,
    reference: int | None = None,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    contact: Contact | None = None,
) -> Ticket:
    """A contact opens a ticket for its company, within its plan's departments, in the client
    area, the API or a chat (R6); the Ouvidoria needs an earlier ticket of the company (R4).
    Channels where the sender must first be recognised go through the funnel instead.
    ``contact``: the actor's contact record (with company and plan) when the caller has read
    it already, as the client area's pages have; else it is read here. Its tasks (the
    acknowledgement, the SLA alerts, the notifications' e-mails) are enqueued at once. One
    commit: the opened and SLA-started events in one INSERT, the departments' list version
    moved inside the transaction (the ticket counter's row lock, taken first, already puts
    openings one after another: the department's row adds no wait)."""
    subject = _clean_subject(subject)
    _require_body(body, body_html, attachments)
    if contact is None or contact.user_id != actor.pk:
        contact = get_contact(actor)
    if contact is None:
        raise ActionRefused(
            _("Only the company's registered or authorized contacts can open tickets."),
            code="forbidden",
        )
    _check_department(contact.company, department, actor)
    for item in attachments:
        check_upload(item)
    with batch(), transaction.atomic():
        earlier = _check_reference(contact.company, department, reference)
        with recorded_together():
            message = create_ticket(
                department=department,
                subject=subject,
                body=body,
                body_html=body_html,
                attachments=attachments,
                actor=actor,
                company=contact.company,
                requester=actor,
                requester_email=actor.email,
                requester_name=actor.name,
                origin=origin,
                reference=earlier,
            )
        bump_touched_now()
        ticket = message.ticket
        if origin in (Origin.PORTAL, Origin.API):
            enqueue_on_commit(tasks.acknowledge_ticket_task, ticket.pk)
    return ticket


def reply_channel(ticket: Ticket, written_in: str) -> str:
    """The channel the team's public reply leaves by: a line written in a live chat is seen
    there; on a WhatsApp conversation, WhatsApp; otherwise e-mail (R18)."""
    if written_in == Origin.CHAT:
        return ""
    return Origin.WHATSAPP if ticket.origin == Origin.WHATSAPP else Origin.EMAIL


def do_add_message(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    internal: bool = False,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    channel: str = Origin.PORTAL,
    author_email: str = "",
    author_name: str = "",
    message_id: str = "",
    automatic: bool = False,
) -> Message:
    """Add to the conversation. The team's public reply → Answered; an internal note changes
    nothing; the customer's message → Customer-Reply, reopening a Closed ticket (R11, R12).

    ``actor`` None is a customer writing through a channel (the funnel) with ``author_email``.
    ``automatic`` (an auto-reply or bounce) is kept but never reopens a ticket.
    """
    with batch(), transaction.atomic():
        return add_message(
            ticket,
            actor=actor,
            body=body,
            internal=internal,
            body_html=body_html,
            attachments=attachments,
            channel=channel,
            author_email=author_email,
            author_name=author_name,
            message_id=message_id,
            automatic=automatic,
        )


def add_message(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    internal: bool = False,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    channel: str = Origin.PORTAL,
    author_email: str = "",
    author_name: str = "",
    message_id: str = "",
    automatic: bool = False,
    locked: bool = False,
) -> Message:
    """``do_add_message`` inside the caller's transaction (the inbound funnel's), without a
    savepoint of its own. ``locked``: the caller read ``ticket`` under its row lock, with its
    department and company, in this transaction."""
    _require_body(body, body_html, attachments)
    staff = getattr(actor, "is_agent", False)
    if internal and not staff:
        raise ActionRefused(_("Only the support team can write internal notes."), code="forbidden")
    if channel in (Origin.PORTAL, Origin.API, Origin.CONSOLE):
        for item in attachments:
            check_upload(item)
    if not locked:
        ticket = _locked(ticket)
    deliver_by = reply_channel(ticket, channel) if staff and not internal else ""
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND if staff else Message.Direction.INBOUND,
        internal=internal,
        author=actor,
        author_email=actor.email if actor else author_email.lower(),
        author_name=actor.display_name if actor else author_name,
        body_text=body or "",
        body_html=sanitize_html(body_html),
        channel=channel,
        message_id=message_id,
        deliver_by=deliver_by,
        delivery=Message.Delivery.PENDING
        if deliver_by and delivery_for(deliver_by).reply is not None
        else Message.Delivery.NONE,
    )
    _store_attachments(message, attachments)
    index_message(ticket, message)
    if internal:
        note_added_event(ticket=ticket, actor=actor, message=message)
        _save(ticket)
        return message
    added = message_added_event(ticket=ticket, actor=actor, message=message)
    if not staff and not automatic:
        notify_later(added)
    if staff:
        _set_status(ticket, Status.ANSWERED, actor)
        if message.delivery == Message.Delivery.PENDING:
            enqueue_on_commit(tasks.deliver_reply_task, message.pk)
        if ticket.department.auto_close_days:
            enqueue_on_commit(tasks.follow_up_answer_task, message.pk)
    elif not automatic:
        _set_status(ticket, Status.CUSTOMER_REPLY, actor)
    _save(ticket, "status", "closed_at")
    return message


@transaction.atomic
def do_assign_ticket(ticket: Ticket, *, actor: User, assignee: User | None) -> Ticket:
    """Escalate to a specific person (→ Assigned), or put back in the queue (→ Open)."""
    _require_staff(actor)
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise ActionRefused(_("A closed ticket cannot be assigned; reopen it first."))
    if assignee is not None:
        if not assignee.is_agent or not assignee.is_active:
            raise ActionRefused(
                _("%(email)s is not an active member of the team.") % {"email": assignee.email}
            )
        if not (
            assignee.is_administrator
            or (assignee.is_director and ticket.department.restricted)
            or assignee.departments.filter(pk=ticket.department_id).exists()
        ):
            raise ActionRefused(
                _("%(name)s does not work in %(department)s.")
                % {"name": assignee.display_name, "department": ticket.department.localized("name")}
            )
    if ticket.assignee_id == (assignee.pk if assignee else None):
        raise ActionRefused(_("The ticket is already assigned that way."), code="unchanged")
    old = ticket.assignee
    ticket.assignee = assignee
    notify_later(assigned_event(ticket=ticket, actor=actor, old=old, new=assignee))
    if assignee is not None and ticket.status in (Status.OPEN, Status.CUSTOMER_REPLY):
        _set_status(ticket, Status.ASSIGNED, actor)
    elif assignee is None and ticket.status in (Status.ASSIGNED, Status.IN_PROGRESS):
        _set_status(ticket, Status.OPEN, actor)
    _save(ticket, "assignee", "status", "closed_at")
    return ticket


@transaction.atomic
def do_start_progress(ticket: Ticket, *, actor: User) -> Ticket:
    """An agent takes the ticket and works on it (→ In Progress); it becomes theirs if nobody's."""
    _require_staff(actor)
    ticket = _locked(ticket)
    if ticket.status in (Status.CLOSED, Status.IN_PROGRESS):
        raise ActionRefused(
            _("The ticket is closed; reopen it first.")
            if ticket.status == Status.CLOSED
            else _("The ticket is already in progress."),
            code="invalid_transition",
        )
    if ticket.assignee_id is None:
        ticket.assignee = actor
        assigned_event(ticket=ticket, actor=actor, old=None, new=actor)
    _set_status(ticket, Status.IN_PROGRESS, actor)
    _save(ticket, "assignee", "status", "closed_at")
    return ticket


@transaction.atomic
def do_close_ticket(ticket: Ticket, *, actor: User) -> Ticket:
    """Resolved, or nobody waits for anything (→ Closed), by an agent or the customer."""
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise ActionRefused(_("The ticket is already closed."), code="invalid_transition")
    _set_status(ticket, Status.CLOSED, actor)
    _save(ticket, "status", "closed_at")
    _ask_satisfaction(ticket)
    return ticket


def _ask_satisfaction(ticket: Ticket) -> None:
    """Once committed, ask the customer how the service was (a closed duplicate of a merge or
    an abandoned chat was not served, and is not asked)."""
    enqueue_on_commit(tasks.ask_satisfaction_task, ticket.pk)


def waiting_on(message: Message) -> bool:
    """Whether the ticket still waits for the customer since the team's ``message``: Answered,
    and nobody wrote publicly after it."""
    ticket = message.ticket
    return (
        ticket.status == Status.ANSWERED
        and not ticket.messages.filter(internal=False, pk__gt=message.pk).exists()
    )


@transaction.atomic
def do_auto_close_ticket(message: Message) -> Ticket | None:
    """Close a ticket the customer left unanswered for its department's business days after
    the team's ``message`` (recorded with the reason); None when it no longer waits."""
    ticket = _locked(message.ticket)
    message.ticket = ticket
    if not waiting_on(message):
        return None
    auto_closed_event(ticket=ticket, days=ticket.department.auto_close_days)
    _set_status(ticket, Status.CLOSED, None)
    _save(ticket, "status", "closed_at")
    _ask_satisfaction(ticket)
    return ticket


WAITING_ON_THE_TEAM = (Status.OPEN, Status.ASSIGNED, Status.IN_PROGRESS, Status.CUSTOMER_REPLY)


@transaction.atomic
def do_close_abandoned_chat(ticket: Ticket, *, left_at: datetime, minutes: int) -> Ticket | None:
    """Close a chat the contact left at ``left_at`` while it still waited for the team's
    answer, recorded with the reason (the SLA clock stops as on any close); None when the
    chat has moved on since (answered, a message, closed)."""
    ticket = _locked(ticket)
    if (
        ticket.origin != Origin.CHAT
        or ticket.status not in WAITING_ON_THE_TEAM
        or ticket.messages.filter(created_at__gt=left_at).exists()
    ):
        return None
    chat_abandoned_event(ticket=ticket, minutes=minutes)
    _set_status(ticket, Status.CLOSED, None)
    _save(ticket, "status", "closed_at")
    return ticket


@transaction.atomic
def do_reopen_ticket(ticket: Ticket, *, actor: User) -> Ticket:
    """Staff reopen a closed ticket (→ Open); customers reopen by writing to it (R12)."""
    _require_staff(actor)
    ticket = _locked(ticket)
    if ticket.status != Status.CLOSED:
        raise ActionRefused(_("Only a closed ticket can be reopened."), code="invalid_transition")
    _set_status(ticket, Status.ASSIGNED if ticket.assignee_id else Status.OPEN, actor)
    _save(ticket, "status", "closed_at")
    return ticket


def do_change_status(ticket: Ticket, *, actor: User, status: str) -> Ticket:
    """The status an API client asks for, through the action that leads to it."""
    if status == Status.CLOSED:
        return do_close_ticket(ticket, actor=actor)
    _require_staff(actor)
    if status == Status.IN_PROGRESS:
        return do_start_progress(ticket, actor=actor)
    if status == Status.OPEN:
        return do_reopen_ticket(ticket, actor=actor)
    if status in Status.values:
        raise ActionRefused(
            _(
                "A ticket becomes “%(status)s” by its action (assign, reply, the customer's message),"
                " not by setting it."
            )
            % {"status": Status(status).label},
            code="invalid_transition",
        )
    raise ActionRefused(_("Unknown status “%(status)s”.") % {"status": status}, code="invalid")


@transaction.atomic
def do_transfer_ticket(ticket: Ticket, *, actor: User, department: Department) -> Ticket:
    """Move a ticket to the department it belongs in (R5); the assignee is kept only if they
    work there."""
    _require_staff(actor)
    ticket = _locked(ticket)
    if department.pk == ticket.department_id:
        raise ActionRefused(
            _("The ticket is already in %(department)s.")
            % {"department": department.localized("name")},
            code="unchanged",
        )
    _check_department(ticket.company, department, actor)
    old = ticket.department
    ticket.department = department
    touch_departments(old.pk)
    notify_later(transferred_event(ticket=ticket, actor=actor, old=old, new=department))
    if ticket.assignee is not None and not (
        ticket.assignee.is_administrator
        or ticket.assignee.departments.filter(pk=department.pk).exists()
    ):
        assigned_event(ticket=ticket, actor=actor, old=ticket.assignee, new=None)
        ticket.assignee = None
        if ticket.status in (Status.ASSIGNED, Status.IN_PROGRESS):
            _set_status(ticket, Status.OPEN, actor)
    _save(ticket, "department", "assignee", "status", "closed_at")
    return ticket


@transaction.atomic
def do_link_ticket(ticket: Ticket, *, actor: User, company: Company) -> Ticket:
    """Staff link an unlinked ticket to its company: from now on it is covered by the SLA."""
    _require_staff(actor)
    ticket = _locked(ticket)
    if ticket.company is not None:
        raise ActionRefused(
            _("The ticket is already linked to %(company)s.") % {"company": ticket.company.name},
            code="unchanged",
        )
    ticket.company = company
    ticket.requester = User.objects.filter(
        email__iexact=ticket.requester_email, contact__company=company
    ).first()
    linked_event(ticket=ticket, actor=actor, company=company)
    index_ticket(ticket)
    do_start_clock(ticket, actor=actor)
    _save(ticket, "company", "requester")
    return ticket


@transaction.atomic
def do_attach_files(message: Message, attachments: Sequence[NewAttachment]) -> None:
    """Files that reach a message after it was filed (a channel fetching them later)."""
    ticket = _locked(message.ticket)
    _store_attachments(message, attachments)
    _save(ticket)


@transaction.atomic
def do_record_attachment_failure(message: Message, *, name: str, error: str) -> None:
    """A file the customer sent with ``message`` could not be fetched: staff see why."""
    ticket = _locked(message.ticket)
    attachment_failed_event(message=message, name=name, error=error)
    _save(ticket)


@transaction.atomic
def do_record_delivery(message: Message, *, message_id: str, error: str = "") -> Message:
    """Record how the e-mail of a reply went: sent, or failed (shown on the ticket, R10)."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    message.message_id = message_id
    message.delivery = Message.Delivery.FAILED if error else Message.Delivery.SENT
    message.delivery_error = error[:2000]
    message.save(update_fields=["message_id", "delivery", "delivery_error"])
    if error:
        delivery_failed_event(message=message, error=error)
    return message


# CC (R2, R18): only the company's authorized contacts are ever copied on the replies.


def _may_copy(ticket: Ticket, email: str) -> bool:
    if ticket.company_id is None or not email or email == ticket.requester_email.lower():
        return False
    contact = find_contact_by_email(email)
    return contact is not None and contact.company_id == ticket.company_id


def _require_participant(actor: User, ticket: Ticket) -> None:
    """Staff, or a contact of the ticket's company."""
    if getattr(actor, "is_agent", False):
        return
    contact = get_contact(actor)
    if contact is None or contact.company_id != ticket.company_id:
        raise ActionRefused(_("Only the support team can do this."), code="forbidden")


@transaction.atomic
def do_add_cc(ticket: Ticket, *, actor: User, email: str) -> TicketCc:
    """Copy another authorized contact of the company on the ticket's replies."""
    _require_participant(actor, ticket)
    ticket = _locked(ticket)
    email = (email or "").strip().lower()
    if not _may_copy(ticket, email):
        raise ActionRefused(
            _("%(email)s is not another authorized contact of %(company)s.")
            % {"email": email or "?", "company": ticket.company.name if ticket.company else "?"},
            code="not_authorized_contact",
        )
    cc, created = TicketCc.objects.get_or_create(ticket=ticket, email=email)
    if not created:
        raise ActionRefused(_("%(email)s is already copied.") % {"email": email}, code="unchanged")
    cc_added_event(ticket=ticket, actor=actor, email=email)
    return cc


@transaction.atomic
def do_remove_cc(ticket: Ticket, *, actor: User, email: str) -> None:
    _require_participant(actor, ticket)
    ticket = _locked(ticket)
    email = (email or "").strip().lower()
    if not TicketCc.objects.filter(ticket=ticket, email=email).delete()[0]:
        raise ActionRefused(_("%(email)s is not copied.") % {"email": email}, code="unchanged")
    cc_removed_event(ticket=ticket, actor=actor, email=email)


def keep_copied(ticket: Ticket, emails: Sequence[str]) -> None:
    """The inbound funnel's part, inside its transaction: the addresses a customer's message
    was copied to that are authorized contacts of the ticket's company (anyone else: never)."""
    known = set(ticket.cc.values_list("email", flat=True))
    for email in dict.fromkeys(e.strip().lower() for e in emails):
        if email not in known and _may_copy(ticket, email):
            TicketCc.objects.create(ticket=ticket, email=email)
            cc_added_event(ticket=ticket, actor=None, email=email)


# Staff open a ticket for a customer (a phone call, a meeting, a walk-in, R14)


@transaction.atomic
def do_open_ticket_for_customer(
    *,
    actor: User,
    company: Company,
    requester_email: str,
    department: Department,
    subject: str,
    body: str,
    channel: str = Origin.PHONE,
    as_note: bool = False,
    notify_customer: bool = True,
    override_reason: str = "",
    priority: str = Priority.NORMAL,
    reference: int | None = None,
) -> Ticket:
    """Staff record what a contact of ``company`` asked by phone, in a meeting or in person.
    The plan's rules apply to the department (R3) unless staff override them, saying why
    (recorded); the first message is the customer's words, or the agent's internal note. The
    customer is told by e-mail unless ``notify_customer`` is off."""
    _require_staff(actor)
    subject = _clean_subject(subject)
    _require_body(body, "", ())
    if channel not in STAFF_ORIGINS:
        raise ActionRefused(
            _("Choose how the customer reached us: phone, meeting or other."), code="invalid"
        )
    if priority not in Priority.values:
        raise ActionRefused(
            _("Unknown priority “%(priority)s”.") % {"priority": priority}, code="invalid"
        )
    requester = User.objects.filter(
        email__iexact=requester_email.strip(), contact__company=company, is_active=True
    ).first()
    if requester is None or not company.is_active:
        raise ActionRefused(
            _("%(email)s is not a registered or authorized contact of %(company)s.")
            % {"email": requester_email, "company": company.name},
            code="forbidden",
        )
    refusal = department_refusal(company, department)
    override_reason = " ".join(override_reason.split())[:500]
    if refusal and not override_reason:
        raise ActionRefused(
            _("%(refusal)s To open it there anyway, say why.") % {"refusal": refusal},
            code="department_not_available",
        )
    earlier = _check_reference(company, department, reference)
    message = create_ticket(
        department=department,
        subject=subject,
        body=body,
        actor=actor,
        company=company,
        requester=requester,
        requester_email=requester.email,
        requester_name=requester.name,
        origin=channel,
        reference=earlier,
        priority=priority,
        first_message_internal=as_note,
    )
    ticket = message.ticket
    if refusal:
        department_overridden_event(
            ticket=ticket, actor=actor, department=department, refusal=refusal, why=override_reason
        )
    if notify_customer:
        enqueue_on_commit(tasks.acknowledge_ticket_task, ticket.pk)
    return ticket


# Priority and tags


@transaction.atomic
def do_set_priority(ticket: Ticket, *, actor: User, priority: str) -> Ticket:
    """Staff set the priority; a contact too where the department allows it. The SLA targets
    follow the priority's share (PriorityPolicy)."""
    if priority not in Priority.values:
        raise ActionRefused(
            _("Unknown priority “%(priority)s”.") % {"priority": priority}, code="invalid"
        )
    ticket = _locked(ticket)
    allowed = customers_set_priority(ticket.department)
    if not getattr(actor, "is_agent", False) and not (
        allowed
        and ticket.company_id is not None
        and Contact.objects.filter(company_id=ticket.company_id, user=actor).exists()
    ):
        raise ActionRefused(
            _("Only the support team sets the priority in this department."), code="forbidden"
        )
    if ticket.priority == priority:
        raise ActionRefused(_("The ticket already has that priority."), code="unchanged")
    old = ticket.priority
    ticket.priority = priority
    priority_changed_event(
        ticket=ticket, actor=actor, old=old, new=priority, customer_may_set=allowed
    )
    do_reprioritize_clock(ticket, old=old, new=priority)
    _save(ticket, "priority")
    return ticket


def clean_tags(names: Iterable[str]) -> list[str]:
    """Tags as kept: lower case, single spaces, at most 50 characters, each once."""
    tags: list[str] = []
    for name in names:
        tag = " ".join(str(name).lower().split())[:50]
        if tag and tag not in tags:
            tags.append(tag)
    return tags


@transaction.atomic
def do_set_tags(ticket: Ticket, *, actor: User, tags: Iterable[str]) -> Ticket:
    """Staff replace the ticket's tags (new ones are created)."""
    _require_staff(actor)
    wanted = clean_tags(tags)
    if len(wanted) > 20:
        raise ActionRefused(_("A ticket takes at most 20 tags."), code="invalid")
    ticket = _locked(ticket)
    current = {t.name: t for t in ticket.tags.all()}
    added = [name for name in wanted if name not in current]
    removed = [name for name in current if name not in wanted]
    if not added and not removed:
        raise ActionRefused(_("The ticket already has those tags."), code="unchanged")
    new = [Tag.objects.get_or_create(name=name)[0] for name in added]
    ticket.tags.add(*new)
    ticket.tags.remove(*(current[name] for name in removed))
    index_tags(ticket, wanted)
    tags_changed_event(ticket=ticket, actor=actor, added=added, removed=sorted(removed))
    _save(ticket)
    return ticket


def do_add_tags(ticket: Ticket, *, actor: User, tags: Iterable[str]) -> Ticket:
    """Staff add tags to the ones the ticket has (bulk actions, canned replies)."""
    current = list(ticket.tags.values_list("name", flat=True))
    return do_set_tags(ticket, actor=actor, tags=current + clean_tags(tags))


# Canned replies


@transaction.atomic
def do_reply_with_canned(
    ticket: Ticket,
    *,
    actor: User,
    canned_id: int,
    body: str = "",
    internal: bool = False,
    attachments: Sequence[NewAttachment] = (),
    channel: str = Origin.CONSOLE,
) -> Message:
    """Send a canned reply: its text with the placeholders filled for this ticket (or the
    agent's edit of it, ``body``), then its actions: assign to the sender, add tags, set the
    status. Each through its own action, so each is recorded."""
    _require_staff(actor)
    canned = get_canned_response(actor, canned_id)
    message = do_add_message(
        ticket,
        actor=actor,
        body=body.strip() or render_canned(canned, ticket=ticket, agent=actor),
        internal=internal,
        attachments=attachments,
        channel=channel,
    )
    if canned.assign_to_me and ticket.assignee_id != actor.pk:
        ticket = do_assign_ticket(ticket, actor=actor, assignee=actor)
    if canned.tag_names() and not set(clean_tags(canned.tag_names())) <= set(
        ticket.tags.values_list("name", flat=True)
    ):
        ticket = do_add_tags(ticket, actor=actor, tags=canned.tag_names())
    if canned.set_status == Status.CLOSED:
        do_close_ticket(ticket, actor=actor)
    elif canned.set_status == Status.IN_PROGRESS:
        do_start_progress(ticket, actor=actor)
    return message


@transaction.atomic
def do_save_canned_response(
    *,
    actor: User,
    canned: CannedResponse | None = None,
    title: str,
    body: str,
    department: Department | None = None,
    shared: bool = False,
    set_status: str = "",
    assign_to_me: bool = False,
    add_tags: str = "",
) -> CannedResponse:
    """An agent writes or edits a canned reply of their own; administrators also the team's
    (``shared``). Only its owner, or an administrator for the team's, may edit one."""
    _require_staff(actor)
    if shared and not actor.is_administrator:
        raise ActionRefused(
            _("Only administrators write the team's canned replies."), code="forbidden"
        )
    if canned is not None and not _may_edit_canned(actor, canned):
        raise ActionRefused(_("This canned reply is not yours to change."), code="forbidden")
    if not title.strip() or not body.strip():
        raise ActionRefused(_("A canned reply needs a title and a text."), code="invalid")
    if set_status not in ("", Status.IN_PROGRESS, Status.CLOSED):
        raise ActionRefused(_("Unknown status “%(status)s”.") % {"status": set_status})
    canned = canned or CannedResponse()
    canned.title = title.strip()[:120]
    canned.body = body.strip()
    canned.department = department
    canned.owner = None if shared else actor
    canned.set_status = set_status
    canned.assign_to_me = assign_to_me
    canned.add_tags = ", ".join(clean_tags(add_tags.split(",")))[:255]
    canned.save()
    return canned


def _may_edit_canned(actor: User, canned: CannedResponse) -> bool:
    return canned.owner_id == actor.pk or (canned.owner_id is None and actor.is_administrator)


@transaction.atomic
def do_delete_canned_response(canned: CannedResponse, *, actor: User) -> None:
    _require_staff(actor)
    if not _may_edit_canned(actor, canned):
        raise ActionRefused(_("This canned reply is not yours to change."), code="forbidden")
    canned.delete()


# Merge (R17: nothing is lost)


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
