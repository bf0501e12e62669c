"""Text no database can store: NUL (PostgreSQL refuses it in text) and lone surrogates (not
encodable as UTF-8). Input carrying them is refused at the boundary, before any query."""

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_unstorable(value) -> bool:
    """Whether ``value`` — a string, or JSON made of dicts, lists and strings — holds any."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(is_unstorable(k) or is_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(is_unstorable(item) for item in value)
    return False
