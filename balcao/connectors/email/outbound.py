"""E-mail the team sends (R18): from the department's address, threaded, with the ticket token.

These are the e-mail channel's deliveries, registered in tickets/delivery.py (apps.py); the
ticket tasks run them after commit, retry them and record the last failure of a reply (R10).
"""

from collections.abc import Sequence
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from balcao.customers.models import Contact
from balcao.customers.selectors import find_contact_by_email
from balcao.satisfaction.selectors import link_days, survey_links
from balcao.tickets.delivery import DeliveryFailed
from balcao.tickets.models import Attachment, Message, Origin, Receipt, Ticket


def ticket_token(number: int) -> str:
    return f"[#{number}]"


def _thread_ids(ticket: Ticket) -> list[str]:
    ids = (
        ticket.messages.exclude(message_id="")
        .filter(channel=Origin.EMAIL)
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
    context: dict[str, object],
    *,
    message_id: str = "",
    to: str = "",
    automatic: str = "no",
    in_reply_to: str = "",
    cc: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> str:
    """Send one e-mail of the ticket from its department's address, threaded with the whole
    conversation (so it lands in the customer's thread in Gmail and Outlook), with ``cc``
    copied and ``attachments`` attached; its Message-ID."""
    recipient = to or ticket.requester_email
    if not recipient:
        raise DeliveryFailed(_("Not sent: nobody's e-mail address on this ticket."), permanent=True)
    message_id = message_id or _new_message_id(ticket)
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
        [recipient],
        cc=[address for address in cc if address != recipient],
        headers=headers,
        reply_to=[ticket.department.email],
    )
    mail.attach_alternative(html, "text/html")
    for item in attachments:
        with item.file.open("rb") as content:
            mail.attach(item.name, content.read(), item.content_type)
    mail.send()
    return message_id


def _new_message_id(ticket: Ticket) -> str:
    domain = ticket.department.email.rpartition("@")[2] or "balcao.localhost"
    return make_msgid(idstring=f"ticket{ticket.number}", domain=domain)[1:-1]


def _first_message_id(ticket: Ticket) -> str:
    first = ticket.messages.order_by("created_at", "id").first()
    return first.message_id if first else ""


def send_acknowledgement(ticket: Ticket) -> str:
    """Tell the requester of a ticket opened in the client area or the API that it was opened."""
    return _send(
        ticket,
        "ticket_opened",
        {},
        automatic="auto-generated",
        in_reply_to=_first_message_id(ticket),
    )


ANSWER_TEMPLATES = {
    Receipt.Answer.ACKNOWLEDGEMENT: "ticket_opened",
    Receipt.Answer.UNLINKED: "unlinked",
    Receipt.Answer.NOT_YOURS: "not_yours",
    Receipt.Answer.REFUSED: "refused",
}


def send_answer(receipt: Receipt) -> str:
    """The funnel's automatic answer to an e-mail, to its sender, threaded to it: the ticket
    it opened, why it is not linked, that the ticket it named is not theirs, or why it went to
    another department (R7, R4)."""
    if receipt.ticket is None:
        raise DeliveryFailed("no ticket", permanent=True)
    return _send(
        receipt.ticket,
        ANSWER_TEMPLATES[Receipt.Answer(receipt.answer)],
        {"reason": receipt.note, "sender": receipt.sender},
        to=receipt.sender,
        automatic="auto-replied",
        in_reply_to=receipt.external_id,
    )


def _copied(ticket: Ticket) -> list[str]:
    """The ticket's CC that are still authorized contacts of its company (R2)."""
    if ticket.company_id is None:
        return []
    emails = list(ticket.cc.values_list("email", flat=True))
    still = Contact.objects.filter(
        company_id=ticket.company_id,
        company__is_active=True,
        user__is_active=True,
        user__email__in=emails,
    ).values_list("user__email", flat=True)
    kept = {email.lower() for email in still}
    return [email for email in emails if email in kept]


def send_reply(message: Message) -> str:
    """Send one public reply of the team, with its files, to the requester and the copied
    contacts (R18) — only while the requester may follow the company's tickets (R2: a
    removed contact gets no more of its e-mails, copied or not)."""
    ticket = message.ticket
    if ticket.company_id is not None:
        contact = find_contact_by_email(ticket.requester_email) if ticket.requester_email else None
        if contact is None or contact.company_id != ticket.company_id:
            raise DeliveryFailed(
                _("Not sent: %(email)s is no longer an authorized contact of the company.")
                % {"email": ticket.requester_email or "?"},
                permanent=True,
            )
    return _send(
        ticket,
        "reply",
        {"message": message},
        message_id=message.message_id or "",
        cc=_copied(ticket),
        attachments=list(message.attachments.all()),
    )


def send_reminder(ticket: Ticket) -> str:
    """Remind the requester that the team's answer waits for them and the ticket closes after
    one more business day without a reply."""
    return _send(ticket, "reminder", {}, automatic="auto-generated")


def send_survey(ticket: Ticket) -> str:
    """Tell the requester the ticket was closed and ask how the service was: one signed link
    per score, each opening a page that records only when confirmed."""
    return _send(
        ticket,
        "closed",
        {"links": survey_links(ticket), "days": link_days()},
        automatic="auto-generated",
    )
