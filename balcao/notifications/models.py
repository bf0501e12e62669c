from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What an agent may be told of; each agent chooses how, per kind."""

    NEW_TICKET = "new_ticket", _("New ticket in my departments")
    CUSTOMER_REPLY = "customer_reply", _("Customer reply on a ticket of mine or that I follow")
    ASSIGNED = "assigned", _("Ticket assigned to me")
    TRANSFERRED = "transferred", _("Ticket transferred into my department")
    SLA_WARNING = "sla_warning", _("SLA breach approaching")
    LOW_SATISFACTION = "low_satisfaction", _("Low satisfaction score in my departments")


class Notification(models.Model):
    """One thing an agent is told of in the console (the counter and the list)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notified_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}:{self.kind}:{self.ticket_id}"


class NotificationPreference(models.Model):
    """How an agent wants one kind; without a row, both ways."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by_email = models.BooleanField(_("by e-mail"), default=True)
    in_console = models.BooleanField(_("in the console"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"


class Follower(models.Model):
    """A staff member who follows a ticket: told of the customer's replies on it."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="follows_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.ticket_id}"
