"""Thin tasks of the e-mail channel."""

from django_tasks import task


@task()
def send_mail_notice_task(inbound_id: int, attempt: int = 1) -> None:
    """Tell a sender why its e-mail landed unlinked or in another department."""
    from balcao.connectors.email.outbound import send_notice

    send_notice(inbound_id, attempt)
