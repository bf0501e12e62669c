from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundMail(models.Model):
    """One e-mail as it arrived, stored raw before anything can fail (rule 12), then what
    became of it. The same bytes to the same address are one row."""

    class Source(models.TextChoices):
        DELIVER = "deliver", _("MTA pipe")
        LMTP = "lmtp", _("LMTP")
        IMAP = "imap", _("IMAP")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, not yet processed")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Duplicate")
        FAILED = "failed", _("Could not be processed")

    # The bytes as they arrived, in the raw store (store.py); empty once erased (LGPD).
    raw = models.FileField(_("raw message"), max_length=100, blank=True)
    sha256 = models.CharField(max_length=64)
    recipient = models.CharField(_("envelope recipient"), max_length=320, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    msgid = models.CharField(_("Message-ID"), max_length=998, blank=True)
    from_email = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    auto_generated = models.BooleanField(default=False)
    note = models.CharField(_("why it landed there"), max_length=500, blank=True)
    defects = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # When the retention policy emptied ``raw`` (balcao/privacy); the ticket keeps its messages.
    purged_at = models.DateTimeField(_("purged by the retention policy"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        constraints = [
            models.UniqueConstraint(fields=["sha256", "recipient"], name="mail_inbound_once"),
        ]
        indexes = [
            models.Index(fields=["msgid", "department"]),
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["-received_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_email or '?'}: {self.subject[:60]}"


class Mailbox(models.Model):
    """An IMAP mailbox Balcão polls (``balcao mail fetch``); a message is flagged or moved only
    after it is committed. UIDs are remembered only under the same UIDVALIDITY. Each poll
    that reads the folder through records ``polled_at``; a failure, ``poll_error`` (kept
    until the next failure, beside the time it happened)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS"), default=True)
    username = models.CharField(_("user"), max_length=255)
    password = models.CharField(_("password"), max_length=255)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    move_to = models.CharField(
        _("move processed mail to"),
        max_length=255,
        blank=True,
        help_text=_("Empty: processed mail stays in the folder, marked as read."),
    )
    recipient = models.CharField(
        _("address it receives for"),
        max_length=320,
        blank=True,
        help_text=_("Empty: the department is found from the message's headers."),
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # The poller's heartbeat, which /health reads: stale past WORKER_STALE_SECONDS.
    polled_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    poll_error = models.TextField(_("last error"), blank=True)
    poll_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("IMAP mailbox")
        verbose_name_plural = _("IMAP mailboxes")

    def __str__(self) -> str:
        return self.name
