"""Meta's webhook payload (``object: whatsapp_business_account``), read defensively into plain
values: whatever shape arrives, this never raises anything but ``BadPayload``."""

import json
import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext as _

MEDIA = ("image", "document", "audio", "video", "sticker")


class BadPayload(ValueError):
    pass


@dataclass(frozen=True)
class Media:
    id: str
    mime_type: str
    filename: str


@dataclass(frozen=True)
class Incoming:
    phone_number_id: str
    wamid: str
    wa_id: str
    name: str
    kind: str
    text: str
    sent_at: datetime | None
    context_id: str = ""
    media: Media | None = None


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str
    error: str = ""


@dataclass
class Payload:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _str(value, limit: int = 4096) -> str:
    return value[:limit] if isinstance(value, str) else ""


def digits(number: str) -> str:
    return "".join(c for c in number if c.isascii() and c.isdigit())[:20]


def _time(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _text(kind: str, message: dict) -> str:
    if kind == "text":
        return _str(_dict(message.get("text")).get("body"))
    if kind in MEDIA:
        return _str(_dict(message.get(kind)).get("caption"))
    if kind == "button":
        return _str(_dict(message.get("button")).get("text"))
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply")) or _dict(interactive.get("list_reply"))
        return _str(reply.get("title"))
    if kind == "reaction":
        return _str(_dict(message.get("reaction")).get("emoji"), 20)
    if kind == "location":
        location = _dict(message.get("location"))
        return " ".join(
            _str(location.get(k)) or str(location.get(k, ""))
            for k in ("name", "address", "latitude", "longitude")
            if location.get(k) not in (None, "")
        )[:4096]
    return ""


def _media(kind: str, message: dict) -> Media | None:
    if kind not in MEDIA:
        return None
    item = _dict(message.get(kind))
    media_id = _str(item.get("id"), 255)
    if not media_id:
        return None
    mime_type = _str(item.get("mime_type"), 255).split(";")[0].strip() or "application/octet-stream"
    extension = mimetypes.guess_extension(mime_type) or ""
    filename = (
        _str(item.get("filename"), 255) or f"whatsapp-{kind}-{digits(media_id)[-8:]}{extension}"
    )
    return Media(media_id, mime_type, filename)


def parse(raw: bytes) -> Payload:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as failure:
        raise BadPayload(_("The body is not JSON.")) from failure
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise BadPayload(_("Not a WhatsApp Business Account notification."))
    payload = Payload()
    for entry in _list(data.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            phone_number_id = _str(_dict(value.get("metadata")).get("phone_number_id"), 64)
            names = {
                digits(_str(c.get("wa_id"))): _str(_dict(c.get("profile")).get("name"), 200)
                for c in map(_dict, _list(value.get("contacts")))
            }
            for message in map(_dict, _list(value.get("messages"))):
                wamid, wa_id = _str(message.get("id"), 255), digits(_str(message.get("from")))
                if not (phone_number_id and wamid and wa_id):
                    continue
                kind = _str(message.get("type"), 20) or "unknown"
                payload.messages.append(
                    Incoming(
                        phone_number_id=phone_number_id,
                        wamid=wamid,
                        wa_id=wa_id,
                        name=names.get(wa_id, ""),
                        kind=kind,
                        text=_text(kind, message),
                        sent_at=_time(message.get("timestamp")),
                        context_id=_str(_dict(message.get("context")).get("id"), 255),
                        media=_media(kind, message),
                    )
                )
            for status in map(_dict, _list(value.get("statuses"))):
                wamid = _str(status.get("id"), 255)
                if not wamid:
                    continue
                errors = [_dict(e) for e in _list(status.get("errors"))]
                error = "; ".join(
                    " ".join(
                        filter(
                            None,
                            [
                                str(e.get("code", "")),
                                _str(e.get("title"), 300),
                                _str(_dict(e.get("error_data")).get("details"), 500),
                            ],
                        )
                    )
                    for e in errors
                )
                payload.statuses.append(StatusUpdate(wamid, _str(status.get("status"), 20), error))
    return payload
