"""Thin tasks: who is told of an event, and the e-mail of one notification, after commit."""

from django_tasks import task


@task()
def email_notification_task(event_id: int, user_id: int) -> None:
    """E-mail one agent of one event, threaded per ticket. Like the SLA alerts, a failed
    notification e-mail is not retried: the console's row is what counts."""
    from balcao.accounts.models import User
    from balcao.events.models import Event
    from balcao.notifications.actions import concerned
    from balcao.notifications.delivery import email_notification

    event = Event.objects.select_related("ticket__department", "ticket__assignee").get(pk=event_id)
    kind, _people = concerned(event)
    email_notification(event, kind, User.objects.get(pk=user_id))


@task()
def tell_task(event_id: int) -> None:
    """Tell the people concerned by one committed event (``notify_later`` with
    NOTIFY_BY_TASK): their console rows, pushed to their open pages, and their e-mails. Run
    twice, it tells nobody twice."""
    from balcao.events.models import Event
    from balcao.notifications.actions import tell

    tell(Event.objects.select_related("ticket__department", "ticket__assignee").get(pk=event_id))
