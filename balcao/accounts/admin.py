"""The team (staff members, their roles and departments) and the departments. Staff are added
and changed through the actions, each change an Event; customer contacts are managed on their
company (R2), so this list holds staff only."""

import copy
from typing import TypeVar, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from balcao.accounts.actions import (
    STAFF_FIELDS,
    do_add_staff_member,
    do_change_staff_member,
    do_set_password,
)
from balcao.accounts.models import AccountEvent, Department, User
from balcao.core.admin import ShownInListsAdmin
from balcao.core.clients import client_address

F = TypeVar("F", bound=forms.Form)


def for_request(form: type[F], request: HttpRequest) -> type[F]:
    """``form`` knowing who sets the password and from where. Django's password views build
    their form from a class, shared by every request: a subclass is made per request."""
    attributes = {"actor": cast(User, request.user), "client": client_address(request)}
    return cast(type[F], type(form.__name__, (form,), attributes))


class OwnPasswordChangeForm(OwnPasswordForm):
    actor: User
    client: str

    def save(self, commit=True):
        do_set_password(
            self.user, self.cleaned_data["new_password1"], actor=self.actor, client=self.client
        )
        return self.user


def own_password_change(request):
    """The admin site's "change my password" page, through do_set_password (the admin site
    has no setting for its form)."""
    return PasswordChangeView.as_view(
        form_class=for_request(OwnPasswordChangeForm, request),
        success_url=reverse("admin:password_change_done"),
        template_name="registration/password_change_form.html",
        extra_context=admin.site.each_context(request),
    )(request)


class StaffPasswordForm(AdminPasswordChangeForm):
    """A new password for a staff member, set by the action; no "unusable password" choice:
    a member who should not sign in is deactivated."""

    usable_password = None
    actor: User
    client: str

    def save(self, commit=True):
        do_set_password(
            self.user, self.cleaned_data["password1"], actor=self.actor, client=self.client
        )
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = StaffPasswordForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active"]
    list_filter = ["role", "is_active", "departments"]
    search_fields = ["email", "name"]
    filter_horizontal = ["departments"]
    readonly_fields = ["email", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (_("Support team"), {"fields": ["role", "departments"]}),
        (_("Preferences"), {"fields": ["language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "role", "departments", "password1", "password2"],
            },
        )
    ]

    def user_change_password(self, request, id, form_url=""):
        """Django's page, with a form that knows who sets the password and from where (on a
        copy of this admin, which is shared by every request)."""
        bound = copy.copy(self)
        bound.change_password_form = for_request(StaffPasswordForm, request)
        return BaseUserAdmin.user_change_password(bound, request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(role="")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [c for c in User.Role.choices if c[0]]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Their tickets' history names them (R17): a member who leaves is deactivated.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            do_change_staff_member(
                obj,
                actor=request.user,
                departments=list(data["departments"]),
                **{f: data[f] for f in STAFF_FIELDS if f in data},
            )
            return
        user = do_add_staff_member(
            actor=request.user,
            email=data["email"],
            name=data["name"],
            role=data["role"],
            password=data.get("password1") or None,
            departments=list(data["departments"]),
        )
        obj.pk = user.pk

    def save_related(self, request, form, formsets, change):
        """The departments were saved by the action."""


@admin.register(Department)
class DepartmentAdmin(ShownInListsAdmin):
    """What the customer reads when choosing (R4, R9), where mail arrives, and who may open."""

    list_display = [
        "name",
        "email",
        "min_plan",
        "required_addon",
        "requires_reference",
        "restricted",
        "is_active",
        "position",
    ]
    list_editable = ["position"]
    list_select_related = ["min_plan", "required_addon"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "email", "is_active", "position"]}),
        (
            _("What the customer reads"),
            {"fields": ["description", "description_en", "guidance", "guidance_en"]},
        ),
        (
            _("Who may open tickets here"),
            {
                "fields": [
                    "min_plan",
                    "required_addon",
                    "requires_reference",
                    "restricted",
                    "is_fallback",
                ]
            },
        ),
    ]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """Every person's security history (staff and contacts), read only: written by the
    actions, never by hand."""

    list_display = ["created_at", "user", "kind", "actor", "client_address"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    list_select_related = ["user", "actor"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
