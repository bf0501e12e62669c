from django.contrib import admin

from balcao.core.admin import ShownInListsAdmin
from balcao.tickets.actions import do_save_canned_response
from balcao.tickets.models import CannedResponse, DepartmentOptions, PriorityPolicy, Tag, Ticket


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


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """The team's canned replies, kept by administrators; agents' own are theirs (console)."""

    list_display = ["title", "department", "owner", "set_status", "assign_to_me", "add_tags"]
    list_filter = ["department"]
    search_fields = ["title", "body"]
    exclude = ["owner", "created_at"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.owner_id is None)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = do_save_canned_response(
            actor=request.user,
            canned=CannedResponse.objects.get(pk=obj.pk) if change else None,
            title=obj.title,
            body=obj.body,
            department=obj.department,
            shared=True,
            set_status=obj.set_status,
            assign_to_me=obj.assign_to_me,
            add_tags=obj.add_tags,
        )
        obj.pk = saved.pk


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "sla_percent"]


@admin.register(DepartmentOptions)
class DepartmentOptionsAdmin(admin.ModelAdmin):
    list_display = ["department", "customers_set_priority"]


@admin.register(Tag)
class TagAdmin(ShownInListsAdmin):
    search_fields = ["name"]
