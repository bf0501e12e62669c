"""Opening a ticket: ``create_ticket``, the one place a ticket is written, and the rules of who
opens one where — a contact in the client area, the API or a chat (R4, R6), staff for a
customer who called, met or walked in (R14)."""

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.enqueue import batch, enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.core.html import sanitize_html
from balcao.core.models import Counter
from balcao.core.prepared import prepared_insert
from balcao.customers.models import Company, Contact
from balcao.customers.selectors import department_refusal, get_contact
from balcao.events.actions import (
    department_overridden_event,
    note_added_event,
    recorded_together,
    ticket_opened_event,
)
from balcao.notifications.actions import notify_later
from balcao.search.actions import index_ticket
from balcao.sla.actions import do_start_clock
from balcao.sla.selectors import POLICIES_VERSION
from balcao.tickets import tasks
from balcao.tickets.actions.attachments import NewAttachment, _store_attachments, check_upload
from balcao.tickets.actions.common import _check_department, _require_staff
from balcao.tickets.actions.messages import _require_body
from balcao.tickets.actions.versions import bump_touched_now, touch_departments
from balcao.tickets.models import (
    NUMBER_SEQUENCE,
    STAFF_ORIGINS,
    Message,
    Origin,
    Priority,
    Ticket,
)


def _next_number() -> tuple[int, int | None]:
    """The next ticket number and, read in the same statement, the SLA policies' version
    token (sla/selectors.py; None where there is none yet), so that the new ticket's clock
    costs no read of its own. On PostgreSQL from a sequence, which no opening waits on
    (tickets/migrations/0012); on SQLite, with one writer at a time, from the counter row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(%s), (SELECT value FROM core_counter WHERE name = %s)",
                [NUMBER_SEQUENCE, POLICIES_VERSION],
            )
        else:  # the UPDATE says the new value (RETURNING: SQLite 3.35+)
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
    ticket = Ticket(
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
    prepared_insert(ticket)  # its SQL built once (core.prepared): no signal listens to tickets
    touch_departments(department.pk)
    notify_later(
        ticket_opened_event(
            ticket=ticket, actor=actor, department=department, origin=origin, reference=reference
        )
    )
    do_start_clock(ticket, actor=actor, policies_token=policies_token)
    if first_message_internal and actor is not None:
        note = Message(
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
        prepared_insert(note)
        note_added_event(ticket=ticket, actor=actor, message=note)
        return note
    message = Message(
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
    prepared_insert(message)
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
    moved inside the transaction as its last write (openings in one department wait on that
    row only from there to the commit)."""
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
