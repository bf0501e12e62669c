"""Assignments recorded the staff's e-mail addresses; history names people (id and name)."""

from django.db import migrations


def _people(apps, values):
    User = apps.get_model("accounts", "User")
    emails = {v.lower() for v in values if isinstance(v, str)}
    return {u.email.lower(): {"id": u.pk, "name": u.name} for u in User.objects.filter(email__in=emails)}


def to_people(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    events = list(Event.objects.filter(kind="assigned"))
    people = _people(apps, [e.data.get(side) for e in events for side in ("old", "new")])
    for event in events:
        for side in ("old", "new"):
            value = event.data.get(side)
            if isinstance(value, str):  # someone no longer on record: named, never addressed
                event.data[side] = people.get(value.lower(), {"id": None, "name": ""})
        event.save(update_fields=["data"])


def to_addresses(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    User = apps.get_model("accounts", "User")
    events = list(Event.objects.filter(kind="assigned"))
    ids = {e.data[s]["id"] for e in events for s in ("old", "new") if isinstance(e.data.get(s), dict)}
    emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
    for event in events:
        for side in ("old", "new"):
            value = event.data.get(side)
            if isinstance(value, dict):
                event.data[side] = emails.get(value.get("id")) or value.get("name") or None
        event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_whatsapp_number_kinds"),
        ("accounts", "0002_initial"),
    ]

    operations = [migrations.RunPython(to_people, to_addresses)]
