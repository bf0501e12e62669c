from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """That a person's data was erased (LGPD art. 18, VI), by whom and when — and nothing of
    the erased data itself: only how many records were anonymised."""

    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(_("records anonymised"), default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.erased_at:%Y-%m-%d %H:%M}"


class DataRequest(models.Model):
    """A data subject's request (LGPD art. 18), answered within 15 days of receipt (art. 19)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        PORTABILITY = "portability", _("Portability")
        ERASURE = "erasure", _("Erasure")
        CORRECTION = "correction", _("Correction")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        IN_PERSON = "in_person", _("In person")
        CLIENT_AREA = "client_area", _("Client area")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    email = models.CharField(_("who asked (e-mail)"), max_length=320)
    channel = models.CharField(_("received by"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    details = models.TextField(_("what was asked"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    erasure = models.ForeignKey(
        Erasure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    export = models.ForeignKey(
        "privacy.AccessRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("data subject's request")
        verbose_name_plural = _("data subjects' requests")
        indexes = [
            models.Index(fields=["status", "due_on", "id"]),
            models.Index(fields=["due_on", "id"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def answered_by_export(self) -> bool:
        """An open request that the person's export answers (access, portability)."""
        return self.status == self.Status.OPEN and self.kind in (
            self.Kind.ACCESS,
            self.Kind.PORTABILITY,
        )


class AccessRecord(models.Model):
    """That a staff member opened a person's data: who, whose, what, when and from where.
    Written with one insert from what the page already holds; never edited."""

    class What(models.TextChoices):
        TICKET = "ticket", _("Ticket page")
        SUMMARY = "summary", _("Personal data summary")
        EXPORT = "export", _("Data export")

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    subject_email = models.CharField(_("whose data"), max_length=320)
    what = models.CharField(_("what"), max_length=10, choices=What.choices)
    ticket_number = models.PositiveBigIntegerField(_("ticket"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        indexes = [
            models.Index(fields=["-at", "-id"]),
            models.Index(fields=["subject_email", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_what_display()}"


class RetentionRun(models.Model):
    """One application of the retention policy that purged something: how many of each."""

    ran_at = models.DateTimeField(_("ran"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(_("purged"), default=dict)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M}"
