from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.customers.models import Channel


class BusinessNumber(models.Model):
    """One of our WhatsApp Business numbers in the Cloud API, the channel it is (R13) and the
    department its conversations land in."""

    class Kind(models.TextChoices):
        COMMERCIAL = Channel.WHATSAPP_COMMERCIAL.value, Channel.WHATSAPP_COMMERCIAL.label
        SUPPORT = Channel.WHATSAPP_SUPPORT.value, Channel.WHATSAPP_SUPPORT.label

    phone_number_id = models.CharField(_("phone number ID (Cloud API)"), max_length=64, unique=True)
    display_number = models.CharField(_("number shown to customers"), max_length=32)
    channel = models.CharField(_("channel"), max_length=30, choices=Kind.choices)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["channel", "display_number"]
        verbose_name = _("WhatsApp business number")
        verbose_name_plural = _("WhatsApp business numbers")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ({self.display_number})"


class WhatsAppIdentity(models.Model):
    """A customer's WhatsApp number (digits, country code first: E.164 without '+') and the
    authorized contact it belongs to (R2)."""

    wa_id = models.CharField(_("WhatsApp number"), max_length=20, unique=True)
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contact"),
    )

    class Meta:
        ordering = ["wa_id"]
        verbose_name = _("WhatsApp number of a contact")
        verbose_name_plural = _("WhatsApp numbers of contacts")

    def __str__(self) -> str:
        return f"+{self.wa_id}"


class Webhook(models.Model):
    """One webhook delivery as it arrived (signature already checked), stored before anything
    can fail, then what became of it."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Could not be processed")

    raw = models.BinaryField(_("payload"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("WhatsApp webhook")
        verbose_name_plural = _("WhatsApp webhooks")
        indexes = [models.Index(fields=["-received_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.get_state_display()}"


class WhatsAppMessage(models.Model):
    """A WhatsApp message in or out, by its WhatsApp id (``wamid``): what dedupes deliveries,
    threads a conversation, and follows the delivery of our replies."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("From us")

    class Status(models.TextChoices):
        NONE = "", _("—")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    wamid = models.CharField(_("WhatsApp message ID"), max_length=255, null=True, unique=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    business_number = models.ForeignKey(BusinessNumber, on_delete=models.PROTECT, related_name="+")
    wa_id = models.CharField(_("customer's number"), max_length=20)
    kind = models.CharField(_("type"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    note = models.CharField(_("why it landed there"), max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("WhatsApp message")
        verbose_name_plural = _("WhatsApp messages")
        indexes = [
            models.Index(fields=["wa_id", "business_number", "direction", "-created_at"]),
            models.Index(fields=["message"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} +{self.wa_id}: {self.text[:60]}"
