"""Tickets' tags in their search documents (staff search them), and the index written anew
with them: every ticket and help article that exists.

On PostgreSQL the GIN index of the public vector goes: a customer only ever searches its own
company's tickets, which the company index finds (tens, not the whole table); with the GIN
index there the planner matched every company's tickets first, then threw most away."""

from django.db import migrations, models


def index(apps, schema_editor):
    from balcao.search.actions import rebuild_index

    rebuild_index(apps)


def drop_public_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX search_ticket_public_gin")


def create_public_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_ticket_public_gin ON search_ticketdocument USING gin (public_vector)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_index_what_exists"),
        ("kb", "0004_starter_help_centre"),
        ("tickets", "0006_priority_tags_macros_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketdocument",
            name="tags_text",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(drop_public_gin, create_public_gin),
        migrations.RunPython(index, migrations.RunPython.noop),
    ]
