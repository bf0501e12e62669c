"""Copies (R2, R18): only the company's authorized contacts are ever copied on the replies."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.errors import ActionRefused
from balcao.customers.selectors import find_contact_by_email, get_contact
from balcao.events.actions import cc_added_event, cc_removed_event
from balcao.tickets.actions.common import _locked
from balcao.tickets.models import Ticket, TicketCc


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
