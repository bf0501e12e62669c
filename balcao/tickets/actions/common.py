"""What every ticket action shares: the row lock, the save that moves the lists' version, the
status change with its events and SLA clock, and the checks of who may act where."""

from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.errors import ActionRefused
from balcao.customers.models import Company
from balcao.customers.selectors import department_refusal
from balcao.events.actions import reopened_event, status_changed_event
from balcao.sla.actions import do_update_clock
from balcao.tickets.actions.versions import touch_departments
from balcao.tickets.models import Status, Ticket


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["updated_at", *fields])
    touch_departments(ticket.department_id)


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
