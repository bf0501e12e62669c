"""Status transitions by their actions: start, close (by hand, after the customer's silence,
an abandoned chat), reopen, and the status an API client asks for (R11, R12)."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.enqueue import enqueue_on_commit
from balcao.core.errors import ActionRefused
from balcao.events.actions import assigned_event, auto_closed_event, chat_abandoned_event
from balcao.tickets import tasks
from balcao.tickets.actions.common import _locked, _require_staff, _save, _set_status
from balcao.tickets.models import Message, Origin, Status, Ticket


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
