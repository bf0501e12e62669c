"""The original of an e-mail, one click from the ticket (staff only; 404 for anyone else)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from balcao.connectors.email.selectors import get_original
from balcao.core.errors import NotFound

SHOWN_BYTES = 256 * 1024


def _original(request, message_id: int):
    try:
        return get_original(request.user, message_id)
    except NotFound as missing:
        raise Http404(str(missing)) from missing


def original(request, message_id: int):
    """How the e-mail arrived and why it landed where it did, with its source."""
    mail = _original(request, message_id)
    raw = bytes(mail.raw)
    context = {
        "mail": mail,
        "source": raw[:SHOWN_BYTES].decode("utf-8", "replace"),
        "truncated": len(raw) > SHOWN_BYTES,
    }
    return render(request, "email/original.html", context)


def download(request, message_id: int):
    """The raw message, byte for byte, as a .eml file."""
    mail = _original(request, message_id)
    if mail.purged_at is not None:
        raise Http404("The original was purged by the retention policy.")
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = (
        f'attachment; filename="ticket-{mail.ticket.number}-{message_id}.eml"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
