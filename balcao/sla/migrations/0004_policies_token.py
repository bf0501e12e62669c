"""The SLA policies' version token (sla/selectors.py) made with the database, so that no
reader has to write it; every change of a policy or a calendar moves it (sla/actions.py)."""

import secrets

from django.db import migrations


def make_token(apps, schema_editor):
    Counter = apps.get_model("core", "Counter")
    Counter.objects.get_or_create(name="sla_policies", defaults={"value": secrets.randbits(62) + 1})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("sla", "0003_live_clock_index"),
    ]

    operations = [migrations.RunPython(make_token, migrations.RunPython.noop)]
