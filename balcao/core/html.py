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


# How deep elements may nest in HTML from outside before their tags are dropped (their text
# kept): an HTML parser (html5ever, under nh3) spends time on each element in proportion to
# the elements open around it, so 5,000 nested blockquotes cost 160 ms a pass and 50,000 would
# cost seconds; no mail client nests anything near this deep.
MAX_DEPTH = 400
# elements that never nest (void) or whose end tag is implied by the next one: not counted
UNNESTED = [
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "p",
    "li",
    "dt",
    "dd",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "option",
    "optgroup",
    "colgroup",
    "caption",
    "rb",
    "rt",
    "rp",
]
_UNNESTED = "|".join(UNNESTED)
# a start or end tag of an element that nests (not self-closed), never read past the next "<"
NESTING = re.compile(rf"<(/?)(?!(?:{_UNNESTED})\b)[a-z][a-z0-9]*\b[^<>]*(?<!/)>", re.IGNORECASE)


# What bounds the depth from above, at half NESTING's cost: every start tag opens (the void and
# optional-end ones too), only a nesting element's end tag closes
DEPTH_BOUND = re.compile(
    rf"<(?:(/)(?!(?:{_UNNESTED})\b)[a-z][a-z0-9]*\b[^<>]*|[a-z][^<>]*(?<!/))>",
    re.IGNORECASE,
)


def shallow(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``limit`` dropped, their text
    kept: one pass of a regular expression, and a second only when something may be too deep."""
    if html.count("<") <= limit:
        return html
    depth = 0
    for closing in DEPTH_BOUND.findall(html):
        if not closing:
            depth += 1
            if depth > limit:
                break
        elif depth:
            depth -= 1
    else:
        return html
    depth, kept, start = 0, [], 0
    for match in NESTING.finditer(html):
        if match.group(1):
            deep, depth = depth > limit, max(depth - 1, 0)
        else:
            depth += 1
            deep = depth > limit
        if deep:
            kept.append(html[start : match.start()])
            start = match.end()
    return "".join(kept) + html[start:]


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
