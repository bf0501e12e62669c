from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from balcao.connectors.whatsapp.actions import (
    do_register_number,
    do_remove_number,
    do_save_template,
    normalized_number,
)
from balcao.connectors.whatsapp.approved import PARAMETERS, template_errors
from balcao.connectors.whatsapp.models import (
    BusinessNumber,
    InboundMedia,
    MessageTemplate,
    Webhook,
    WhatsAppIdentity,
    WhatsAppMessage,
)
from balcao.core.errors import ActionRefused


@admin.register(BusinessNumber)
class BusinessNumberAdmin(admin.ModelAdmin):
    list_display = ["display_number", "channel", "department", "phone_number_id", "is_active"]
    list_filter = ["channel", "is_active"]


class TemplateForm(forms.ModelForm):
    """A template as approved in WhatsApp Manager; its parameters typed one after the other."""

    parameters = forms.CharField(
        label=_("parameters"),
        required=False,
        help_text=_("What fills {{1}}, {{2}}… in order, separated by commas: %(known)s.")
        % {"known": ", ".join(PARAMETERS)},
    )

    class Meta:
        model = MessageTemplate
        fields = ["name", "language", "body", "parameters", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.parameters
        if isinstance(stored, list):
            self.initial["parameters"] = ", ".join(map(str, stored))

    def clean_parameters(self):
        return [p.strip() for p in self.cleaned_data["parameters"].split(",") if p.strip()]

    def clean(self):
        data = super().clean() or {}
        errors = template_errors(
            data.get("name", ""),
            data.get("language", ""),
            data.get("body", ""),
            data.get("parameters", []),
        )
        for field, error in errors.items():
            if field not in self.errors:
                self.add_error(field, error)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Approved templates, used to write to a customer outside WhatsApp's 24-hour window."""

    form = TemplateForm
    list_display = ["name", "language", "is_active"]
    list_filter = ["is_active", "language"]

    def save_model(self, request, obj, form, change):
        do_save_template(obj)


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


@admin.register(InboundMedia)
class InboundMediaAdmin(ReadOnly):
    """Files customers sent: pending while the task fetches them; a failure says why."""

    list_display = ["filename", "mime_type", "state", "attempts", "whatsapp_message"]
    list_filter = ["state"]
    list_select_related = ["whatsapp_message"]
    readonly_fields = [f.name for f in InboundMedia._meta.fields]


@admin.register(Webhook)
class WebhookAdmin(ReadOnly):
    list_display = ["received_at", "state"]
    list_filter = ["state"]
    readonly_fields = ["received_at", "state", "error", "payload"]
    exclude = ["raw"]

    @admin.display(description=_("payload"))
    def payload(self, obj):
        return bytes(obj.raw).decode("utf-8", "replace")
