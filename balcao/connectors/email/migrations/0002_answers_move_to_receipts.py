import hashlib

from django.db import migrations


def receipts_from_mail(apps, schema_editor):
    """Every e-mail already filed becomes the funnel's receipt, so a late copy of it is still
    a duplicate and the automatic answers it got still count for the throttle."""
    InboundMail = apps.get_model("mail", "InboundMail")
    Receipt = apps.get_model("tickets", "Receipt")
    seen = set()
    rows = InboundMail.objects.filter(state__in=["processed", "failed"]).exclude(department=None)
    for mail in rows.order_by("received_at", "id").iterator():
        source = f"{mail.department_id}\n{mail.msgid or 'sha256:' + mail.sha256}"
        key = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        Receipt.objects.create(
            channel="email",
            key=key,
            external_id=mail.msgid,
            sender=mail.from_email.lower(),
            ticket_id=mail.ticket_id,
            message_id=mail.message_id,
            outcome="created" if mail.message_id else "",
            answer=mail.answer,
            note=mail.note,
            created_at=mail.received_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("tickets", "0004_receipts_and_reply_channel"),
    ]

    operations = [
        migrations.RunPython(receipts_from_mail, migrations.RunPython.noop),
        migrations.DeleteModel(name="AutoAnswer"),
        migrations.RemoveField(model_name="inboundmail", name="answer"),
    ]
