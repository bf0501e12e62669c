import hashlib

from django.db import migrations


def receipts_from_messages(apps, schema_editor):
    """Every WhatsApp message already filed becomes the funnel's receipt, in its conversation,
    so the next message of a number continues the same ticket after the upgrade."""
    WhatsAppMessage = apps.get_model("whatsapp", "WhatsAppMessage")
    Receipt = apps.get_model("tickets", "Receipt")
    rows = WhatsAppMessage.objects.filter(direction="in").exclude(wamid=None)
    for row in rows.select_related("business_number").iterator():
        Receipt.objects.create(
            channel="whatsapp",
            key=hashlib.sha256(row.wamid.encode("utf-8", "surrogatepass")).hexdigest(),
            external_id=row.wamid,
            conversation=f"{row.business_number.phone_number_id}:{row.wa_id}",
            sender=row.wa_id,
            ticket_id=row.ticket_id,
            message_id=row.message_id,
            answer=row.answer,
            note=row.note,
            created_at=row.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("whatsapp", "0001_initial"),
        ("tickets", "0004_receipts_and_reply_channel"),
    ]

    operations = [
        migrations.RunPython(receipts_from_messages, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="whatsappmessage", name="whatsapp_wh_wa_id_02d0c5_idx"),
        migrations.RemoveField(model_name="whatsappmessage", name="answer"),
    ]
