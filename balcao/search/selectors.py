"""Full-text reads, the same on both databases: the words come from one normaliser
(search/text.py); PostgreSQL matches them in GIN-indexed tsvectors, SQLite in FTS5. The
callers hand in a queryset already narrowed to what the viewer may see (``visible_tickets``,
``visible_articles``): these only narrow it further, rank it and quote it."""

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from balcao.kb.models import Article
from balcao.search.text import WORD, fold, hint_words, query_words, stem
from balcao.tickets.models import Message, Ticket


def _as_typed(term: str) -> bool:
    """The last word of a query matches as a prefix (it may be half typed); a number does not:
    "#1500" is ticket 1500, not 15001."""
    return not term.isdigit()


def _postgres_query(terms: list[str], any_word: bool) -> SearchQuery:
    last = f"{terms[-1]}:*" if _as_typed(terms[-1]) else terms[-1]
    joined = (" | " if any_word else " & ").join(terms[:-1] + [last])
    return SearchQuery(joined, search_type="raw", config="simple")


def _fts_query(terms: list[str], any_word: bool, column: str = "") -> str:
    quoted = [f'"{t}"' for t in terms]
    if _as_typed(terms[-1]):
        quoted[-1] += "*"
    joined = f"({(' OR ' if any_word else ' AND ').join(quoted)})"
    return f"{{{column}}} : {joined}" if column else joined


def _match(
    items: QuerySet[Any], terms: list[str], *, vector: str, fts: str, column: str, any_word: bool
) -> QuerySet[Any]:
    """``items`` that match, annotated with ``rank`` (higher is better)."""
    if connection.vendor == "postgresql":
        query = _postgres_query(terms, any_word)
        ranked: QuerySet[Any] = items.filter(**{vector: query}).annotate(
            # Divided by the logarithm of the length, as bm25 weighs length on SQLite: a text about
            # the words beats a longer one that mentions them in passing.
            rank=SearchRank(F(vector), query, normalization=Value(1))
        )
        return ranked
    table = items.model._meta.db_table
    # The table names are constants; the user's words are a parameter of MATCH.
    matched: QuerySet[Any] = items.extra(  # noqa: S610
        tables=[fts],
        where=[f"{fts}.rowid = {table}.id", f"{fts} MATCH %s"],
        params=[_fts_query(terms, any_word, column)],
        select={"rank": f"-bm25({fts})"},
    )
    return matched


def match_tickets(tickets: QuerySet[Ticket], q: str, *, staff: bool) -> QuerySet[Ticket]:
    """``tickets`` that have every word of ``q`` (the last one as a prefix, as typed), best
    first. Staff also match internal notes; customers never do."""
    terms = query_words(q.replace("#", " "))
    if not terms:
        return tickets
    return _match(
        tickets,
        terms,
        vector="search__staff_vector" if staff else "search__public_vector",
        fts="search_ticket_fts",
        column="" if staff else "public_text",
        any_word=False,
    ).order_by("-rank", "-updated_at", "-id")


def match_articles(
    articles: QuerySet[Article], q: str, *, any_word: bool = False
) -> QuerySet[Article]:
    """``articles`` that have every word of ``q``, best first; with ``any_word`` (suggestions
    while writing) any of its meaningful words."""
    terms = hint_words(q) if any_word else query_words(q)
    if not terms:
        return articles.none() if any_word else articles
    return _match(
        articles,
        terms,
        vector="search__vector",
        fts="search_article_fts",
        column="",
        any_word=any_word,
    ).order_by("-rank", "position", "title")


def highlight(text: str, q: str, *, width: int = 160) -> SafeString:
    """An excerpt of ``text`` around the first word matching ``q``, matches in ``<mark>``;
    empty when nothing matches."""
    terms = query_words(q.replace("#", " "))
    if not terms:
        return mark_safe("")

    def hit(word: str) -> bool:
        w = stem(fold(word))
        return any(w == t or w.startswith(t) for t in terms)

    spans = [m.span() for m in WORD.finditer(text) if hit(m.group())]
    if not spans:
        return mark_safe("")
    start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    if start:
        start = text.find(" ", start, spans[0][0]) + 1 or start
    parts, cursor = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts += [escape(text[cursor:a]), f"<mark>{escape(text[a:b])}</mark>"]
        cursor = b
    parts.append(escape(text[cursor:end]))
    excerpt = re.sub(r"\s+", " ", "".join(parts)).strip()
    # Every piece of the text is escaped; only our <mark> tags are not.
    return mark_safe(("… " if start else "") + excerpt + (" …" if end < len(text) else ""))  # noqa: S308


def ticket_snippets(tickets: Iterable[Ticket], q: str, *, staff: bool) -> dict[int, SafeString]:
    """For each ticket (``id``), the first highlighted excerpt of its subject or of a message
    the viewer may read. One query for the whole page."""
    tickets = list(tickets)
    texts: dict[int, list[str]] = {t.pk: [t.subject] for t in tickets}
    messages = Message.objects.filter(ticket__in=[t.pk for t in tickets])
    if not staff:
        messages = messages.filter(internal=False)
    for ticket_id, body in messages.order_by("created_at", "id").values_list(
        "ticket_id", "body_text"
    ):
        texts[ticket_id].append(body)
    snippets = {}
    for ticket_id, candidates in texts.items():
        for text in candidates:
            if excerpt := highlight(text, q):
                snippets[ticket_id] = excerpt
                break
    return snippets


def with_snippets(tickets: Iterable[Ticket], q: str, *, staff: bool) -> list[Ticket]:
    """``tickets`` as a list, each with ``snippet``: its highlighted excerpt for ``q``."""
    tickets = list(tickets)
    snippets = ticket_snippets(tickets, q, staff=staff) if q.strip() else {}
    for ticket in tickets:
        ticket.snippet = snippets.get(ticket.pk, "")  # type: ignore[attr-defined]
    return tickets
