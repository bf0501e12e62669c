"""Thin tasks: notifications scheduled on commit, safe to retry."""

from django_tasks import task


@task()
def ticket_opened_task(ticket_id: int, attempt: int = 1) -> None:
    """Acknowledge a new ticket to its requester, from the department's address."""
    from balcao.connectors.email.outbound import send_ticket_acknowledgement

    send_ticket_acknowledgement(ticket_id, attempt)


@task()
def send_reply_email_task(message_id: int, attempt: int = 1) -> None:
    """Send the team's public reply to the requester by e-mail (R18), or by WhatsApp on a
    ticket that came by WhatsApp; retried with backoff."""
    from balcao.connectors.email.outbound import send_reply
    from balcao.connectors.whatsapp.outbound import reply_by_whatsapp

    if not reply_by_whatsapp(message_id, attempt):
        send_reply(message_id, attempt)
