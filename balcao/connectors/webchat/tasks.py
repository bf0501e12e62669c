"""The chat's scheduled work."""

from django.utils.dateparse import parse_datetime
from django_tasks import task


@task()
def close_abandoned_chat_task(ticket_id: int, left_at: str, minutes: int) -> None:
    """The contact left the chat ``minutes`` ago: close it if it still waits for the team's
    answer, nothing was written since and the contact did not come back."""
    from balcao.connectors.webchat.presence import contact_present
    from balcao.tickets.actions import do_close_abandoned_chat
    from balcao.tickets.models import Ticket

    left = parse_datetime(left_at)
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or left is None or contact_present(ticket_id):
        return
    do_close_abandoned_chat(ticket, left_at=left, minutes=minutes)
