"""What Balcão sends by WhatsApp: the team's public replies on WhatsApp tickets and the
automatic answers of the funnel — the channel's deliveries, registered in
tickets/delivery.py (apps.py), run after commit, retried and recorded by the ticket tasks.

WhatsApp lets a business write freely only within 24 hours of the customer's last message;
after that only approved templates may be sent: a reply the agent sent as a template
(``TemplateReply``) leaves as one, any other is recorded as not delivered. A reply's files
follow its text as media messages, each uploaded first; a retry skips what already left.
"""

import re
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from balcao.connectors.whatsapp.actions import do_record_sent
from balcao.connectors.whatsapp.graph import (
    GraphError,
    media_kind,
    send_media,
    send_template,
    send_text,
    upload_media,
)
from balcao.connectors.whatsapp.models import TemplateReply, WhatsAppMessage
from balcao.connectors.whatsapp.selectors import WINDOW
from balcao.sla.selectors import company_channels
from balcao.tickets.delivery import DeliveryFailed
from balcao.tickets.models import Message, Receipt

OUTSIDE_WINDOW = 131047  # Graph API error: more than 24 hours since the customer's last message


def _outside_window() -> str:
    return _(
        "Not sent: outside WhatsApp's 24-hour window (the customer's last message is older);"
        " answer by e-mail."
    )


def _graph(call: Callable[[], str]) -> str:
    try:
        return call()
    except GraphError as error:
        reason = _outside_window() if error.code == OUTSIDE_WINDOW else str(error)
        raise DeliveryFailed(reason, permanent=error.permanent) from error


def _send(phone_number_id: str, wa_id: str, text: str, context_id: str = "") -> str:
    return _graph(lambda: send_text(phone_number_id, wa_id, text, context_id))


MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def _pieces(message: Message) -> list[tuple[str, Callable[[str, str], str]]]:
    """What a reply is made of on WhatsApp, in order: its text (or its template), then each
    file; each a kind and a function sending it from a number to a customer."""
    pieces: list[tuple[str, Callable[[str, str], str]]] = []
    template = TemplateReply.objects.select_related("template").filter(message=message).first()
    if template is not None:
        name, language = template.template.name, template.template.language
        values = [str(v) for v in template.values]
        return [("template", lambda phone, to: send_template(phone, to, name, language, values))]
    if message.body_text.strip():
        pieces.append(("text", lambda phone, to: send_text(phone, to, message.body_text)))
    for attachment in message.attachments.order_by("id"):
        mime = attachment.content_type if MIME.match(attachment.content_type) else ""
        mime = mime or "application/octet-stream"

        def send(phone: str, to: str, attachment=attachment, mime=mime) -> str:
            with attachment.file.open("rb") as handle:
                media_id = upload_media(phone, attachment.name, mime, handle.read())
            return send_media(phone, to, media_id, mime, attachment.name)

        pieces.append((media_kind(mime), send))
    return pieces


def send_reply(message: Message) -> str:
    """Send one public reply to the number of the ticket's conversation: the pieces that have
    not left yet (a retry after a partial failure sends only the rest); returns the id of the
    first piece."""
    last = (
        WhatsAppMessage.objects.select_related("business_number")
        .filter(ticket=message.ticket, direction=WhatsAppMessage.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )
    with translation.override(settings.LANGUAGE_CODE):
        if last is None:
            raise DeliveryFailed(
                _("Not sent: no WhatsApp conversation on this ticket."), permanent=True
            )
        pieces = _pieces(message)
        closed = last.created_at < timezone.now() - WINDOW
        if closed and pieces and pieces[0][0] != "template":
            raise DeliveryFailed(_outside_window(), permanent=True)
        sent = [
            wamid or ""
            for wamid in WhatsAppMessage.objects.filter(
                message=message, direction=WhatsAppMessage.Direction.OUTBOUND
            )
            .order_by("id")
            .values_list("wamid", flat=True)
        ]
        phone, to = last.business_number.phone_number_id, last.wa_id
        for kind, send in pieces[len(sent) :]:
            wamid = _graph(partial(send, phone, to))
            do_record_sent(
                number=last.business_number,
                wa_id=last.wa_id,
                text=message.body_text if kind in ("text", "template") else "",
                wamid=wamid,
                ticket=message.ticket,
                message=message,
                kind=kind,
            )
            sent.append(wamid)
    return sent[0] if sent else ""


def _answer_text(receipt: Receipt, row: WhatsAppMessage) -> str:
    number = row.business_number
    ticket = receipt.ticket
    context = {
        "channel": number.get_channel_display(),
        "url": f"{settings.SITE_URL}/cliente/",
        "number": ticket.number if ticket else "",
        "department": ticket.department.localized("name") if ticket else "",
    }
    if receipt.answer == Receipt.Answer.UNLINKED:
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
    if receipt.answer == Receipt.Answer.REFUSED:
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


ANSWERS = frozenset({Receipt.Answer.UNLINKED, Receipt.Answer.REFUSED, Receipt.Answer.CLOSED})


def send_answer(receipt: Receipt) -> str:
    """The one automatic answer the funnel allowed for an inbound message, in reply to it."""
    row = WhatsAppMessage.objects.select_related("business_number").get(wamid=receipt.external_id)
    with translation.override(settings.LANGUAGE_CODE):
        text = _answer_text(receipt, row)
        wamid = _send(row.business_number.phone_number_id, row.wa_id, text, row.wamid or "")
    do_record_sent(
        number=row.business_number, wa_id=row.wa_id, text=text, wamid=wamid, ticket=receipt.ticket
    )
    return wamid
