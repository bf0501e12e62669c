"""Index the tickets and help articles that exist already (the starter articles too)."""

from django.db import migrations


def index(apps, schema_editor):
    from balcao.search.actions import rebuild_index

    rebuild_index(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext_indexes"),
        ("kb", "0004_starter_help_centre"),
        ("tickets", "0004_receipts_and_reply_channel"),
    ]

    operations = [migrations.RunPython(index, migrations.RunPython.noop)]
