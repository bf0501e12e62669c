"""Attachments on the pages: previews of images and PDFs, and an e-mail's inline (``cid:``)
images shown in place. Both read the attachments the history read with the message: no query."""

import re

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from balcao.tickets.http import previewable as _previewable

register = template.Library()

CID = re.compile(r"""(src=["'])cid:([^"'>\s]+)(["'])""", re.IGNORECASE)


@register.filter
def previewable(item) -> bool:
    return _previewable(item)


@register.filter
def is_image(item) -> bool:
    return _previewable(item) and item.content_type.lower().startswith("image/")


@register.simple_tag
def message_html(entry, preview_url: str):
    """The (sanitised) HTML of a history entry's message, its ``cid:`` images pointing to their
    preview (the entry's files)."""
    message = entry.message
    found = {a.content_id: a for a in entry.files if a.content_id}

    def replace(match):
        item = found.get(match.group(2))
        if item is None or not _previewable(item):
            return f"{match.group(1)}{match.group(3)}"
        return f"{match.group(1)}{reverse(preview_url, args=[item.pk])}{match.group(3)}"

    return mark_safe(CID.sub(replace, message.body_html))  # noqa: S308 - sanitised on the way in
