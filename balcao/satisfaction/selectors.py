"""Reading the satisfaction question: the signed links that answer it, whether a ticket may
still be rated, and the rating as staff read it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from balcao.accounts.models import Viewer
from balcao.core.errors import NotFound
from balcao.satisfaction.models import HIGHEST, LOWEST, Rating
from balcao.tickets.models import Status, Ticket

SALT = "balcao.satisfaction.survey"
# A first answer may be changed for this long, then it is read-only.
CHANGE_WINDOW = timedelta(days=7)
SCORES = tuple(range(LOWEST, HIGHEST + 1))


class LinkRefused(NotFound):
    """A satisfaction link that was tampered with or has expired."""


def survey_token(ticket: Ticket) -> str:
    """The signed, timestamped token of ``ticket``'s question: it stands for that ticket only."""
    return signing.dumps(ticket.pk, salt=SALT)


def survey_url(ticket: Ticket, score: int | None = None, *, token: str | None = None) -> str:
    """The page that asks, with ``score`` preselected (a GET there records nothing);
    ``token``: ``survey_token(ticket)`` as the caller made it."""
    url = reverse("portal:satisfaction", args=[token or survey_token(ticket)])
    return f"{url}?nota={score}" if score else url


def survey_links(ticket: Ticket) -> list[tuple[int, str]]:
    """(score, absolute link) for the closing e-mail's one-click answers."""
    return [(score, settings.SITE_URL + survey_url(ticket, score)) for score in SCORES]


def link_days() -> int:
    """How long a link works, read defensively: a bad setting counts as the default."""
    days = getattr(settings, "SATISFACTION_LINK_DAYS", 30)
    return days if isinstance(days, int) and days > 0 else 30


def ticket_for_token(token: str) -> Ticket:
    """The ticket a token was signed for; LinkRefused when tampered with or expired."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=timedelta(days=link_days()))
    except signing.SignatureExpired:
        raise LinkRefused(
            _("This link has expired. Open the ticket in the client area to rate it.")
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            _("This link is not valid. Please use the link from the e-mail.")
        ) from None
    ticket = (
        Ticket.objects.select_related("department", "satisfaction").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if ticket is None:
        raise LinkRefused(_("This link is not valid. Please use the link from the e-mail."))
    return ticket


def get_rating(ticket: Ticket) -> Rating | None:
    try:
        return ticket.satisfaction
    except Rating.DoesNotExist:
        return None


@dataclass(frozen=True)
class RatingState:
    rating: Rating | None
    # Until when the answer may be given or changed; None: it may not (any more).
    open_until: datetime | None

    @property
    def may_answer(self) -> bool:
        return self.open_until is not None


def rating_state(ticket: Ticket, *, now: datetime | None = None) -> RatingState:
    """Whether the customer may answer now: a closed ticket not yet rated, or a rating whose
    first answer is less than CHANGE_WINDOW old."""
    now = now or timezone.now()
    rating = get_rating(ticket)
    if rating is None:
        return RatingState(None, now if ticket.status == Status.CLOSED else None)
    until = rating.answered_at + CHANGE_WINDOW
    return RatingState(rating, until if now < until else None)


def staff_rating(viewer: Viewer, ticket: Ticket) -> Rating | None:
    """The rating as staff read it (the API, the console); None for anyone else."""
    if not getattr(viewer, "is_agent", False):
        return None
    return get_rating(ticket)
