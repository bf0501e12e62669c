"""Reads of stored e-mail, for a viewer: only staff, only mail of tickets they may see."""

from balcao.accounts.models import Viewer
from balcao.connectors.email.models import InboundMail
from balcao.core.errors import NotFound
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
