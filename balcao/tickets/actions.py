"""Every change to a ticket: atomic, under a row lock, recorded as an Event (R11, R12, R17)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.errors import ActionRefused
from balcao.core.filenames import is_executable, normalize_filename
from balcao.core.html import sanitize_html
from balcao.core.models import Counter
from balcao.customers.models import Company
from balcao.customers.selectors import department_refusal, find_contact_by_email, get_contact
from balcao.events.actions import (
    assigned_event,
    auto_closed_event,
    cc_added_event,
    cc_removed_event,
    delivery_failed_event,
    linked_event,
    message_added_event,
    note_added_event,
    reopened_event,
    status_changed_event,
    ticket_opened_event,
    transferred_event,
)
from balcao.notifications.actions import notify_later
from balcao.sla.actions import do_start_clock, do_update_clock
from balcao.tickets import tasks
from balcao.tickets.delivery import delivery_for
from balcao.tickets.models import Attachment, Message, Origin, Status, Ticket, TicketCc


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


def _next_number() -> int:
    counter, _created = Counter.objects.select_for_update().get_or_create(
        name="ticket", defaults={"value": 1000}
    )
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


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
) -> Message:
    """The one place a ticket is written, with its opening Event, SLA clock and first message
    (returned; its ``ticket`` is the new ticket).
    Callers have applied the rules: ``do_open_ticket`` for people, the inbound funnel
    (tickets/inbound.py) for channels."""
    ticket = Ticket.objects.create(
        number=_next_number(),
        subject=_clean_subject(subject),
        department=department,
        company=company,
        requester=requester,
        requester_email=requester_email.lower(),
        requester_name=requester_name[:200],
        origin=origin,
        reference=reference,
    )
    notify_later(
        ticket_opened_event(
            ticket=ticket, actor=actor, department=department, origin=origin, reference=reference
        )
    )
    do_start_clock(ticket, actor=actor)
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
    return message


@transaction.atomic
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
) -> Ticket:
    """A contact opens a ticket for its company, within its plan's departments, in the client
    area, the API or a chat (R6); the Ouvidoria needs an earlier ticket of the company (R4).
    Channels where the sender must first be recognised go through the funnel instead."""
    subject = _clean_subject(subject)
    _require_body(body, body_html, attachments)
    contact = get_contact(actor)
    if contact is None:
        raise ActionRefused(
            _("Only the company's registered or authorized contacts can open tickets."),
            code="forbidden",
        )
    _check_department(contact.company, department, actor)
    earlier = _check_reference(contact.company, department, reference)
    for item in attachments:
        check_upload(item)
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
    ticket = message.ticket
    if origin in (Origin.PORTAL, Origin.API):
        transaction.on_commit(lambda: tasks.acknowledge_ticket_task.enqueue(ticket.pk))
    return ticket


def reply_channel(ticket: Ticket, written_in: str) -> str:
    """The channel the team's public reply leaves by: a line written in a live chat is seen
    there; on a WhatsApp conversation, WhatsApp; otherwise e-mail (R18)."""
    if written_in == Origin.CHAT:
        return ""
    return Origin.WHATSAPP if ticket.origin == Origin.WHATSAPP else Origin.EMAIL


@transaction.atomic
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
    _require_body(body, body_html, attachments)
    staff = getattr(actor, "is_agent", False)
    if internal and not staff:
        raise ActionRefused(_("Only the support team can write internal notes."), code="forbidden")
    if channel in (Origin.PORTAL, Origin.API, Origin.CONSOLE):
        for item in attachments:
            check_upload(item)
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
            transaction.on_commit(lambda: tasks.deliver_reply_task.enqueue(message.pk))
        if ticket.department.auto_close_days:
            transaction.on_commit(lambda: tasks.follow_up_answer_task.enqueue(message.pk))
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
    return ticket


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
    do_start_clock(ticket, actor=actor)
    _save(ticket, "company", "requester")
    return ticket


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
