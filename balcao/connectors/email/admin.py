from django.contrib import admin

from balcao.connectors.email.models import InboundMail, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "host",
        "username",
        "folder",
        "move_to",
        "is_active",
        "polled_at",
        "poll_error_at",
    ]
    # The poller's heartbeat and its last error (``balcao mail fetch``), for staff to see.
    readonly_fields = ["uidvalidity", "last_uid", "polled_at", "poll_error_at", "poll_error"]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_email", "subject", "department", "state", "ticket"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in InboundMail._meta.fields if f.name != "raw"]
    exclude = ["raw"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
