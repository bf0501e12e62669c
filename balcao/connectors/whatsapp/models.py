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
    # When the retention policy emptied ``raw`` (its messages' tickets closed long ago).
    purged_at = models.DateTimeField(_("purged"), null=True, blank=True)

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


class InboundMedia(models.Model):
    """A file a customer sent by WhatsApp, fetched by a task after the webhook has answered:
    the message is filed at once, the file joins it when downloaded (or staff are told why
    not)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Downloading")
        DONE = "done", _("Downloaded")
        FAILED = "failed", _("Could not be downloaded")

    whatsapp_message = models.ForeignKey(
        WhatsAppMessage, on_delete=models.CASCADE, related_name="media"
    )
    media_id = models.CharField(_("media ID (Cloud API)"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("file received by WhatsApp")
        verbose_name_plural = _("files received by WhatsApp")

    def __str__(self) -> str:
        return self.filename


class MessageTemplate(models.Model):
    """A message template approved by Meta, the only kind of message WhatsApp lets a business
    send outside the 24-hour customer-service window. Its body's {{1}}, {{2}}… are filled, in
    order, with the ticket's values named in ``parameters``."""

    name = models.CharField(
        _("template name"),
        max_length=512,
        help_text=_("As approved in WhatsApp Manager: lower-case letters, digits and _."),
    )
    language = models.CharField(
        _("language"), max_length=15, default="pt_BR", help_text=_("Meta's code: pt_BR, en_US…")
    )
    body = models.TextField(
        _("text"),
        help_text=_("The approved text, with its {{1}}, {{2}}… as in WhatsApp Manager."),
    )
    parameters = models.JSONField(_("parameters"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("WhatsApp message template")
        verbose_name_plural = _("WhatsApp message templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="whatsapp_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class TemplateReply(models.Model):
    """A reply of the team that leaves as a template (the window was closed): which one, and
    the values its parameters got when the agent sent it."""

    message = models.OneToOneField(
        "tickets.Message", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.template)
