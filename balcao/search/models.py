"""The search index: one document per ticket and per help article, written only by
``search.actions``. ``*_text`` hold the normalised words (search/text.py); on PostgreSQL the
``*_vector`` columns hold them as ``tsvector`` (the staff one GIN-indexed), on SQLite they stay empty and an
FTS5 table mirrors the text (both made by this app's migrations; its rows follow the
documents' by triggers): its ``internal_text`` column holds what only staff search, the notes
and the tags."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class TicketDocument(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    # Subject, public messages, requester, company, number: what its company may search.
    public_text = models.TextField(blank=True)
    # Internal notes: only staff search them.
    internal_text = models.TextField(blank=True)
    # Tags: only staff see and search them; written when they change (``index_tags``).
    tags_text = models.TextField(blank=True)
    public_vector = SearchVectorField(null=True)
    staff_vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return str(self.ticket_id)


class ArticleDocument(models.Model):
    article = models.OneToOneField(
        "kb.Article", primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    text = models.TextField(blank=True)
    vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return str(self.article_id)
