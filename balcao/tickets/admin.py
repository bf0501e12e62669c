from django.contrib import admin

from balcao.tickets.models import Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the console and its actions, never here."""

    list_display = [
        "number",
        "subject",
        "status",
        "department",
        "company",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "department"]
    search_fields = ["number", "subject", "requester_email"]
    list_select_related = ["department", "company", "assignee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
