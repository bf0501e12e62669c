"""Plans (the channel matrix and SLA targets) and companies. Companies and their contacts are
saved through the actions, so every change is in the company's history (R2, R17)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from balcao.core.admin import ShownInListsAdmin
from balcao.customers.actions import (
    COMPANY_FIELDS,
    do_authorize_contact,
    do_change_company,
    do_create_company,
    do_remove_contact,
)
from balcao.customers.models import AddOn, Channel, Company, Contact, Plan
from balcao.customers.selectors import contact_email_problem
from balcao.customers.validators import normalize_cnpj, validate_cnpj

TARGETS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
CONTRACT_TARGETS = tuple(f"contract_{t}" for t in TARGETS)


def check_targets(form: forms.BaseForm, first: str, resolution: str) -> None:
    """Targets of at least one minute, and a resolution no sooner than the first response."""
    data = form.cleaned_data
    for name in form.fields:
        if name.endswith("_minutes") and data.get(name) == 0:
            form.add_error(name, _("A target is at least one business minute."))
    if data.get(first) and data.get(resolution) and data[resolution] < data[first]:
        form.add_error(resolution, _("Resolution cannot be due before the first response."))


class PlanForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Plan
        fields = ["name", "name_en", "slug", "tier", "channels", *TARGETS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.initial.get("channels")
        # A stored value that is not a list of channels (a hand edit) shows as none ticked.
        self.initial["channels"] = (
            [c for c in stored if c in Channel.values] if isinstance(stored, list) else []
        )

    def clean(self):
        check_targets(self, "first_response_minutes", "resolution_minutes")
        return self.cleaned_data


def _channel_column(channel: Channel) -> Callable[[Plan], bool]:
    @admin.display(description=channel.label, boolean=True)
    def column(plan: Plan) -> bool:
        return plan.allows_channel(channel.value)

    column.__name__ = f"channel_{channel.value}"
    return column


@admin.register(Plan)
class PlanAdmin(ShownInListsAdmin):
    """Each plan a row of the channel matrix (R13), with its SLA targets (R15)."""

    form = PlanForm
    list_display = ["name", "tier", *(_channel_column(c) for c in Channel), *TARGETS]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "tier"]}),
        (_("Channels"), {"fields": ["channels", "phone_number"]}),
        (_("SLA targets (business minutes)"), {"fields": list(TARGETS)}),
        (_("Meetings"), {"fields": ["meetings_per_month", "meeting_horizon_days"]}),
    ]


@admin.register(AddOn)
class AddOnAdmin(ShownInListsAdmin):  # the ticket pages name the company's add-ons
    list_display = ["name", "slug"]


class ContactForm(forms.ModelForm):
    """A new authorized contact: who, and the primary contact's consent staff act on."""

    email = forms.EmailField(label=_("e-mail"), required=False)
    name = forms.CharField(label=_("name"), required=False)
    consent = forms.CharField(
        label=_("primary contact's consent"),
        required=False,
        help_text=_("How the primary contact asked for it (e-mail, call…)."),
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk is None and self.has_changed():
            if not data.get("email"):
                self.add_error("email", _("Give the new contact's e-mail."))
            elif problem := contact_email_problem(data["email"]):
                self.add_error("email", problem)
            if not data.get("consent"):
                self.add_error("consent", _("Say how the primary contact asked for it."))
        return data


class ContactFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.is_primary:
                raise ValidationError(_("The primary contact cannot be removed."))


class ContactInline(admin.TabularInline):
    """Contacts are listed; new ones are authorized and removed ones withdrawn by the actions."""

    model = Contact
    fk_name = "company"
    form = ContactForm
    formset = ContactFormSet
    fields = ["email", "name", "is_primary", "consent"]
    readonly_fields = ["is_primary"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and super().has_add_permission(request, obj)

    @admin.display(description=_("e-mail"))
    def email(self, contact: Contact) -> str:
        return contact.user.email

    @admin.display(description=_("name"))
    def name(self, contact: Contact) -> str:
        return contact.user.name

    @admin.display(description=_("primary contact's consent"))
    def consent(self, contact: Contact) -> str:
        return ""


class CompanyForm(forms.ModelForm):
    cnpj = forms.CharField(
        label=_("CNPJ"), max_length=18, required=False, help_text=_("e.g. 11.222.333/0001-81")
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "cnpj",
            "plan",
            "addons",
            "is_active",
            *CONTRACT_TARGETS,
        ]

    def clean_cnpj(self):
        cnpj = self.cleaned_data["cnpj"]
        if cnpj:
            validate_cnpj(cnpj)
        return normalize_cnpj(cnpj)

    def clean(self):
        check_targets(self, "contract_first_response_minutes", "contract_resolution_minutes")
        return self.cleaned_data


class CompanyAddForm(CompanyForm):
    primary_email = forms.EmailField(label=_("primary contact's e-mail"))
    primary_name = forms.CharField(label=_("primary contact's name"), required=False)

    def clean_primary_email(self):
        email = self.cleaned_data["primary_email"]
        if problem := contact_email_problem(email):
            raise ValidationError(problem)
        return email


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "cnpj_formatted", "plan", "is_active"]
    list_filter = ["plan", "addons", "is_active"]
    list_select_related = ["plan"]
    search_fields = ["name", "cnpj", "contacts__user__email"]
    filter_horizontal = ["addons"]
    inlines = [ContactInline]
    fieldsets = [
        (None, {"fields": ["name", "cnpj", "plan", "addons", "is_active"]}),
        (_("SLA by contract"), {"fields": CONTRACT_TARGETS}),
    ]
    add_fieldsets = [
        (None, {"fields": ["name", "cnpj", "plan", "addons", "primary_email", "primary_name"]}),
        (_("SLA by contract"), {"fields": CONTRACT_TARGETS}),
    ]

    @admin.display(description=_("CNPJ"), ordering="cnpj")
    def cnpj_formatted(self, company: Company) -> str:
        return company.cnpj_display

    def get_form(
        self, request: HttpRequest, obj: Company | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Company]]:
        kwargs["form"] = CompanyForm if obj else CompanyAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.add_fieldsets

    def has_delete_permission(self, request, obj=None):
        # A company's tickets are history (R17): it is deactivated, never deleted.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {f: data[f] for f in COMPANY_FIELDS if f in data}
        if not change:
            company = do_create_company(
                name=data["name"],
                plan=data["plan"],
                primary_email=data["primary_email"],
                primary_name=data["primary_name"],
                cnpj=data["cnpj"],
                addons=list(data["addons"]),
                actor=request.user,
            )
            do_change_company(company, actor=request.user, **fields)
            obj.pk = company.pk
        else:
            do_change_company(obj, actor=request.user, addons=list(data["addons"]), **fields)

    def save_related(self, request, form, formsets, change):
        # The add-ons were saved by the action; only the contacts remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        removed = [f.instance for f in formset.deleted_forms]
        for contact in removed:
            do_remove_contact(contact, actor=request.user)
        added = [
            do_authorize_contact(
                form.instance,
                actor=request.user,
                email=f.cleaned_data["email"],
                name=f.cleaned_data["name"],
                consent=f.cleaned_data["consent"],
            )
            for f in formset.extra_forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        # What the admin's own log of this change lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], removed
