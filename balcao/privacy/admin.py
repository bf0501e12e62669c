"""The LGPD records in the admin, for administrators, read only: nobody edits or deletes who
opened whose data, an erasure's record, a retention run, or a request (it is answered in the
console, under LGPD requests)."""

from django.contrib import admin
from django.utils.translation import gettext as _

from balcao.core.admin_site import BalcaoAdminSite
from balcao.privacy.models import AccessRecord, DataRequest, Erasure, RetentionRun
from balcao.privacy.selectors import retention_policy


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_administrator

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnly):
    list_display = ["at", "actor", "subject_email", "what", "ticket_number", "client_address"]
    list_filter = ["what"]
    list_select_related = ["actor"]
    search_fields = ["=subject_email"]
    date_hierarchy = "at"


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnly):
    list_display = ["due_on", "kind", "email", "channel", "received_at", "status", "handled_by"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["handled_by"]
    search_fields = ["=email"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnly):
    list_display = ["erased_at", "actor", "counts"]
    list_select_related = ["actor"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = ["ran_at", "actor", "counts"]
    list_select_related = ["actor"]


def retention_problems(request) -> list[str]:
    return [
        _("Retention policy: %(problem)s") % {"problem": p} for p in retention_policy().problems
    ]


assert isinstance(admin.site, BalcaoAdminSite)  # settings.INSTALLED_APPS
admin.site.warning_sources.append(retention_problems)
