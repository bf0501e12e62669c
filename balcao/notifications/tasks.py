"""Thin task: tell, once committed, the people an event concerns."""

import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def notify_task(event_id: int) -> None:
    """Rows in the console (pushed live to open pages) and e-mails, per each one's choice.
    An e-mail that fails is logged, not retried: the console row is what counts."""
    from balcao.events.models import Event
    from balcao.notifications.actions import do_notify
    from balcao.notifications.delivery import email_notification, push_notifications

    event = (
        Event.objects.select_related("ticket__department", "ticket__assignee")
        .filter(pk=event_id, ticket__isnull=False)
        .first()
    )
    if event is None:
        return
    kind, rows, by_email = do_notify(event)
    push_notifications(rows)
    for user in by_email:
        try:
            email_notification(event, kind, user)
        except Exception:
            log.exception("notification e-mail of event %s to user %s failed", event_id, user.pk)
