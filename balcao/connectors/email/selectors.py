"""Reads of stored e-mail, for a viewer: only staff, only mail of tickets they may see; and
the IMAP pollers' heartbeats, for `/health`."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from balcao.accounts.models import Viewer
from balcao.connectors.email.models import InboundMail, Mailbox
from balcao.core.errors import NotFound
from balcao.core.health import Check
from balcao.tickets.selectors import visible_tickets


def get_original(viewer: Viewer, message_id: int) -> InboundMail:
    """The e-mail a ticket message came from, as it arrived; NotFound for anyone else."""
    mail = None
    if getattr(viewer, "is_agent", False):
        mail = (
            InboundMail.objects.select_related("ticket", "department")
            .filter(message_id=message_id, ticket__in=visible_tickets(viewer).values("id"))
            .first()
        )
    if mail is None:
        raise NotFound("E-mail not found.")
    return mail


def mailbox_health() -> Check:
    """For `/health`: each active mailbox's last poll and the kind of its last error (the
    text is the admin's); stale once its last poll is older than WORKER_STALE_SECONDS."""
    stale_after = settings.WORKER_STALE_SECONDS
    now = timezone.now()
    shown: list[dict[str, Any]] = []
    stale: list[str] = []
    for name, polled_at, error, error_at in Mailbox.objects.filter(is_active=True).values_list(
        "name", "polled_at", "poll_error", "poll_error_at"
    ):
        age = None if polled_at is None else round((now - polled_at).total_seconds(), 1)
        late = age is None or age > stale_after
        if late:
            stale.append(name)
        shown.append(
            {
                "name": name,
                "last_poll_age": age,
                "last_error": error.partition(":")[0],
                "last_error_age": None
                if error_at is None
                else round((now - error_at).total_seconds(), 1),
                "stale": late,
            }
        )
    return Check({"stale_after": stale_after, "stale": stale, "mailboxes": shown}, bool(stale))
