from django.contrib import admin

from balcao.customers.models import AddOn, Company, Contact, Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "channels", "phone_number", "first_response_minutes"]


@admin.register(AddOn)
class AddOnAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


class ContactInline(admin.TabularInline):
    model = Contact
    fk_name = "company"
    raw_id_fields = ["user", "added_by"]
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "cnpj", "plan", "is_active"]
    list_filter = ["plan", "addons", "is_active"]
    search_fields = ["name", "cnpj", "contacts__user__email"]
    filter_horizontal = ["addons"]
    inlines = [ContactInline]
