"""Once indexed the tickets and help articles that existed; now 0004 does, after the
documents gained their tags (``rebuild_index`` writes the latest document, so only the last
migration may call it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext_indexes"),
        ("kb", "0004_starter_help_centre"),
        ("tickets", "0004_receipts_and_reply_channel"),
    ]

    operations = []
