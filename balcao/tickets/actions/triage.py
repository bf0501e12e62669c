"""Priority (staff; a contact where the department allows it) and tags."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.errors import ActionRefused
from balcao.customers.models import Contact
from balcao.events.actions import priority_changed_event, tags_changed_event
from balcao.search.actions import index_tags
from balcao.sla.actions import do_reprioritize_clock
from balcao.tickets.actions.common import _locked, _require_staff, _save
from balcao.tickets.models import Priority, Tag, Ticket
from balcao.tickets.selectors import customers_set_priority


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
