"""Recording the customer's answer to "Como foi o atendimento?"."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import User
from balcao.core.errors import ActionRefused
from balcao.events.actions import satisfaction_rated_event
from balcao.notifications.actions import notify_later
from balcao.satisfaction.models import LOW, Rating
from balcao.satisfaction.selectors import SCORES, rating_state
from balcao.tickets.models import Ticket

COMMENT_LIMIT = 2000


@transaction.atomic
def do_rate_ticket(ticket: Ticket, *, actor: User | None, score: int, comment: str = "") -> Rating:
    """The customer's score (1–5) and optional comment: once per ticket after it closes,
    changeable for CHANGE_WINDOW after the first answer. ``actor`` is the signed-in contact,
    or None when answered by the e-mail's signed link. A low score tells the department's
    directors; staff never answer for the customer."""
    if actor is not None and actor.is_agent:
        raise ActionRefused(_("Only the customer rates the service."), code="forbidden")
    if score not in SCORES:
        raise ActionRefused(_("Choose a score from 1 to 5."), code="invalid")
    comment = (comment or "").strip()[:COMMENT_LIMIT]
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=ticket.pk)
    )
    state = rating_state(ticket)
    if not state.may_answer:
        raise ActionRefused(
            _("This rating can no longer be changed.")
            if state.rating
            else _("The ticket is open again: you will be asked when it closes."),
            code="closed",
        )
    rating, previous = state.rating, None
    if rating is None:
        rating = Rating.objects.create(
            ticket=ticket,
            score=score,
            comment=comment,
            department=ticket.department,
            agent_id=ticket.assignee_id,
            answered_by=actor,
        )
    elif (rating.score, rating.comment) == (score, comment):
        return rating
    else:
        previous = rating.score
        rating.score, rating.comment, rating.changed_at = score, comment, timezone.now()
        rating.save(update_fields=["score", "comment", "changed_at"])
    event = satisfaction_rated_event(
        ticket=ticket, actor=actor, score=score, comment=comment, previous=previous
    )
    if score <= LOW and (previous is None or previous > LOW):
        notify_later(event)
    return rating
