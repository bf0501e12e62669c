"""Every history record, one function per kind: each fixes its kind's payload (R17).

Called by the actions inside their transaction. People are kept as ``person()`` — their id and
their name at the time — so that history names them, never by e-mail address. Departments are
kept by slug and named in the reader's language when shown (``events/wording.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from balcao.core.prepared import prepared_insert_all
from balcao.events.models import Event, EventKind

if TYPE_CHECKING:
    from balcao.accounts.models import Department, User
    from balcao.customers.models import Company
    from balcao.tickets.models import Message, Ticket


_held: ContextVar[list[Event] | None] = ContextVar("events_held", default=None)


@contextmanager
def recorded_together() -> Iterator[None]:
    """The events recorded inside are written at its end, in one INSERT, in the order they
    were recorded (issue 17: a new ticket's opened and SLA-started events, a reply's message
    and status change). Each is returned unsaved and has its id once the block ends: use it
    inside a transaction whose readers come after it (the notifications, on commit). An inner
    block joins the outer one."""
    if _held.get() is not None:
        yield
        return
    token = _held.set([])
    try:
        yield
        held = _held.get()
        prepared_insert_all(held or [])  # its SQL built once per number of events
    finally:
        _held.reset(token)


def _record(
    kind: EventKind,
    *,
    actor: User | None = None,
    ticket: Ticket | None = None,
    company: Company | None = None,
    **data: Any,
) -> Event:
    """Write one history record; only the typed function of each kind below calls it."""
    event = Event(
        kind=kind,
        actor=actor,
        ticket=ticket,
        company=company or getattr(ticket, "company", None),
        data=data,
    )
    held = _held.get()
    if held is None:
        event.save(force_insert=True)
    else:
        held.append(event)
    return event


def person(user: User | None) -> dict[str, Any] | None:
    """Who, as history keeps them: the id, and the name they had then (no e-mail address)."""
    if user is None:
        return None
    return {"id": user.pk, "name": user.name}


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant else None


# Tickets


def ticket_opened_event(
    *,
    ticket: Ticket,
    actor: User | None,
    department: Department,
    origin: str,
    reference: Ticket | None,
) -> Event:
    """``reference`` is the earlier ticket this one refers to, or None."""
    return _record(
        EventKind.TICKET_OPENED,
        actor=actor,
        ticket=ticket,
        department=department.slug,
        origin=str(origin),
        linked=ticket.linked,
        reference=reference.number if reference else None,
    )


def message_added_event(*, ticket: Ticket, actor: User | None, message: Message) -> Event:
    return _record(
        EventKind.MESSAGE_ADDED,
        actor=actor,
        ticket=ticket,
        message=message.pk,
        direction=message.direction,
    )


def note_added_event(*, ticket: Ticket, actor: User | None, message: Message) -> Event:
    return _record(EventKind.NOTE_ADDED, actor=actor, ticket=ticket, message=message.pk)


def status_changed_event(*, ticket: Ticket, actor: User | None, old: str, new: str) -> Event:
    return _record(EventKind.STATUS_CHANGED, actor=actor, ticket=ticket, old=str(old), new=str(new))


def reopened_event(*, ticket: Ticket, actor: User | None) -> Event:
    return _record(EventKind.REOPENED, actor=actor, ticket=ticket)


def auto_closed_event(*, ticket: Ticket, days: int) -> Event:
    """Closed by Balcão: the customer did not reply for ``days`` business days."""
    return _record(EventKind.AUTO_CLOSED, ticket=ticket, days=days)


def chat_abandoned_event(*, ticket: Ticket, minutes: int) -> Event:
    """Closed by Balcão: the contact left the chat ``minutes`` ago, still waiting for an
    answer."""
    return _record(EventKind.CHAT_ABANDONED, ticket=ticket, minutes=minutes)


def satisfaction_rated_event(
    *, ticket: Ticket, actor: User | None, score: int, comment: str, previous: int | None
) -> Event:
    """The customer's answer to the satisfaction question; ``previous`` is the score it
    replaced, None for a first answer."""
    return _record(
        EventKind.SATISFACTION_RATED,
        actor=actor,
        ticket=ticket,
        score=score,
        comment=comment,
        previous=previous,
    )


def assigned_event(
    *, ticket: Ticket, actor: User | None, old: User | None, new: User | None
) -> Event:
    """``old`` and ``new`` are staff users or None (the queue)."""
    return _record(EventKind.ASSIGNED, actor=actor, ticket=ticket, old=person(old), new=person(new))


def transferred_event(
    *, ticket: Ticket, actor: User | None, old: Department, new: Department, reason: str = ""
) -> Event:
    """From department ``old`` to ``new``; ``reason`` when a channel moved it (a department the
    company may not use), worded for the customer."""
    data: dict[str, Any] = {"old": old.slug, "new": new.slug}
    if reason:
        data["reason"] = str(reason)
    return _record(EventKind.TRANSFERRED, actor=actor, ticket=ticket, **data)


def cc_added_event(*, ticket: Ticket, actor: User | None, email: str) -> Event:
    """``email`` is an authorized contact of the ticket's company, now copied on replies."""
    return _record(EventKind.CC_ADDED, actor=actor, ticket=ticket, email=email)


