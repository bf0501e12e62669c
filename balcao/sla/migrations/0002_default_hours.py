"""The default profile's hours: business hours Monday–Friday 09:00–17:00 Brasília time with
national holidays and Carnival off, the SLA default and every real-time channel's calendar."""

from django.db import migrations

BUSINESS_HOURS = {
    "slug": "horario-comercial",
    "name": "Horário comercial",
    "tz": "America/Sao_Paulo",
    "weekly": [[["09:00", "17:00"]]] * 5 + [[], []],
    "subdivision": "",
    "carnival": True,
}
CHANNELS = ["chat", "whatsapp_commercial", "whatsapp_support", "phone"]


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    ChannelHours = apps.get_model("sla", "ChannelHours")
    calendar, _created = BusinessCalendar.objects.get_or_create(
        slug=BUSINESS_HOURS["slug"], defaults={**BUSINESS_HOURS, "is_default": True}
    )
    for position, channel in enumerate(CHANNELS):
        ChannelHours.objects.get_or_create(
            channel=channel, defaults={"calendar": calendar, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
