"""The download of an attachment, the same for every page that may show it."""

from django.http import FileResponse, Http404

from balcao.core.errors import NotFound
from balcao.tickets.selectors import get_attachment


def attachment_download(viewer, pk: int) -> FileResponse:
    """The file as a download (Content-Disposition: attachment, never shown inline), or 404
    when ``viewer`` may not see its ticket."""
    try:
        item = get_attachment(viewer, pk)
    except NotFound:
        raise Http404 from None
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )
