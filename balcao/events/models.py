from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    TICKET_OPENED = "ticket_opened", _("Ticket opened")
    MESSAGE_ADDED = "message_added", _("Message added")
    NOTE_ADDED = "note_added", _("Internal note added")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assignee changed")
    TRANSFERRED = "transferred", _("Transferred to another department")
    REOPENED = "reopened", _("Reopened")
    AUTO_CLOSED = "auto_closed", _("Closed for lack of a reply")
    CC_ADDED = "cc_added", _("Contact copied")
    CC_REMOVED = "cc_removed", _("Contact no longer copied")
    LINKED = "linked", _("Linked to a company")
    CONTACT_AUTHORIZED = "contact_authorized", _("Contact authorized")
    CONTACT_REMOVED = "contact_removed", _("Contact removed")
    DELIVERY_FAILED = "delivery_failed", _("E-mail delivery failed")
    SLA_STARTED = "sla_started", _("SLA clock started")
    SLA_PAUSED = "sla_paused", _("SLA clock paused: waiting for the customer")
    SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
    SLA_STOPPED = "sla_stopped", _("SLA clock stopped")
    SLA_WARNING = "sla_warning", _("SLA breach approaching")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    WHATSAPP_NUMBER_ADDED = "whatsapp_number_added", _("WhatsApp number registered")
    WHATSAPP_NUMBER_REMOVED = "whatsapp_number_removed", _("WhatsApp number removed")
    COMPANY_CHANGED = "company_changed", _("Company changed")
    STAFF_ADDED = "staff_added", _("Staff member added")
    STAFF_CHANGED = "staff_changed", _("Staff member changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    MERGED = "merged", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged into this one")
    DEPARTMENT_OVERRIDDEN = "department_overridden", _("Department chosen outside the plan")
    ATTACHMENT_FAILED = "attachment_failed", _("A file sent by the customer could not be fetched")
    TEMPLATE_SENT = "template_sent", _("Reply sent as an approved template")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    MEETING_RESCHEDULED = "meeting_rescheduled", _("Meeting rescheduled")
    MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    MEETING_MARKED = "meeting_marked", _("Meeting attended or missed")
    CHAT_ABANDONED = "chat_abandoned", _("Chat closed: the contact left")
    SATISFACTION_RATED = "satisfaction_rated", _("Customer satisfaction rated")


class Event(models.Model):
    """One typed history/audit record: who did what, when, old → new (R17)."""

    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    company = models.ForeignKey(
        "customers.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["ticket", "created_at"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.created_at:%Y-%m-%d %H:%M}"
