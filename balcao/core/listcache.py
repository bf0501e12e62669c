"""What a ticket list showed a viewer, kept in the shared cache under their list token, so that
the same list seen again unchanged is neither queried nor rendered again.

One cache entry per viewer and area (console, client area, API) holds the last KEPT_VIEWS
lists they saw, each under what its output depends on — their role (what they may see), the
active language and time zone, and the query string (filters, sort, page; not htmx's ``v``,
which only says which token the browser holds) — and with the list token it was made under
(``tickets.selectors.list_version``, which moves after every committed change to a ticket
they may list, and when what they see changes). A list is shown again only under the same
token, so a change shows at once; another viewer reads another entry. A list made again after
a change may take pieces of the viewer's earlier lists (``earlier``: the console's rows of
tickets whose ``updated_at`` did not move). One entry per viewer, not one per list and token:
the embedded cache is a table that drops expired rows only when it is full, and the login
throttles live in it too.

A name the lists show changed — a company's (or its plan), a plan's, a department's, a staff
member's, a tag's; and what the console's ticket page keeps under it: a company's add-ons, an
add-on's name, its contacts — calls ``names_changed`` in its transaction: every token's first part
(``names_version``) moves with the commit, and a list is made again from pieces of earlier
lists only under the same first part. What moves with time alone (an SLA badge turning "at
risk" or "breached") is kept no later than that instant (``until``); what must show at once
although neither follows it (an erasure) calls ``forget_lists``, which has every list made
afresh.

A ticket page's history is kept the same way (``kept``), under the ticket's version
(``tickets.selectors.ticket_version``, which the generation is part of) and its viewer's
visibility, not their identity: every agent sees the same history, every contact of the
company the same public part of it. The whole ticket page is kept too, per viewer
(``kept_page``): under every value its rows were read with (``row_state``) and what the time
makes of them, with the parts that differ between requests (the CSRF token) spliced in."""

import functools
import hashlib
import time
import uuid
from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import F, Subquery
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import conditional_escape

from balcao.core.models import Counter

LIST_SECONDS = 60
KEPT_VIEWS = 4
GENERATION = "lists:generation"
NAMES = "list-names"  # the Counter that names_changed moves


def names_changed() -> None:
    """A name the kept lists show changed (see above): every list token moves when the
    caller's transaction commits (one UPDATE; the row is made, at 1, the first time)."""
    if not Counter.objects.filter(name=NAMES).update(value=F("value") + 1):
        Counter.objects.get_or_create(name=NAMES, defaults={"value": 1})


def names_version() -> Subquery:
    """How often the names the lists show changed, for the token's query (None before the
    first change)."""
    return Subquery(Counter.objects.filter(name=NAMES).values("value")[:1])


def forget_lists() -> None:
    """Every viewer's kept lists are made afresh, their rows too, and the ticket pages'
    histories: for a change that must show at once and that neither the list tokens nor the
    rows' ``updated_at`` follow (an erasure rewrites names on tickets and people). Call it
    after the change commits."""
    cache.set(GENERATION, uuid.uuid4().hex, None)


def generation() -> str:
    """Moves each time ``forget_lists`` is called."""
    return cache.get(GENERATION) or ""


def kept(what: Hashable, make: Callable[[], Any]) -> Any:
    """What ``make()`` returns (rendered HTML, plain data; never None), kept at most
    LIST_SECONDS under ``what`` (which names all it depends on but the language and time
    zone, added here): made again when ``what`` moves."""
    where = (translation.get_language(), timezone.get_current_timezone_name())
    material = repr((what, where)).encode()
    key = f"kept:{hashlib.blake2b(material, digest_size=16).hexdigest()}"
    shown = cache.get(key)
    if shown is None:
        shown = make()
        cache.set(key, shown, LIST_SECONDS)
    return shown


