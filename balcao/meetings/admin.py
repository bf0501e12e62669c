from django.contrib import admin, messages
from django.utils.translation import gettext as _

from balcao.meetings.models import Block, Host, Meeting


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    """Who meets customers, when, for how long; days off as blocked time."""

    list_display = ["user", "kind", "department", "length_minutes", "buffer_minutes", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["user", "department"]
    inlines = [BlockInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        department = obj.department
        if department.min_plan is None and department.required_addon is None:
            return
        limit = (
            _("plans from %(plan)s up") % {"plan": department.min_plan.localized("name")}
            if department.min_plan is not None
            else _("companies with the %(addon)s add-on")
            % {"addon": department.required_addon.localized("name")}
        )
        messages.warning(
            request,
            _(
                "%(department)s only takes tickets of %(limit)s: contacts of other plans cannot "
                "book meetings with %(host)s."
            )
            % {
                "department": department.localized("name"),
                "limit": limit,
                "host": obj.user.display_name,
            },
        )


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Meetings are booked by contacts and changed by their hosts (the console's agenda): here
    they are only read."""

    list_display = ["topic", "start", "host", "company", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["host__user", "company"]
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
