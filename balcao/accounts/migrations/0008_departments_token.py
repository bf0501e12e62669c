"""The departments' version token (accounts/selectors.py) made with the database, so that no
reader has to write it; every save or delete of a department moves it (accounts/apps.py)."""

import secrets

from django.db import migrations


def make_token(apps, schema_editor):
    Counter = apps.get_model("core", "Counter")
    Counter.objects.get_or_create(name="departments", defaults={"value": secrets.randbits(62) + 1})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("accounts", "0007_user_email_lower"),
    ]

    operations = [migrations.RunPython(make_token, migrations.RunPython.noop)]
