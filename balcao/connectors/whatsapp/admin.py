from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    Webhook,
    WhatsAppIdentity,
    WhatsAppMessage,
)


@admin.register(BusinessNumber)
class BusinessNumberAdmin(admin.ModelAdmin):
    list_display = ["display_number", "channel", "department", "phone_number_id", "is_active"]
    list_filter = ["channel", "is_active"]


@admin.register(WhatsAppIdentity)
class WhatsAppIdentityAdmin(admin.ModelAdmin):
    list_display = ["wa_id", "contact"]
    search_fields = ["wa_id", "contact__user__email"]
    raw_id_fields = ["contact"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WhatsAppMessage)
class WhatsAppMessageAdmin(ReadOnly):
    list_display = [
        "created_at",
        "direction",
        "wa_id",
        "business_number",
        "kind",
        "status",
        "ticket",
    ]
    list_filter = ["direction", "status"]
    list_select_related = ["business_number", "ticket"]
    readonly_fields = [f.name for f in WhatsAppMessage._meta.fields]


@admin.register(Webhook)
class WebhookAdmin(ReadOnly):
    list_display = ["received_at", "state"]
    list_filter = ["state"]
    readonly_fields = ["received_at", "state", "error", "payload"]
    exclude = ["raw"]

    @admin.display(description=_("payload"))
    def payload(self, obj):
        return bytes(obj.raw).decode("utf-8", "replace")