def cc_removed_event(*, ticket: Ticket, actor: User | None, email: str) -> Event:
    return _record(EventKind.CC_REMOVED, actor=actor, ticket=ticket, email=email)


def linked_event(*, ticket: Ticket, actor: User | None, company: Company) -> Event:
    return _record(EventKind.LINKED, actor=actor, ticket=ticket, company=company, new=company.name)


def delivery_failed_event(*, message: Message, error: str) -> Event:
    """The reply ``message`` did not reach the customer (R10); ``error`` is for the staff."""
    return _record(
        EventKind.DELIVERY_FAILED, ticket=message.ticket, message=message.pk, error=error[:500]
    )


def attachment_failed_event(*, message: Message, name: str, error: str) -> Event:
    """A file the customer sent with ``message`` could not be fetched from its channel."""
    return _record(
        EventKind.ATTACHMENT_FAILED,
        ticket=message.ticket,
        message=message.pk,
        name=name[:255],
        error=error[:500],
    )


def template_sent_event(
    *, message: Message, actor: User | None, template: str, language: str
) -> Event:
    """The reply ``message`` leaves as an approved template: the channel's free-form window
    was closed (WhatsApp's 24 hours)."""
    return _record(
        EventKind.TEMPLATE_SENT,
        actor=actor,
        ticket=message.ticket,
        message=message.pk,
        template=template,
        language=language,
    )


def priority_changed_event(
    *, ticket: Ticket, actor: User | None, old: str, new: str, customer_may_set: bool
) -> Event:
    """``customer_may_set``: whether the department lets its customers set the priority — then
    they see its changes in the history too."""
    return _record(
        EventKind.PRIORITY_CHANGED,
        actor=actor,
        ticket=ticket,
        old=str(old),
        new=str(new),
        public=customer_may_set,
    )


def tags_changed_event(
    *, ticket: Ticket, actor: User | None, added: list[str], removed: list[str]
) -> Event:
    return _record(EventKind.TAGS_CHANGED, actor=actor, ticket=ticket, added=added, removed=removed)


def merged_event(*, ticket: Ticket, actor: User | None, into: Ticket) -> Event:
    """``ticket`` was merged into ``into``; its messages and events now live there."""
    return _record(EventKind.MERGED, actor=actor, ticket=ticket, into=into.number)


def merged_from_event(*, ticket: Ticket, actor: User | None, merged: Ticket) -> Event:
    """``merged`` (a duplicate) was merged into ``ticket``."""
    return _record(
        EventKind.MERGED_FROM,
        actor=actor,
        ticket=ticket,
        merged=merged.number,
        subject=merged.subject,
    )


def department_overridden_event(
    *, ticket: Ticket, actor: User, department: Department, refusal: str, why: str
) -> Event:
    """Staff opened ``ticket`` in a department the company's plan does not give it
    (``refusal``, the rule's words), for the reason ``why`` they gave."""
    return _record(
        EventKind.DEPARTMENT_OVERRIDDEN,
        actor=actor,
        ticket=ticket,
        department=department.slug,
        refusal=str(refusal),
        why=why,
    )


# Meetings (balcao/meetings): the meeting's ticket keeps its history.


def meeting_booked_event(
    *,
    ticket: Ticket,
    actor: User | None,
    host: User,
    kind: str,
    topic: str,
    start: datetime,
    end: datetime,
) -> Event:
    return _record(
        EventKind.MEETING_BOOKED,
        actor=actor,
        ticket=ticket,
        host=person(host),
        meeting_kind=kind,
        topic=topic,
        start=_iso(start),
        end=_iso(end),
    )


def meeting_rescheduled_event(
    *, ticket: Ticket, actor: User | None, old_start: datetime, start: datetime, end: datetime
) -> Event:
    return _record(
        EventKind.MEETING_RESCHEDULED,
        actor=actor,
        ticket=ticket,
        old_start=_iso(old_start),
        start=_iso(start),
        end=_iso(end),
    )


