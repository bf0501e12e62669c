"""Thin tasks: what leaves after commit, by the channel's registered delivery, retried with
one backoff for every channel; the last failure of a reply is recorded on it (R10)."""

import logging
from collections.abc import Callable

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from balcao.tickets.delivery import MAX_ATTEMPTS, DeliveryFailed, delivery_for, retry_delay

log = logging.getLogger(__name__)


def _attempt(
    task_: Task, key: int, attempt: int, send: Callable[[], object]
) -> DeliveryFailed | None:
    """Run ``send``; on failure schedule the next attempt and return None, or return the
    failure when there will be no other attempt."""
    try:
        send()
    except Exception as error:
        failure = (
            error
            if isinstance(error, DeliveryFailed)
            else DeliveryFailed(str(error) or type(error).__name__)
        )
        log.warning("%s %s (attempt %d) failed: %s", task_.name, key, attempt, failure.reason)
        if failure.permanent or attempt >= MAX_ATTEMPTS:
            return failure
        task_.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(key, attempt + 1)
    return None


@task()
def deliver_reply_task(message_id: int, attempt: int = 1) -> None:
    """Send the team's public reply by the channel it must leave by (R18)."""
    from balcao.tickets.actions import do_record_delivery
    from balcao.tickets.models import Message

    message = Message.objects.select_related("ticket__department", "ticket__requester").get(
        pk=message_id
    )
    reply = delivery_for(message.deliver_by).reply
    if message.delivery == Message.Delivery.SENT or reply is None:
        return
    sent: list[str] = []
    failure = _attempt(deliver_reply_task, message_id, attempt, lambda: sent.append(reply(message)))
    if sent:
        do_record_delivery(message, message_id=sent[0])
    elif failure is not None:
        do_record_delivery(message, message_id=message.message_id, error=failure.reason)


@task()
def deliver_answer_task(receipt_id: int, attempt: int = 1) -> None:
    """The one automatic answer the funnel allowed for an inbound message."""
    from balcao.tickets.models import Receipt

    receipt = Receipt.objects.select_related("ticket__department", "ticket__requester").get(
        pk=receipt_id
    )
    answer = delivery_for(receipt.channel).answer
    if receipt.answer and answer is not None:
        _attempt(deliver_answer_task, receipt_id, attempt, lambda: answer(receipt))


@task()
def acknowledge_ticket_task(ticket_id: int, attempt: int = 1) -> None:
    """Tell the requester of a ticket opened in the client area or the API that it was opened,
    by e-mail (a channel's own tickets are acknowledged by the funnel's answer)."""
    from balcao.tickets.models import Origin, Ticket

    ticket = Ticket.objects.select_related("department", "requester").get(pk=ticket_id)
    acknowledge = delivery_for(Origin.EMAIL).acknowledge
    if acknowledge is not None and ticket.requester_email and ticket.linked:
        _attempt(acknowledge_ticket_task, ticket_id, attempt, lambda: acknowledge(ticket))


@task()
def follow_up_answer_task(message_id: int) -> None:
    """After the team's public answer: schedule, in business days of the ticket's calendar,
    the reminder to the customer and the automatic close."""
    from balcao.sla.calendar import add_business_days
    from balcao.sla.selectors import ticket_calendar
    from balcao.tickets.models import Message

    message = Message.objects.select_related("ticket__department").get(pk=message_id)
    days = message.ticket.department.auto_close_days
    if not days:
        return
    calendar = ticket_calendar(message.ticket)
    if days > 1:
        remind_at = add_business_days(calendar, message.created_at, days - 1)
        remind_customer_task.using(run_after=remind_at).enqueue(message_id)
    close_at = add_business_days(calendar, message.created_at, days)
    auto_close_task.using(run_after=close_at).enqueue(message_id)


@task()
def remind_customer_task(message_id: int, attempt: int = 1) -> None:
    """The customer still has not replied: remind them, by e-mail, that the ticket closes soon."""
    from balcao.tickets.actions import waiting_on
    from balcao.tickets.models import Message, Origin

    message = Message.objects.select_related("ticket__department", "ticket__requester").get(
        pk=message_id
    )
    remind = delivery_for(Origin.EMAIL).remind
    if remind is not None and message.ticket.requester_email and waiting_on(message):
        _attempt(remind_customer_task, message_id, attempt, lambda: remind(message.ticket))


@task()
def auto_close_task(message_id: int) -> None:
    """Close the ticket if it still waits for the customer since this answer."""
    from balcao.tickets.actions import do_auto_close_ticket
    from balcao.tickets.models import Message

    do_auto_close_ticket(Message.objects.select_related("ticket").get(pk=message_id))


@task()
def ask_satisfaction_task(ticket_id: int, attempt: int = 1) -> None:
    """The ticket was closed: ask the requester, by e-mail, how the service was (signed
    one-click links), unless it was reopened or already rated meanwhile."""
    from balcao.satisfaction.selectors import rating_state
    from balcao.tickets.models import Origin, Status, Ticket

    ticket = Ticket.objects.select_related("department", "requester").get(pk=ticket_id)
    survey = delivery_for(Origin.EMAIL).survey
    state = rating_state(ticket)
    if (
        survey is not None
        and ticket.requester_email
        and ticket.status == Status.CLOSED
        and state.rating is None
    ):
        _attempt(ask_satisfaction_task, ticket_id, attempt, lambda: survey(ticket))


@task()
def fold_ticket_counts_task() -> None:
    """Each minute (``core/periodic.py``): the tickets' counts, a row a key again."""
    from balcao.tickets.actions import fold_ticket_counts

    fold_ticket_counts()
