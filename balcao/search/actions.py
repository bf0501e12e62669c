"""Keeping the search index up to date. The ticket and help-article actions call
``index_ticket``/``index_article`` in their own transaction, so what they wrote is findable
the moment it is committed; nothing else writes the index (no signals; SQLite's FTS5 rows
follow the documents by triggers, migration 0005). ``rebuild_index`` writes it whole,
set-based (the migration that creates it, and after a bulk import)."""

from collections.abc import Callable, Iterable

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet, TextField, Value
from django.db.models.functions import Concat, Trim
from django.utils.html import strip_tags

from balcao.core.enqueue import enqueue_on_commit
from balcao.core.prepared import prepared_insert, prepared_update
from balcao.kb.models import Article
from balcao.search.models import ArticleDocument, TicketDocument
from balcao.search.text import document
from balcao.tickets.models import Message, Ticket

TITLE_WEIGHT = 3


# A new document's vectors, from the texts as written (what _vector makes of a text)
VECTORS = tuple(
    (name, "to_tsvector('simple'::regconfig, %s)") for name in ("public_vector", "staff_vector")
)


def _vector(text: str) -> SearchVector:
    return SearchVector(Value(text), config="simple")


def _cnpj_forms(cnpj: str) -> str:
    if len(cnpj) != 14:
        return cnpj
    return f"{cnpj} {cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"


def _ticket_texts(ticket: Ticket, messages: Iterable[Message]) -> tuple[str, str]:
    """(public, internal): subject, number, requester, company and public messages; notes."""
    company = ticket.company
    public = document(
        str(ticket.number),
        ticket.subject,
        ticket.requester_name,
        ticket.requester_email,
        company.name if company else "",
        _cnpj_forms(company.cnpj) if company else "",
        *(m.body_text for m in messages if not m.internal),
    )
    return public, document(*(m.body_text for m in messages if m.internal))


def _article_text(article: Article) -> str:
    """Title and text in both languages and the category's names; titles count
    ``TITLE_WEIGHT`` times, so a match in the title ranks first on either database."""
    category = article.category
    return document(
        *[article.title] * TITLE_WEIGHT,
        *[article.title_en] * TITLE_WEIGHT,
        category.name if category else "",
        category.name_en if category else "",
        strip_tags(article.body),
        strip_tags(article.body_en),
    )


def _fts_replace(table: str, rowid: int, **columns: str) -> None:
    """SQLite: the FTS5 row of ``rowid`` replaced by ``columns``, in one statement. ``table``
    is one of this module's constants; every value is a parameter."""
    names = ", ".join(["rowid", *columns])
    marks = ", ".join("%s" for _ in range(len(columns) + 1))
    with connection.cursor() as cursor:
        insert = f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        cursor.execute(insert, [rowid, *columns.values()])


def index_ticket(ticket: Ticket, messages: Iterable[Message] | None = None) -> None:
    """(Re)write the ticket's document from what it holds now (its tags are kept: they are
    written by ``index_tags``). ``messages``: a new ticket's, as its creator holds them (no
    query to read them back)."""
    new = messages is not None
    if messages is None:
        messages = ticket.messages.only("ticket_id", "body_text", "internal")
    public, internal = _ticket_texts(ticket, messages)
    postgresql = connection.vendor == "postgresql"
    if new:  # one INSERT, its SQL built once (core.prepared)
        row = TicketDocument(ticket_id=ticket.pk, public_text=public, internal_text=internal)
        if postgresql:
            row.public_vector, row.staff_vector = public, f"{public} {internal}"
        prepared_insert(row, holders=VECTORS if postgresql else ())
        return
    fields: dict[str, object] = {"public_text": public, "internal_text": internal}
    staff: dict[str, object] = {}  # in one statement with the tags the document holds
    if postgresql:
        fields["public_vector"] = _vector(public)
        staff["staff_vector"] = SearchVector(
            Value(public), Value(internal), F("tags_text"), config="simple"
        )
    if not TicketDocument.objects.filter(pk=ticket.pk).update(**fields, **staff):
        if postgresql:
            fields["staff_vector"] = _vector(f"{public} {internal}")
        TicketDocument.objects.create(ticket_id=ticket.pk, **fields)


def index_message(ticket: Ticket, message: Message) -> None:
    """A message added to ``ticket``: its words appended to the document in one UPDATE, the
    vectors made again from the columns in the same statement (issue 17: the ticket's
    messages are not read back), its SQL built once per column (core.prepared). A ticket from
    before the index is written whole."""
    added = document(message.body_text)
    if not added:
        return
    column = "internal_text" if message.internal else "public_text"
    if not prepared_update(("index_message", column), _appended(column), ticket.pk, " " + added):
        index_ticket(ticket)


# an UPDATE as core.prepared.prepared_update builds it: the rows, and their new values
DocumentUpdate = tuple[QuerySet[TicketDocument], dict[str, object]]


