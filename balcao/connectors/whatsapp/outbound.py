"""What Balcão sends by WhatsApp, in tasks after commit: the team's public replies on WhatsApp
tickets, and the automatic answers of the funnel. A failed send is retried with a growing
delay; the last failure of a reply is recorded on it, so staff and customer see it (R10).

WhatsApp lets a business write freely only within 24 hours of the customer's last message;
after that only approved templates may be sent, so a reply then is recorded as not delivered.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from balcao.connectors.whatsapp.actions import do_record_sent
from balcao.connectors.whatsapp.graph import GraphError, send_text
from balcao.connectors.whatsapp.models import WhatsAppMessage
from balcao.sla.selectors import company_channels
from balcao.tickets.actions import do_record_delivery
from balcao.tickets.models import Message, Origin

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = 131047  # Graph API error: more than 24 hours since the customer's last message


def _retry(task, key: int, attempt: int, error: GraphError) -> bool:
    """Schedule the next attempt (1, 2, 4, 8 minutes); False when there is none."""
    log.warning("WhatsApp %s (%s, attempt %d) failed: %s", key, task.name, attempt, error)
    if error.permanent or attempt >= MAX_ATTEMPTS:
        return False
    delay = timedelta(minutes=2 ** (attempt - 1))
    task.using(run_after=timezone.now() + delay).enqueue(key, attempt + 1)
    return True


def _outside_window() -> str:
    return _(
        "Not sent: outside WhatsApp's 24-hour window (the customer's last message is older);"
        " answer by e-mail."
    )


def send_reply(message_id: int, attempt: int = 1) -> None:
    """Send one public reply to the number of the ticket's conversation."""
    from balcao.connectors.whatsapp import tasks

    message = Message.objects.select_related("ticket").get(pk=message_id)
    if message.delivery == Message.Delivery.SENT:
        return
    last = (
        WhatsAppMessage.objects.select_related("business_number")
        .filter(ticket=message.ticket, direction=WhatsAppMessage.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )
    with translation.override(settings.LANGUAGE_CODE):
        if last is None:
            do_record_delivery(
                message,
                message_id="",
                error=_("Not sent: no WhatsApp conversation on this ticket."),
            )
            return
        if last.created_at < timezone.now() - WINDOW:
            do_record_delivery(message, message_id="", error=_outside_window())
            return
        try:
            wamid = send_text(last.business_number.phone_number_id, last.wa_id, message.body_text)
        except GraphError as error:
            if not _retry(tasks.send_whatsapp_reply_task, message_id, attempt, error):
                reason = _outside_window() if error.code == OUTSIDE_WINDOW else str(error)
                do_record_delivery(message, message_id="", error=reason)
            return
    do_record_sent(
        number=last.business_number,
        wa_id=last.wa_id,
        text=message.body_text,
        wamid=wamid,
        ticket=message.ticket,
        message=message,
    )


def reply_by_whatsapp(message_id: int, attempt: int = 1) -> bool:
    """Send a reply by WhatsApp when its ticket came by WhatsApp; False for any other ticket."""
    if not Message.objects.filter(pk=message_id, ticket__origin=Origin.WHATSAPP).exists():
        return False
    send_reply(message_id, attempt)
    return True


def _answer_text(row: WhatsAppMessage) -> str:
    number = row.business_number
    context = {
        "channel": number.get_channel_display(),
        "url": f"{settings.SITE_URL}/cliente/",
        "number": row.ticket.number if row.ticket else "",
        "department": row.ticket.department.localized("name") if row.ticket else "",
    }
    if row.answer == WhatsAppMessage.Answer.UNKNOWN:
        return (
            _(
                "Hello! This number is not registered to any of our customers' contacts. Your"
                " message was kept (ticket #%(number)s), but it is not linked to an account. To"
                " be recognised here, ask your company's primary contact to register this"
                " number in the client area (Authorized contacts > WhatsApp numbers), or open"
                " a ticket there: %(url)s"
            )
            % context
        )
    if row.answer == WhatsAppMessage.Answer.REFUSED:
        return (
            _(
                "Your company's plan does not include %(channel)s, so your message was passed to"
                " %(department)s (ticket #%(number)s). The client area shows what your plan"
                " includes: %(url)s"
            )
            % context
        )
    state = next((s for s in company_channels(None) if s.channel == number.channel), None)
    opens = timezone.localtime(state.opens_at if state and state.opens_at else timezone.now())
    return _(
        "%(channel)s is closed now and opens on %(opens)s (Brasília time). Your message was"
        " kept as ticket #%(number)s and will be answered then; you can follow it in the"
        " client area: %(url)s"
    ) % {**context, "opens": formats.date_format(opens, "SHORT_DATETIME_FORMAT")}


def send_auto_answer(row_id: int, attempt: int = 1) -> None:
    """The one automatic answer the funnel allowed for an inbound message."""
    from balcao.connectors.whatsapp import tasks

    row = WhatsAppMessage.objects.select_related("business_number", "ticket__department").get(
        pk=row_id
    )
    if not row.answer:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _answer_text(row)
    try:
        wamid = send_text(row.business_number.phone_number_id, row.wa_id, text, row.wamid)
    except GraphError as error:
        _retry(tasks.send_auto_answer_task, row_id, attempt, error)
        return
    do_record_sent(
        number=row.business_number, wa_id=row.wa_id, text=text, wamid=wamid, ticket=row.ticket
    )
