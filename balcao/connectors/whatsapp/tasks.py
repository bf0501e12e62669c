"""Files customers send by WhatsApp, fetched after the webhook has answered Meta: GET /MEDIA_ID
gives a short-lived URL, fetched with the same bearer token; retried with the tickets' backoff,
and a last failure is shown to staff on the ticket."""

import logging

from django.utils import timezone
from django_tasks import task

from balcao.tickets.delivery import MAX_ATTEMPTS, retry_delay

log = logging.getLogger(__name__)


@task()
def download_media_task(media_id: int) -> None:
    from balcao.connectors.whatsapp.actions import do_fail_media, do_retry_media, do_store_media
    from balcao.connectors.whatsapp.graph import GraphError, download_media
    from balcao.connectors.whatsapp.models import InboundMedia
    from balcao.core.errors import ActionRefused
    from balcao.tickets.actions import NewAttachment, check_upload

    media = (
        InboundMedia.objects.select_related("whatsapp_message__business_number")
        .filter(pk=media_id, state=InboundMedia.State.PENDING)
        .first()
    )
    if media is None:
        return
    number = media.whatsapp_message.business_number
    try:
        content, mime_type = download_media(media.media_id, number.phone_number_id)
        attachment = NewAttachment(media.filename, mime_type or media.mime_type, content)
        check_upload(attachment)
    except ActionRefused as refused:
        do_fail_media(media, refused.message)
    except GraphError as error:
        log.warning("WhatsApp media %s: %s", media.media_id, error)
        if error.permanent or media.attempts + 1 >= MAX_ATTEMPTS:
            do_fail_media(media, str(error))
        else:
            attempts = do_retry_media(media, str(error))
            download_media_task.using(run_after=timezone.now() + retry_delay(attempts)).enqueue(
                media_id
            )
    else:
        do_store_media(media, attachment)
