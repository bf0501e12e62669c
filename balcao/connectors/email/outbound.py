"""E-mail the team sends (R18): from the department's address, threaded, with the ticket token.

Each send runs in a task after commit. A failed send is retried with a growing delay; the
last failure of a reply is recorded on it, so the ticket shows it (R10).
"""

import logging
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from balcao.connectors.email.models import InboundMail
from balcao.tickets.actions import do_record_delivery
from balcao.tickets.models import Message, Origin, Ticket

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 minutes between attempts."""
    return timedelta(minutes=2 ** (attempt - 1))


def ticket_token(number: int) -> str:
    return f"[#{number}]"


def _thread_ids(ticket: Ticket) -> list[str]:
    ids = (
        ticket.messages.exclude(message_id="")
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)
    )
    return [f"<{mid}>" for mid in ids]


def _language(ticket: Ticket) -> str:
    """The requester's language when Balcão knows it, else the default (pt-BR)."""
    chosen = getattr(ticket.requester, "language", "") if ticket.requester_id else ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _send(
    ticket: Ticket,
    template: str,
    context: dict,
    message_id: str,
    *,
    to: str = "",
    automatic: str = "no",
    in_reply_to: str = "",
) -> None:
    with translation.override(_language(ticket)):
        context = {"ticket": ticket, "site_url": settings.SITE_URL, **context}
        subject = f"{ticket_token(ticket.number)} {ticket.subject}"
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    references = _thread_ids(ticket)
    if in_reply_to and f"<{in_reply_to}>" not in references:
        references.append(f"<{in_reply_to}>")
    headers = {"Message-ID": f"<{message_id}>", "Auto-Submitted": automatic}
    if references:
        headers["In-Reply-To"] = f"<{in_reply_to}>" if in_reply_to else references[-1]
        headers["References"] = " ".join(references[-20:])
    mail = EmailMultiAlternatives(
        subject,
        text,
        f"{ticket.department.name} <{ticket.department.email}>",
        [to or ticket.requester_email],
        headers=headers,
        reply_to=[ticket.department.email],
    )
    mail.attach_alternative(html, "text/html")
    mail.send()


def _new_message_id(ticket: Ticket) -> str:
    domain = ticket.department.email.rpartition("@")[2] or "balcao.localhost"
    return make_msgid(idstring=f"ticket{ticket.number}", domain=domain)[1:-1]


def _retry(task, key: int, attempt: int, error: Exception) -> bool:
    """Schedule the next attempt; False when this was the last one."""
    log.warning("e-mail %s (%s, attempt %d) failed: %s", key, task.name, attempt, error)
    if attempt >= MAX_ATTEMPTS:
        return False
    task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(key, attempt + 1)
    return True


def send_ticket_acknowledgement(ticket_id: int, attempt: int = 1) -> None:
    """Acknowledge a linked ticket. One that came by e-mail is acknowledged only when the funnel
    allowed an automatic answer (never to auto-replies, bounces or above the rate limit)."""
    from balcao.tickets import tasks

    ticket = Ticket.objects.select_related("department", "requester").get(pk=ticket_id)
    if not ticket.requester_email or not ticket.linked:
        return
    if (
        ticket.origin == Origin.EMAIL
        and not InboundMail.objects.filter(
            ticket_id=ticket.pk, answer=InboundMail.Answer.ACKNOWLEDGEMENT
        ).exists()
    ):
        return
    first = ticket.messages.order_by("created_at", "id").first()
    try:
        _send(
            ticket,
            "ticket_opened",
            {},
            _new_message_id(ticket),
            automatic="auto-replied" if ticket.origin == Origin.EMAIL else "auto-generated",
            in_reply_to=first.message_id if first else "",
        )
    except Exception as error:
        _retry(tasks.ticket_opened_task, ticket_id, attempt, error)


def send_notice(inbound_id: int, attempt: int = 1) -> None:
    """Tell a sender why its e-mail is unlinked (write from a registered address) or was routed
    elsewhere (the department its plan does not include), threaded to its message."""
    from balcao.connectors.email import tasks

    mail = InboundMail.objects.select_related("ticket__department", "ticket__requester").get(
        pk=inbound_id
    )
    if mail.ticket is None or not mail.from_email:
        return
    try:
        _send(
            mail.ticket,
            "refused" if mail.answer == InboundMail.Answer.REFUSED else "unlinked",
            {"reason": mail.note},
            _new_message_id(mail.ticket),
            to=mail.from_email,
            automatic="auto-replied",
            in_reply_to=mail.msgid,
        )
    except Exception as error:
        _retry(tasks.send_mail_notice_task, inbound_id, attempt, error)


def send_reply(message_id: int, attempt: int = 1) -> None:
    """Send one reply; retried on failure, and the last failure is recorded on the message."""
    from balcao.tickets import tasks

    message = Message.objects.select_related("ticket__department", "ticket__requester").get(
        pk=message_id
    )
    if message.delivery == Message.Delivery.SENT:
        return
    ticket = message.ticket
    mid = message.message_id or _new_message_id(ticket)
    try:
        _send(ticket, "reply", {"message": message}, mid)
    except Exception as error:
        if not _retry(tasks.send_reply_email_task, message_id, attempt, error):
            do_record_delivery(message, message_id=mid, error=str(error) or type(error).__name__)
        return
    do_record_delivery(message, message_id=mid)