def meeting_cancelled_event(*, ticket: Ticket, actor: User | None, start: datetime) -> Event:
    return _record(EventKind.MEETING_CANCELLED, actor=actor, ticket=ticket, start=_iso(start))


def meeting_marked_event(*, ticket: Ticket, actor: User | None, status: str) -> Event:
    """``status``: ``attended`` or ``no_show``."""
    return _record(EventKind.MEETING_MARKED, actor=actor, ticket=ticket, status=status)


def move_ticket_events(*, source: Ticket, into: Ticket) -> int:
    """A merge: the history of ``source`` becomes part of ``into``'s (nothing is lost)."""
    return Event.objects.filter(ticket=source).update(ticket=into)


# SLA clocks


def sla_started_event(
    *,
    ticket: Ticket,
    actor: User | None,
    first_response_due: datetime,
    resolution_due: datetime | None,
) -> Event:
    return _record(
        EventKind.SLA_STARTED,
        actor=actor,
        ticket=ticket,
        first_response_due=_iso(first_response_due),
        resolution_due=_iso(resolution_due),
    )


def sla_paused_event(*, ticket: Ticket, actor: User | None, first_response_breached: bool) -> Event:
    return _record(
        EventKind.SLA_PAUSED,
        actor=actor,
        ticket=ticket,
        first_response_breached=first_response_breached,
    )


def sla_resumed_event(
    *,
    ticket: Ticket,
    actor: User | None,
    next_response_due: datetime | None,
    resolution_due: datetime | None,
) -> Event:
    return _record(
        EventKind.SLA_RESUMED,
        actor=actor,
        ticket=ticket,
        next_response_due=_iso(next_response_due),
        resolution_due=_iso(resolution_due),
    )


def sla_stopped_event(*, ticket: Ticket, actor: User | None, breached: bool) -> Event:
    return _record(EventKind.SLA_STOPPED, actor=actor, ticket=ticket, breached=breached)


def sla_warning_event(*, ticket: Ticket, target: str, due: datetime) -> Event:
    return _record(EventKind.SLA_WARNING, ticket=ticket, target=str(target), due=_iso(due))


def sla_breached_event(*, ticket: Ticket, target: str, due: datetime) -> Event:
    return _record(EventKind.SLA_BREACHED, ticket=ticket, target=str(target), due=_iso(due))


# Companies (R2): an authorization is of an address, so the address is kept with the person.


def contact_authorized_event(
    *, company: Company, actor: User | None, user: User, primary: bool = False, consent: str = ""
) -> Event:
    """``consent``: how the primary contact agreed, when staff authorized on their behalf."""
    data: dict[str, Any] = {"contact": person(user), "email": user.email}
    if primary:
        data["primary"] = True
    if consent:
        data["consent"] = consent
    return _record(EventKind.CONTACT_AUTHORIZED, actor=actor, company=company, **data)


def contact_removed_event(*, company: Company, actor: User | None, user: User) -> Event:
    return _record(
        EventKind.CONTACT_REMOVED,
        actor=actor,
        company=company,
        contact=person(user),
        email=user.email,
    )


def whatsapp_number_added_event(
    *, company: Company, actor: User | None, user: User, number: str
) -> Event:
    """``user`` is the contact the number now belongs to."""
    return _record(
        EventKind.WHATSAPP_NUMBER_ADDED,
        actor=actor,
        company=company,
        number=number,
        contact=person(user),
        email=user.email,
    )


def whatsapp_number_removed_event(
    *, company: Company, actor: User | None, user: User, number: str
) -> Event:
    return _record(
        EventKind.WHATSAPP_NUMBER_REMOVED,
        actor=actor,
        company=company,
        number=number,
        contact=person(user),
        email=user.email,
    )


# The team and the customers' records, changed in the admin


def company_changed_event(
    *, company: Company, actor: User | None, changes: dict[str, list[Any]]
) -> Event:
    """``changes``: each field changed, as [old, new] in a readable form."""
    return _record(EventKind.COMPANY_CHANGED, actor=actor, company=company, changes=changes)


def staff_added_event(
    *, user: User, actor: User | None, role: str, departments: list[str]
) -> Event:
    return _record(
        EventKind.STAFF_ADDED, actor=actor, staff=person(user), role=role, departments=departments
    )


def staff_changed_event(*, user: User, actor: User | None, changes: dict[str, list[Any]]) -> Event:
    return _record(EventKind.STAFF_CHANGED, actor=actor, staff=person(user), changes=changes)
