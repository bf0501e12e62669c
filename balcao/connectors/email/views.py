"""The original of an e-mail, one click from the ticket (staff only; 404 for anyone else)."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
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
    shown = b""
    if mail.raw:
        with default_storage.open(mail.raw.name, "rb") as source:
            shown = source.read(SHOWN_BYTES + 1)
    context = {
        "mail": mail,
        "source": shown[:SHOWN_BYTES].decode("utf-8", "replace"),
        "truncated": len(shown) > SHOWN_BYTES,
    }
    return render(request, "email/original.html", context)


def download(request, message_id: int):
    """The raw message, byte for byte, as a .eml file."""
    mail = _original(request, message_id)
    if mail.purged_at is not None or not mail.raw:
        raise Http404("The original was purged by the retention policy or erased.")
    response = FileResponse(
        default_storage.open(mail.raw.name, "rb"),
        content_type="message/rfc822",
        as_attachment=True,
        filename=f"ticket-{mail.ticket.number}-{message_id}.eml",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
