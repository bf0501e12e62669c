"""Outbound by registry: the domain records which channel a message must leave by; each
connector registers, in its AppConfig.ready(), the functions that deliver on its channel.
The domain never imports a connector (DESIGN.md: import direction), and every channel
retries and records failures the same way (tickets/tasks.py).

The notification policy per channel (docs/architecture.md, "Outbound"):
- the team's public reply leaves by the channel the customer is on: WhatsApp on a WhatsApp
  ticket, e-mail otherwise; a line written in a live chat is seen there and is not e-mailed;
- the acknowledgement of a new ticket and the funnel's automatic answers go back by the
  channel the message came from, when that channel registered an answer of that kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from balcao.tickets.models import Message, Receipt, Ticket


class DeliveryFailed(Exception):
    """A send that did not go out. ``permanent``: retrying cannot help (recorded at once)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class ChannelDelivery:
    """What a connector delivers. Each function returns the channel's id of what it sent and
    raises DeliveryFailed when it could not."""

    reply: Callable[["Message"], str] | None = None
    answer: Callable[["Receipt"], str] | None = None
    answers: frozenset[str] = field(default_factory=frozenset)
    acknowledge: Callable[["Ticket"], str] | None = None
    # Tell the requester something about the ticket: ``remind`` (an answer waits for them
    # and the ticket closes soon without a reply);
    remind: Callable[["Ticket"], str] | None = None
    # ``survey``: the ticket was closed; how was the service? (the satisfaction question).
    survey: Callable[["Ticket"], str] | None = None


_registry: dict[str, ChannelDelivery] = {}


def register(channel: str, delivery: ChannelDelivery) -> None:
    _registry[channel] = delivery


def delivery_for(channel: str) -> ChannelDelivery:
    """The channel's delivery, or one that delivers nothing (a channel nobody registered)."""
    return _registry.get(channel, ChannelDelivery())


def sends_answer(channel: str, kind: str) -> bool:
    return kind in delivery_for(channel).answers


MAX_ATTEMPTS = 5


def retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 minutes between attempts."""
    return timedelta(minutes=2 ** (attempt - 1))
