"""HTML that came from outside is sanitised once, on the way in."""

import re
from html import escape, unescape
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


IMG = re.compile(r'<img((?:\s+[a-z-]+="[^"]*")*)\s*/?>')
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def _without_remote_image(match: re.Match) -> str:
    """A remote image becomes a link to it (its alt text, or its file name): nothing is
    fetched until someone clicks. A tracking pixel (1×1) or an image without a name vanishes;
    ``cid:`` images (parts of the message) stay."""
    attributes = dict(ATTRIBUTE.findall(match.group(1)))
    src = unescape(attributes.get("src", ""))
    if src.lower().startswith("cid:"):
        return match.group(0)
    if not src or attributes.get("width") in {"0", "1"} or attributes.get("height") in {"0", "1"}:
        return ""
    label = unescape(attributes.get("alt", "")).strip()
    label = label or urlsplit(src).path.rstrip("/").rpartition("/")[2]
    if not label:
        return ""
    return f'<a href="{escape(src)}" rel="noopener noreferrer nofollow">[{escape(label)}]</a>'


def sanitize_html(html: str, *, remote_images: bool = True) -> str:
    """Keep formatting, drop scripts, styles, event handlers and remote-tracking schemes;
    with ``remote_images=False`` (mail from outside) remote images become links."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return clean if remote_images else IMG.sub(_without_remote_image, clean)
