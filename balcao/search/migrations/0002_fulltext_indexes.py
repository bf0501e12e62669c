"""The full-text indexes, one per database: GIN on the tsvector columns on PostgreSQL, FTS5
tables on SQLite (the embedded default). Each runs only on its own database."""

from django.db import migrations

POSTGRESQL = [
    "CREATE INDEX search_ticket_public_gin ON search_ticketdocument USING gin (public_vector)",
    "CREATE INDEX search_ticket_staff_gin ON search_ticketdocument USING gin (staff_vector)",
    "CREATE INDEX search_article_gin ON search_articledocument USING gin (vector)",
]
SQLITE = [
    "CREATE VIRTUAL TABLE search_ticket_fts USING fts5(public_text, internal_text)",
    "CREATE VIRTUAL TABLE search_article_fts USING fts5(text)",
]
DROP = {
    "postgresql": [
        "DROP INDEX search_ticket_public_gin",
        "DROP INDEX search_ticket_staff_gin",
        "DROP INDEX search_article_gin",
    ],
    "sqlite": ["DROP TABLE search_ticket_fts", "DROP TABLE search_article_fts"],
}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []))


def drop(apps, schema_editor):
    _run(schema_editor, DROP.get(schema_editor.connection.vendor, []))


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents")]

    operations = [migrations.RunPython(create, drop)]
