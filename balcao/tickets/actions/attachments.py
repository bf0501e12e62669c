"""Files: the limits on uploads, storing them with their message, and files a channel fetches
after the message was filed (or could not fetch)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from balcao.core.errors import ActionRefused
from balcao.core.filenames import is_executable, normalize_filename
from balcao.events.actions import attachment_failed_event
from balcao.tickets.actions.common import _locked, _save
from balcao.tickets.models import Attachment, Message


@dataclass(frozen=True)
class NewAttachment:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""  # an e-mail part's Content-ID, without the angle brackets


def check_upload(attachment: NewAttachment) -> None:
    """Size and type limits for files people upload (mail is kept whole, raw, regardless)."""
    if len(attachment.content) > settings.ATTACHMENT_MAX_BYTES:
        raise ActionRefused(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": attachment.name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if is_executable(attachment.name):
        raise ActionRefused(
            _("%(name)s is a type of file we do not accept (programs and scripts).")
            % {"name": attachment.name}
        )


def _store_attachments(message: Message, attachments: Sequence[NewAttachment]) -> None:
    for item in attachments:
        digest = hashlib.sha256(item.content).hexdigest()
        attachment = Attachment(
            message=message,
            name=normalize_filename(item.name) or "attachment",
            sha256=digest,
            content_type=item.content_type[:255] or "application/octet-stream",
            size=len(item.content),
            inline=item.inline,
            content_id=item.content_id[:255],
        )
        attachment.file.save(digest, ContentFile(item.content), save=False)
        attachment.save()


@transaction.atomic
def do_attach_files(message: Message, attachments: Sequence[NewAttachment]) -> None:
    """Files that reach a message after it was filed (a channel fetching them later)."""
    ticket = _locked(message.ticket)
    _store_attachments(message, attachments)
    _save(ticket)


@transaction.atomic
def do_record_attachment_failure(message: Message, *, name: str, error: str) -> None:
    """A file the customer sent with ``message`` could not be fetched: staff see why."""
    ticket = _locked(message.ticket)
    attachment_failed_event(message=message, name=name, error=error)
    _save(ticket)
