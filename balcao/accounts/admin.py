from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from balcao.accounts.actions import do_set_password
from balcao.accounts.models import Department, User


class PasswordChangeForm(AdminPasswordChangeForm):
    """Through the action, so that the user's API tokens end with the old password."""

    def save(self, commit=True):
        usable = self.cleaned_data["set_usable_password"]
        do_set_password(self.user, self.cleaned_data["password1"] if usable else None)
        return self.user


class OwnPasswordChangeForm(OwnPasswordForm):
    def save(self, commit=True):
        do_set_password(self.user, self.cleaned_data["new_password1"])
        return self.user


def own_password_change(request):
    """The admin site's "change my password" page, through do_set_password (the admin site
    has no setting for its form)."""
    return PasswordChangeView.as_view(
        form_class=OwnPasswordChangeForm,
        success_url=reverse("admin:password_change_done"),
        template_name="registration/password_change_form.html",
        extra_context=admin.site.each_context(request),
    )(request)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active"]
    list_filter = ["role", "is_active", "departments"]
    search_fields = ["email", "name"]
    filter_horizontal = ["departments", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (_("Support team"), {"fields": ["role", "departments"]}),
        (_("Preferences"), {"fields": ["language", "time_zone"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]})
    ]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
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
    prepopulated_fields = {"slug": ["name"]}
