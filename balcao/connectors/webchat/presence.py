"""Whether the contact is still in a chat: a count of their open sockets per chat, kept in the
shared cache (a database table embedded, Redis with REDIS_URL) so that every process sees it.
When the last one closes, the chat is looked at again after CHAT_ABANDON_MINUTES
(``close_abandoned_chat_task``): still waiting for the team and nobody back, it is closed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from balcao.connectors.webchat.tasks import close_abandoned_chat_task

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 30
# Long enough for any chat; a count lost with a crashed process only keeps a chat open.
KEPT_FOR = 24 * 60 * 60


def _key(ticket_id: int) -> str:
    return f"webchat:contact-sockets:{ticket_id}"


def abandon_minutes() -> int:
    """CHAT_ABANDON_MINUTES, read defensively: anything but a whole number of minutes from 1
    to 1440 counts as the default, with a warning."""
    minutes = getattr(settings, "CHAT_ABANDON_MINUTES", DEFAULT_MINUTES)
    if isinstance(minutes, int) and 1 <= minutes <= 1440:
        return minutes
    log.warning("CHAT_ABANDON_MINUTES=%r is not 1–1440 minutes; using %d", minutes, DEFAULT_MINUTES)
    return DEFAULT_MINUTES


def contact_joined(ticket_id: int) -> None:
    cache.add(_key(ticket_id), 0, KEPT_FOR)
    try:
        cache.incr(_key(ticket_id))
    except ValueError:  # expired between the two calls
        cache.set(_key(ticket_id), 1, KEPT_FOR)


def contact_present(ticket_id: int) -> bool:
    return (cache.get(_key(ticket_id)) or 0) > 0


def contact_left(ticket_id: int) -> None:
    """The contact closed a socket of the chat; after the last, schedule the look again."""
    try:
        remaining = cache.decr(_key(ticket_id))
    except ValueError:
        remaining = 0
    if remaining > 0:
        return
    cache.set(_key(ticket_id), 0, KEPT_FOR)
    left_at = timezone.now()
    minutes = abandon_minutes()
    close_abandoned_chat_task.using(run_after=left_at + timedelta(minutes=minutes)).enqueue(
        ticket_id, left_at.isoformat(), minutes
    )