def _appended(column: str) -> Callable[[int, str], DocumentUpdate]:
    """The UPDATE of ``index_message``: ``words`` appended to ``column`` of a ticket's
    document, with the vectors that column feeds."""

    def update(ticket: int, words: str) -> DocumentUpdate:
        texts: dict[str, F | Trim] = {
            "public_text": F("public_text"),
            "internal_text": F("internal_text"),
        }
        texts[column] = Trim(Concat(F(column), Value(words), output_field=TextField()))
        fields: dict[str, object] = {column: texts[column]}
        if connection.vendor == "postgresql":
            if column == "public_text":
                fields["public_vector"] = SearchVector(texts["public_text"], config="simple")
            fields["staff_vector"] = SearchVector(
                texts["public_text"], texts["internal_text"], F("tags_text"), config="simple"
            )
        return TicketDocument.objects.filter(pk=ticket), fields

    return update


def index_tags(ticket: Ticket, names: Iterable[str]) -> None:
    """Write the ticket's tags (``names``, as it has them now) into its document: staff find
    a ticket by its tags; customers never see them, so never search them."""
    tags = document(*names)
    fields: dict[str, object] = {"tags_text": tags}
    if connection.vendor == "postgresql":
        fields["staff_vector"] = SearchVector(
            F("public_text"), F("internal_text"), Value(tags), config="simple"
        )
    if not TicketDocument.objects.filter(pk=ticket.pk).update(**fields):
        index_ticket(ticket)  # a ticket from before the index (a bulk import): written whole
        TicketDocument.objects.filter(pk=ticket.pk).update(**fields)


def index_company_later(company_id: int) -> None:
    """Once committed, rewrite the documents of the company's tickets (its name or CNPJ, by
    which they are found, changed); by task, as a company may have thousands."""
    from balcao.search.tasks import index_company_task

    enqueue_on_commit(index_company_task, company_id)


def index_company_tickets(company_id: int) -> int:
    """Rewrite the documents of the company's tickets; returns how many."""
    count = 0
    for ticket in Ticket.objects.filter(company_id=company_id).select_related("company"):
        index_ticket(ticket)
        count += 1
    return count


def index_article(article: Article) -> None:
    """(Re)write the article's document from what it holds now."""
    text = _article_text(article)
    fields: dict[str, object] = {"text": text}
    if connection.vendor == "postgresql":
        fields["vector"] = _vector(text)
    # One statement where it can: an update, an insert for what predates the index.
    if not ArticleDocument.objects.filter(pk=article.pk).update(**fields):
        ArticleDocument.objects.create(article_id=article.pk, **fields)
    if connection.vendor == "sqlite":
        _fts_replace("search_article_fts", article.pk, text=text)


@transaction.atomic
def rebuild_index(apps: Apps = django_apps, batch: int = 2000) -> int:
    """Write every document anew; returns the number of tickets indexed. ``apps``: the
    historical registry when a migration calls it."""
    ticket_model = apps.get_model("tickets", "Ticket")
    message_model = apps.get_model("tickets", "Message")
    ticket_docs = apps.get_model("search", "TicketDocument")
    article_docs = apps.get_model("search", "ArticleDocument")
    ticket_docs.objects.all().delete()
    article_docs.objects.all().delete()
    tickets = ticket_model.objects.select_related("company").order_by("pk")
    messages = message_model.objects.only("ticket_id", "body_text", "internal").order_by("pk")
    count, last = 0, 0
    while chunk := list(
        tickets.filter(pk__gt=last).prefetch_related(
            Prefetch("messages", queryset=messages), "tags"
        )[:batch]
    ):
        ticket_docs.objects.bulk_create(
            ticket_docs(
                ticket_id=t.pk,
                public_text=p,
                internal_text=i,
                tags_text=document(*(tag.name for tag in t.tags.all())),
            )
            for t in chunk
            for p, i in [_ticket_texts(t, t.messages.all())]
        )
        count, last = count + len(chunk), chunk[-1].pk
    article_docs.objects.bulk_create(
        article_docs(article_id=a.pk, text=_article_text(a))
        for a in apps.get_model("kb", "Article").objects.select_related("category")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_ticketdocument SET"
                " public_vector = to_tsvector('simple', public_text),"
                " staff_vector = to_tsvector("
                "'simple', public_text || ' ' || internal_text || ' ' || tags_text)"
            )
            cursor.execute("UPDATE search_articledocument SET vector = to_tsvector('simple', text)")
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM search_ticket_fts")
            cursor.execute(
                "INSERT INTO search_ticket_fts (rowid, public_text, internal_text)"
                " SELECT ticket_id, public_text, internal_text || ' ' || tags_text"
                " FROM search_ticketdocument"
            )
            cursor.execute("DELETE FROM search_article_fts")
            cursor.execute(
                "INSERT INTO search_article_fts (rowid, text)"
                " SELECT article_id, text FROM search_articledocument"
            )
    return count
