"""Thin tasks of the WhatsApp channel."""

from django_tasks import task


@task()
def send_whatsapp_reply_task(message_id: int, attempt: int = 1) -> None:
    """Send the team's public reply on a WhatsApp ticket; retried with backoff."""
    from balcao.connectors.whatsapp.outbound import send_reply

    send_reply(message_id, attempt)


@task()
def send_auto_answer_task(row_id: int, attempt: int = 1) -> None:
    """Tell a sender its number is not registered, its plan lacks the channel, or when the
    channel opens."""
    from balcao.connectors.whatsapp.outbound import send_auto_answer

    send_auto_answer(row_id, attempt)
