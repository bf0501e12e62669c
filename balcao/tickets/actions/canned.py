"""Canned replies: sending one (its text and its actions) and writing, editing and deleting
them."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from balcao.accounts.models import Department, User
from balcao.core.errors import ActionRefused
from balcao.tickets.actions.assignment import do_assign_ticket
from balcao.tickets.actions.attachments import NewAttachment
from balcao.tickets.actions.common import _require_staff
from balcao.tickets.actions.messages import do_add_message
from balcao.tickets.actions.status import do_close_ticket, do_start_progress
from balcao.tickets.actions.triage import clean_tags, do_add_tags
from balcao.tickets.models import CannedResponse, Message, Origin, Status, Ticket
from balcao.tickets.selectors import get_canned_response, render_canned


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