def row_state(instance: Any, _within: tuple[int, ...] = ()) -> tuple[Any, ...]:
    """Every value ``instance`` (a model instance, or request.user's lazy one) was read with —
    its fields, its annotations — and the same of each row read with it (``select_related``;
    not again the row it was read from, which a reverse one-to-one points back to): what a
    page made from them depends on."""
    fields = instance._meta.concrete_fields
    names = {field.attname for field in fields}
    values: list[Any] = [getattr(instance, field.attname) for field in fields]
    # annotations (a lazy request.user's own attributes are its wrapper's, private: skipped)
    values += [
        (name, value)
        for name, value in vars(instance).items()
        if name not in names and not name.startswith("_")
    ]
    within = (*_within, id(instance))
    values += [
        (name, None if related is None else row_state(related, within))
        for name, related in instance._state.fields_cache.items()
        if id(related) not in within
    ]
    return tuple(values)


# What stands, in a kept page, for a part made for each request (ASCII that HTML escaping and
# URL quoting leave alone): this prefix and the part's name.
STAND_IN = "kept-8d3f61c2-"


def kept_page(
    request: HttpRequest,
    what: Hashable,
    make: Callable[[Mapping[str, str]], str],
    per_request: Mapping[str, Callable[[], str]] | None = None,
) -> HttpResponse:
    """The page ``make(parts)`` renders, kept at most LIST_SECONDS for this viewer (the whole
    ``row_state`` of ``request.user``) under ``what`` — which names all the page is made from:
    the ``row_state`` of the rows read for it, what the time makes of them (an SLA clock's
    state) — and the language, time zone, path and ``forget_lists``' generation: asked again
    unchanged, it is not rendered again. ``parts``: what differs between requests, by name —
    ``csrf_token``, and ``per_request``'s (name -> how to make it); a kept page is made with
    stand-ins, replaced with this request's parts each time it is served. A request with a
    query string, or with messages to show (once), is rendered and not kept."""
    per_request = {"csrf_token": lambda: get_token(request), **(per_request or {})}
    if request.GET or len(get_messages(request)):
        return HttpResponse(make({name: part() for name, part in per_request.items()}))
    where = (translation.get_language(), timezone.get_current_timezone_name(), request.path)
    material = repr((what, row_state(request.user), where)).encode()
    key = f"page:{hashlib.blake2b(material, digest_size=16).hexdigest()}"
    found = cache.get_many([key, GENERATION])
    entry = found.get(key)
    if isinstance(entry, tuple) and entry[0] == found.get(GENERATION):
        page = entry[1]
    else:
        stand_ins = {name: f"{STAND_IN}{name}" for name in per_request}
        page = make(stand_ins).encode()
        cache.set(key, (found.get(GENERATION), page), LIST_SECONDS)
    for name, part in per_request.items():
        page = page.replace(f"{STAND_IN}{name}".encode(), part().encode())
    return HttpResponse(page)


