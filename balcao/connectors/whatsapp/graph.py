"""The WhatsApp Business Cloud API (Meta's Graph API), the two calls Balcão makes: send a text
message, and download a media file a customer sent. Plain HTTPS with a bearer token."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

from django.conf import settings

TIMEOUT = 15


class GraphError(Exception):
    """A failed call; ``permanent`` when repeating it cannot help (a 4xx other than 429)."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


def _call(method: str, url: str, body: dict | None = None, limit: int = 1024 * 1024) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise GraphError(f"not an HTTP URL: {url[:100]}", permanent=True)
    request = urllib.request.Request(  # noqa: S310 (HTTP(S) only, checked above)
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={
            "Authorization": f"Bearer {settings.WHATSAPP_TOKEN}",
            "Content-Type": "application/json",
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


def send_text(phone_number_id: str, to: str, text: str, reply_to: str = "") -> str:
    """Send a text message; returns its WhatsApp message id (``wamid``)."""
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text[:4096]},
    }
    if reply_to:
        body["context"] = {"message_id": reply_to}
    data = _json(_call("POST", f"{settings.WHATSAPP_API_URL}/{phone_number_id}/messages", body))
    try:
        return str(data["messages"][0]["id"])
    except (KeyError, IndexError, TypeError) as failure:
        raise GraphError("the response has no message id") from failure


def download_media(media_id: str, phone_number_id: str) -> tuple[bytes, str]:
    """A media file's bytes and MIME type: its URL first (only if the media was sent to that
    number of ours), then the file; both with the token."""
    query = urlencode({"phone_number_id": phone_number_id})
    data = _json(_call("GET", f"{settings.WHATSAPP_API_URL}/{quote(media_id, safe='')}?{query}"))
    url = data.get("url")
    if not isinstance(url, str):
        raise GraphError("the media has no URL", permanent=True)
    content = _call("GET", url, limit=settings.ATTACHMENT_MAX_BYTES)
    return content, str(data.get("mime_type") or "application/octet-stream")
