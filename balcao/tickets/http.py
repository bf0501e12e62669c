"""The download and the preview of an attachment, the same for every page that may show it."""

from django.http import FileResponse, Http404

from balcao.core.errors import NotFound
from balcao.tickets.models import Attachment
from balcao.tickets.selectors import get_attachment

# What a browser may show in place: raster images and PDF. Never SVG or HTML (they run
# scripts); everything else is only ever a download.
PREVIEWABLE = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
)


def previewable(item: Attachment) -> bool:
    return item.content_type.lower() in PREVIEWABLE


def _found(viewer, pk: int) -> Attachment:
    try:
        item = get_attachment(viewer, pk)
    except NotFound:
        raise Http404 from None
    if item.purged_at is not None:  # the retention policy deleted the file
        raise Http404
    return item


def attachment_download(viewer, pk: int) -> FileResponse:
    """The file as a download (Content-Disposition: attachment, never shown inline), or 404
    when ``viewer`` may not see its ticket."""
    item = _found(viewer, pk)
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )
    response["Content-Security-Policy"] = SANDBOX
    return response


def attachment_preview(viewer, pk: int) -> FileResponse:
    """An image or a PDF shown in place (Content-Disposition: inline), in a sandbox: no
    script, no form, no access to the app's origin even if the file is not what it claims.
    Any other type is served as a download."""
    item = _found(viewer, pk)
    if not previewable(item):
        return attachment_download(viewer, pk)
    response = FileResponse(
        item.file.open("rb"), filename=item.name, content_type=item.content_type.lower()
    )
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
