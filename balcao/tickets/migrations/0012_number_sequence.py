"""Ticket numbers from a PostgreSQL sequence (issue 17): the counter row's lock, taken by each
opening and held to its commit, put every opening in one line (2.3 backends waiting on it on
average under 8 clients, the CPU a third idle). ``nextval`` holds no lock; a number taken by an
opening that rolls back is not given again (a gap), as with any sequence. SQLite keeps the
counter row: it has one writer at a time anyway. The sequence goes on from the counter (or
from the highest number, if a ticket was written past it)."""

from django.db import migrations

SEQUENCE = "tickets_ticket_number"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint")
    schema_editor.execute(
        f"SELECT setval('{SEQUENCE}', GREATEST(1000,"
        " (SELECT value FROM core_counter WHERE name = 'ticket'),"
        " (SELECT MAX(number) FROM tickets_ticket)))"
    )


def drop_sequence(apps, schema_editor):
    """Back to the counter, from where the sequence got to."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "INSERT INTO core_counter (name, value) SELECT 'ticket', last_value"
        f" FROM {SEQUENCE} WHERE is_called"
        " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
    )
    schema_editor.execute(f"DROP SEQUENCE {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_unsent_tasks"),
        ("tickets", "0011_ticket_counts"),
    ]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
