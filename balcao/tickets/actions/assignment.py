"""Who and where: assigning to a person or back to the queue, transferring to another
department (R5), linking an unlinked ticket to its company."""

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.errors import ActionRefused
from balcao.customers.models import Company
from balcao.events.actions import assigned_event, linked_event, transferred_event
from balcao.notifications.actions import notify_later
from balcao.search.actions import index_ticket
from balcao.sla.actions import do_start_clock
from balcao.tickets.actions.common import (
    _check_department,
    _locked,
    _require_staff,
    _save,
    _set_status,
)
from balcao.tickets.actions.versions import touch_departments
from balcao.tickets.models import Status, Ticket


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
