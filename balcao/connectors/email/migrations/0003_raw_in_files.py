"""The raw messages move from a database column to the raw store's files (store.py), so a
large message is never whole in memory: written by streaming, parsed from the file."""

import hashlib
import os
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import migrations, models


def _name(sha256: str) -> str:
    return f"mail/{sha256[:2]}/{sha256}.eml"


def to_files(apps, schema_editor):
    InboundMail = apps.get_model("mail", "InboundMail")
    for mail in InboundMail.objects.only("pk", "raw").iterator(chunk_size=50):
        raw = bytes(mail.raw or b"")
        if not raw:
            continue  # erased
        sha256 = hashlib.sha256(raw).hexdigest()
        path = Path(default_storage.path(_name(sha256)))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
        InboundMail.objects.filter(pk=mail.pk).update(raw_file=_name(sha256))


def to_column(apps, schema_editor):
    InboundMail = apps.get_model("mail", "InboundMail")
    for mail in InboundMail.objects.exclude(raw_file="").only("pk", "raw_file").iterator():
        path = Path(default_storage.path(mail.raw_file.name))
        if path.exists():
            InboundMail.objects.filter(pk=mail.pk).update(raw=path.read_bytes())


class Migration(migrations.Migration):
    dependencies = [("mail", "0002_answers_move_to_receipts")]

    operations = [
        migrations.AddField(
            model_name="inboundmail",
            name="raw_file",
            field=models.FileField(blank=True, max_length=100, verbose_name="raw message"),
        ),
        migrations.RunPython(to_files, to_column),
        # A default, so that going back can add the column again before filling it.
        migrations.AlterField(
            model_name="inboundmail",
            name="raw",
            field=models.BinaryField(blank=True, default=b"", verbose_name="raw message"),
        ),
        migrations.RemoveField(model_name="inboundmail", name="raw"),
        migrations.RenameField(model_name="inboundmail", old_name="raw_file", new_name="raw"),
    ]