class ListCache:
    """The lists ``viewer`` saw in ``area`` under the token ``version``: ``shown()`` what was
    kept for this request, ``keep(shown, until)`` what was made for it."""

    def __init__(
        self,
        area: str,
        request: HttpRequest,
        viewer: Any,
        version: str,
        *,
        ignored: tuple[str, ...] = ("v",),
    ) -> None:
        """``ignored``: the query string's parameters the output does not depend on."""
        query = sorted(
            (name, value)
            for name, values in request.GET.lists()
            if name not in ignored
            for value in values
        )
        self.where = (translation.get_language(), timezone.get_current_timezone_name())
        material = repr((viewer.pk, viewer.role, self.where, query))
        self.view = hashlib.blake2b(material.encode(), digest_size=16).hexdigest()
        self.key = f"lists:{area}:{viewer.pk}"
        self.version = version
        # view -> (token, expiry, language and zone, what it showed)
        self.views: dict[str, tuple[str, float, tuple[str, str], Any]] = {}
        self.generation: str | None = None  # forget_lists moves it

    def shown(self, found: dict[str, Any] | None = None) -> Any:
        """What this list showed under the same token, None if nothing (or no longer true).
        ``found``: what the cache holds, when read with other lists' (``shown_together``)."""
        if found is None:
            found = cache.get_many([self.key, GENERATION])
        self.generation = found.get(GENERATION)
        entry = found.get(self.key)
        if not isinstance(entry, dict) or entry.get(GENERATION) != self.generation:
            return None
        now = time.time()
        self.views = {
            view: kept for view, kept in entry.items() if view != GENERATION and kept[1] > now
        }
        kept = self.views.get(self.view)
        return kept[3] if kept is not None and kept[0] == self.version else None

    def earlier(self, part: str) -> list[Any]:
        """The ``part`` of what the viewer's other lists showed (after ``shown()``), in the
        same language and time zone, under a token whatever its changes but the same first
        part ("seen-moved": what the viewer sees, and the names shown): what a list made again
        may reuse, each piece once the caller checked it is still true."""
        seen = self.version.partition("-")[0]
        return [
            kept[3][part]
            for kept in self.views.values()
            if kept[2] == self.where
            and kept[0].partition("-")[0] == seen
            and isinstance(kept[3], dict)
            and part in kept[3]
        ]

    def keep(self, shown: Any, until: datetime | None = None) -> None:
        """Keep ``shown`` (rendered HTML or plain data) until ``until`` at the latest, with
        the viewer's other lists still kept (the most recent first; only those under this
        token are shown again, the others lend pieces: ``earlier``)."""
        cache.set(self.key, self.entry(shown, until), LIST_SECONDS)

    def entry(self, shown: Any, until: datetime | None = None) -> dict[str, Any]:
        """What ``keep`` writes in the cache."""
        expiry = time.time() + LIST_SECONDS
        if until is not None:
            expiry = min(expiry, until.timestamp())
        views: dict[str, Any] = {self.view: (self.version, expiry, self.where, shown)}
        for view, kept in self.views.items():
            if len(views) < KEPT_VIEWS and view not in views:
                views[view] = kept
        views[GENERATION] = self.generation
        return views


def shown_together(*lists: ListCache) -> list[Any]:
    """``shown()`` of each of ``lists``, read from the cache in one round trip."""
    found = cache.get_many([*(kept.key for kept in lists), GENERATION])
    return [kept.shown(found) for kept in lists]


def keep_together(*lists: tuple[ListCache, Any, datetime | None]) -> None:
    """``keep()`` of each ``(list, shown, until)``, written to the cache in one round trip."""
    entries = {kept.key: kept.entry(shown, until) for kept, shown, until in lists}
    cache.set_many(entries, LIST_SECONDS)


def time_tag(value: datetime) -> str:
    """``<time>`` of an instant in the active time zone and language, as a list's templates
    wrote it (``|date:'c'`` and ``|date:"SHORT_DATETIME_FORMAT"``): for the rows that lists
    write in Python. The format is split once per language (Django's formatter splits it for
    every value, through lazily compiled patterns: 58 µs a row, most of a new row's cost)."""
    local = timezone.localtime(value)  # aware, as every instant a list shows
    stamp = local.isoformat()  # what the "c" format gives, without the formatter
    formatter = dateformat.DateFormat(local)
    shown = "".join(
        str(getattr(formatter, piece)()) if specifier else piece
        for piece, specifier in _pieces(str(formats.get_format("SHORT_DATETIME_FORMAT")))
    )
    return f'<time datetime="{stamp}">{conditional_escape(shown)}</time>'


@functools.lru_cache(maxsize=64)
def _pieces(format_string: str) -> tuple[tuple[str, bool], ...]:
    """``format_string`` in pieces as ``dateformat.Formatter.format`` reads it: each a
    specifier (True: the formatter's method of that name) or literal text, unescaped."""
    return tuple(
        (piece, True) if odd else (dateformat.re_escaped.sub(r"\1", piece), False)
        for odd, piece in (
            (i % 2 == 1, piece)
            for i, piece in enumerate(dateformat.re_formatchars.split(format_string))
        )
        if piece
    )
