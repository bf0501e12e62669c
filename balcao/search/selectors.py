"""Full-text reads, the same on both databases: the words come from one normaliser
(search/text.py); PostgreSQL matches them in GIN-indexed tsvectors, SQLite in FTS5. The
callers hand in a queryset already narrowed to what the viewer may see (``visible_tickets``,
``visible_articles``): these only narrow it further, rank it and quote it."""

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, QuerySet, Value, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from balcao.kb.models import Article
from balcao.search.text import WORD, fold, hint_words, query_words, stem
from balcao.tickets.models import Message, Ticket


def _as_typed(term: str) -> bool:
    """The last word of a query matches as a prefix (it may be half typed); a number does not:
    "#1500" is ticket 1500, not 15001."""
    return not term.isdigit()


def _tsquery(terms: list[str], any_word: bool) -> str:
    last = f"{terms[-1]}:*" if _as_typed(terms[-1]) else terms[-1]
    return (" | " if any_word else " & ").join(terms[:-1] + [last])


def _postgres_query(terms: list[str], any_word: bool) -> SearchQuery:
    return SearchQuery(_tsquery(terms, any_word), search_type="raw", config="simple")


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


def is_search(q: str) -> bool:
    """Whether ``q`` has words to match (``match_tickets`` ranks by them)."""
    return bool(query_words(q.replace("#", " ")))


def _ranked(
    tickets: QuerySet[Ticket], terms: list[str], *, staff: bool, offset: int, limit: int
) -> list[tuple[int, int]]:
    """(id, total) of the page: the documents are matched and ranked first, alone (a
    materialised CTE: only id and rank go on, never the vectors), then each match looks up
    its ticket in ``tickets`` (on PostgreSQL a LATERAL subquery the planner cannot flatten:
    by primary key, so the cost follows the matches, never the size of the table); the total
    is a window count. Left to itself, PostgreSQL's planner carried every match's vector
    through the join and the sort (and spilled them to disk), or hashed every ticket to join
    a few thousand; SQLite cannot rank (bm25) beside a window. Ordered as ``match_tickets``."""
    inner, params = tickets.order_by().values("id", "updated_at").query.sql_with_params()
    # Our constants and Django's SQL of ``tickets``; every value is a parameter.
    if connection.vendor == "postgresql":
        matched = (
            "SELECT ticket_id, ts_rank(staff_vector, query, 1) AS rank"
            " FROM search_ticketdocument, to_tsquery('simple', %s) query"
            " WHERE staff_vector @@ query"
        )
        words = _tsquery(terms, any_word=False)
        joined = (
            f"JOIN LATERAL (SELECT * FROM ({inner}) v"  # noqa: S608
            " WHERE v.id = matched.ticket_id OFFSET 0) t ON true"
        )
    else:
        matched = (
            "SELECT rowid AS ticket_id, -bm25(search_ticket_fts) AS rank"
            " FROM search_ticket_fts WHERE search_ticket_fts MATCH %s"
        )
        words = _fts_query(terms, any_word=False, column="" if staff else "public_text")
        joined = f"JOIN ({inner}) t ON t.id = matched.ticket_id"
    sql = " ".join(
        [
            f"WITH matched AS MATERIALIZED ({matched})",
            f"SELECT t.id, count(*) OVER () FROM matched {joined}",  # noqa: S608
            "ORDER BY matched.rank DESC, t.updated_at DESC, t.id DESC LIMIT %s OFFSET %s",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, *params, limit, offset])
        rows: list[tuple[int, int]] = cursor.fetchall()
    return rows


def ranked_ids(
    tickets: QuerySet[Ticket], q: str, *, staff: bool, offset: int, limit: int
) -> tuple[list[int], int]:
    """The ids of ``tickets`` (the viewer's, filtered, not yet matched) that match ``q``, best
    first, from ``offset``, at most ``limit``, and how many match in all — in one query: the
    total comes with the page, so the matches are ranked once and not counted again apart.
    A customer on PostgreSQL is matched within its company's tickets (``match_tickets``:
    the company index first, no GIN index on what customers search)."""
    terms = query_words(q.replace("#", " "))
    page: Callable[[int, int], list[tuple[int, int]]]
    if terms and (staff or connection.vendor != "postgresql"):

        def page(offset: int, limit: int) -> list[tuple[int, int]]:
            return _ranked(tickets, terms, staff=staff, offset=offset, limit=limit)

    else:
        matched = match_tickets(tickets, q, staff=staff).select_related(None)
        counted = matched.annotate(found=Window(Count("pk"))).values_list("pk", "found")

        def page(offset: int, limit: int) -> list[tuple[int, int]]:
            return list(counted[offset : offset + limit])

    rows = page(offset, limit)
    if not rows and offset:  # past the end: the total alone
        return [], next((total for _, total in page(0, 1)), 0)
    return [pk for pk, _ in rows], rows[0][1] if rows else 0


LAST_PAGE = 1_000_000  # no offset the database cannot hold


def ranked_page(
    tickets: QuerySet[Ticket], q: str, number: int | str | None, size: int, *, staff: bool
) -> Page[Any]:
    """``Paginator.get_page`` for a search (``ranked_ids``): the page's ticket ids, best first,
    with its total from the same query; a page past the end is the last."""
    try:  # as get_page: a page that is no number is the first; beyond the last, the last
        wanted = min(max(int(number or 1), 1), LAST_PAGE)
    except (TypeError, ValueError):
        wanted = 1
    ids, total = ranked_ids(tickets, q, staff=staff, offset=(wanted - 1) * size, limit=size)
    page = Paginator(range(total), size).get_page(wanted)
    if page.number != wanted:
        ids, _ = ranked_ids(tickets, q, staff=staff, offset=(page.number - 1) * size, limit=size)
    page.object_list = ids
    return page


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


class Titled(Protocol):
    """A ticket as a list holds it: a model instance or its values (console.selectors)."""

    @property
    def pk(self) -> Any: ...

    @property
    def subject(self) -> str: ...


def ticket_snippets(tickets: Iterable[Titled], q: str, *, staff: bool) -> dict[int, SafeString]:
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
