"""The WhatsApp Business Cloud API (Meta's Graph API), the calls Balcão makes: send a text, a
template or a media message, upload a file, and download a media file a customer sent. Plain
HTTPS with a bearer token."""

import json
import secrets
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings

TIMEOUT = 15


class GraphError(Exception):
    """A failed call; ``permanent`` when repeating it cannot help (a 4xx other than 429)."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


def _call(
    method: str,
    url: str,
    body: dict | None = None,
    limit: int = 1024 * 1024,
    *,
    data: bytes | None = None,
    content_type: str = "application/json",
) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise GraphError(f"not an HTTP URL: {url[:100]}", permanent=True)
    request = urllib.request.Request(  # noqa: S310 (HTTP(S) only, checked above)
        url,
        data=json.dumps(body).encode() if body is not None else data,
        method=method,
        headers={
            "Authorization": f"Bearer {settings.WHATSAPP_TOKEN}",
            "Content-Type": content_type,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            content = response.read(limit + 1)
    except urllib.error.HTTPError as failure:
        try:
            error = json.loads(failure.read(64 * 1024))["error"]
            message, code = str(error.get("message", "")), error.get("code")
        except (ValueError, KeyError, TypeError, AttributeError):
            message, code = "", None
        raise GraphError(
            f"HTTP {failure.code}: {message or failure.reason}",
            permanent=400 <= failure.code < 500 and failure.code != 429,
            code=code if isinstance(code, int) else None,
        ) from failure
    except (OSError, ValueError) as failure:
        raise GraphError(str(failure) or type(failure).__name__) from failure
    if len(content) > limit:
        raise GraphError(f"response larger than {limit} bytes", permanent=True)
    return content


def _json(content: bytes) -> dict:
    try:
        data = json.loads(content)
    except ValueError as failure:
        raise GraphError("the response is not JSON") from failure
    if not isinstance(data, dict):
        raise GraphError("the response is not a JSON object")
    return data


def _send(phone_number_id: str, to: str, kind: str, content: dict, reply_to: str = "") -> str:
    """POST a message of ``kind`` to /PHONE_NUMBER_ID/messages; returns its ``wamid``."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }
    if reply_to:
        body["context"] = {"message_id": reply_to}
    data = _json(_call("POST", f"{settings.WHATSAPP_API_URL}/{phone_number_id}/messages", body))
    try:
        return str(data["messages"][0]["id"])
    except (KeyError, IndexError, TypeError) as failure:
        raise GraphError("the response has no message id") from failure


def send_text(phone_number_id: str, to: str, text: str, reply_to: str = "") -> str:
    """Send a text message; returns its WhatsApp message id (``wamid``)."""
    return _send(phone_number_id, to, "text", {"preview_url": False, "body": text[:4096]}, reply_to)


def send_template(
    phone_number_id: str, to: str, name: str, language: str, values: list[str]
) -> str:
    """Send an approved template, its body's {{1}}, {{2}}… filled with ``values`` in order."""
    content: dict[str, Any] = {"name": name, "language": {"code": language}}
    if values:
        content["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        ]
    return _send(phone_number_id, to, "template", content)


# What WhatsApp plays or shows inline; any other file goes as a document, with its name.
MEDIA_KINDS = {
    "image/jpeg": "image",
    "image/png": "image",
    "video/mp4": "video",
    "video/3gpp": "video",
    "audio/aac": "audio",
    "audio/amr": "audio",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/ogg": "audio",
}


def media_kind(mime_type: str) -> str:
    return MEDIA_KINDS.get(mime_type.split(";")[0].strip().lower(), "document")


def upload_media(phone_number_id: str, name: str, mime_type: str, content: bytes) -> str:
    """Upload a file to /PHONE_NUMBER_ID/media (multipart form); returns its media id."""
    boundary = secrets.token_hex(16)
    safe_name = name.replace('"', "").replace("\r", "").replace("\n", "")
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\n'
        "whatsapp\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\n'
        f"{mime_type}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"'
        f"\r\nContent-Type: {mime_type}\r\n\r\n".encode(),
        content,
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    data = _json(
        _call(
            "POST",
            f"{settings.WHATSAPP_API_URL}/{phone_number_id}/media",
            data=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    )
    if not isinstance(data.get("id"), str):
        raise GraphError("the upload's response has no media id")
    return data["id"]


def send_media(
    phone_number_id: str, to: str, media_id: str, mime_type: str, name: str, caption: str = ""
) -> str:
    """Send an uploaded file by its id: an image, video or audio as such, anything else as a
    document with its file name; audio takes no caption."""
    kind = media_kind(mime_type)
    content: dict[str, Any] = {"id": media_id}
    if kind == "document":
        content["filename"] = name
    if caption and kind != "audio":
        content["caption"] = caption[:1024]
    return _send(phone_number_id, to, kind, content)


def download_media(media_id: str, phone_number_id: str) -> tuple[bytes, str]:
    """A media file's bytes and MIME type: its URL first (only if the media was sent to that
    number of ours), then the file; both with the token. Larger than ATTACHMENT_MAX_BYTES is
    refused for good — before downloading when Meta gives the size."""
    query = urlencode({"phone_number_id": phone_number_id})
    data = _json(_call("GET", f"{settings.WHATSAPP_API_URL}/{quote(media_id, safe='')}?{query}"))
    url = data.get("url")
    if not isinstance(url, str):
        raise GraphError("the media has no URL", permanent=True)
    limit = settings.ATTACHMENT_MAX_BYTES
    size = data.get("file_size")
    if isinstance(size, int) and size > limit:
        raise GraphError(f"the file has {size} bytes, more than {limit}", permanent=True)
    content = _call("GET", url, limit=limit)
    return content, str(data.get("mime_type") or "application/octet-stream")
