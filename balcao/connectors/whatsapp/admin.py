from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from balcao.connectors.whatsapp.actions import (
    do_register_number,
    do_remove_number,
    normalized_number,
)
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    Webhook,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.core.errors import ActionRefused


@admin.register(BusinessNumber)
class BusinessNumberAdmin(admin.ModelAdmin):
    list_display = ["display_number", "channel", "department", "phone_number_id", "is_active"]
    list_filter = ["channel", "is_active"]


class IdentityForm(forms.ModelForm):
    class Meta:
        model = WhatsAppIdentity
        fields = ["contact", "wa_id"]

    def clean_wa_id(self):
        try:
            wa_id = normalized_number(self.cleaned_data["wa_id"])
        except ActionRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        if WhatsAppIdentity.objects.filter(wa_id=wa_id).exists():
            raise forms.ValidationError(_("+%(number)s is already registered.") % {"number": wa_id})
        return wa_id


@admin.register(WhatsAppIdentity)
class WhatsAppIdentityAdmin(admin.ModelAdmin):
    """Numbers are registered and removed by the actions (an Event each, R2); a registered
    number is not edited: it is removed and the right one registered."""

    form = IdentityForm
    list_display = ["wa_id", "contact"]
    list_select_related = ["contact__user"]
    search_fields = ["wa_id", "contact__user__email"]
    raw_id_fields = ["contact"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        identity = do_register_number(
            form.cleaned_data["contact"], actor=request.user, number=form.cleaned_data["wa_id"]
        )
        obj.pk = identity.pk

    def delete_model(self, request, obj):
        do_remove_number(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for identity in queryset.select_related("contact__company", "contact__user"):
            do_remove_number(identity, actor=request.user)


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
