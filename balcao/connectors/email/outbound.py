"""E-mail the team sends (R18): from the department's address, threaded, with the ticket token."""

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from balcao.tickets.actions import do_record_delivery
from balcao.tickets.models import Message, Ticket

log = logging.getLogger(__name__)


def ticket_token(number: int) -> str:
    return f"[#{number}]"


def _thread_ids(ticket: Ticket) -> list[str]:
    ids = (
        ticket.messages.exclude(message_id="")
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)
    )
    return [f"<{mid}>" for mid in ids]


def _send(ticket: Ticket, template: str, context: dict, message_id: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"ticket": ticket, "site_url": settings.SITE_URL, **context}
        subject = f"{ticket_token(ticket.number)} {ticket.subject}"
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    references = _thread_ids(ticket)
    headers = {
        "Message-ID": f"<{message_id}>",
        "Auto-Submitted": "auto-generated" if template == "ticket_opened" else "no",
    }
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references[-20:])
    mail = EmailMultiAlternatives(
        subject,
        text,
        f"{ticket.department.name} <{ticket.department.email}>",
        [ticket.requester_email],
        headers=headers,
        reply_to=[ticket.department.email],
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def _new_message_id(ticket: Ticket) -> str:
    domain = ticket.department.email.rpartition("@")[2] or "balcao.localhost"
    return make_msgid(idstring=f"ticket{ticket.number}", domain=domain)[1:-1]


def send_ticket_acknowledgement(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("department").get(pk=ticket_id)
    if not ticket.requester_email or not ticket.linked:
        return
    _send(ticket, "ticket_opened", {}, _new_message_id(ticket))


def send_reply(message_id: int) -> None:
    """Send one reply; a failure is recorded on the message and re-raised so the task retries."""
    message = Message.objects.select_related("ticket__department", "author").get(pk=message_id)
    if message.delivery == Message.Delivery.SENT:
        return
    ticket = message.ticket
    mid = message.message_id or _new_message_id(ticket)
    try:
        _send(ticket, "reply", {"message": message}, mid)
    except Exception as error:
        log.warning("reply %s to %s failed: %s", message.pk, ticket.requester_email, error)
        do_record_delivery(message, message_id=mid, error=str(error) or type(error).__name__)
        raise
    do_record_delivery(message, message_id=mid)
