"""What the apps' admins share."""

from django.contrib import admin

from balcao.core.listcache import names_changed


class ShownInListsAdmin(admin.ModelAdmin):
    """A model whose names the kept ticket lists show (a plan, a department, a tag) and that
    the admin saves itself: each save or deletion moves every list token in the post's
    transaction (``core.listcache.names_changed``), so the lists show it at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        names_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        names_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        names_changed()
