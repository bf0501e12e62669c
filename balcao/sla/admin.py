from django.contrib import admin

from balcao.sla.models import BusinessCalendar, ChannelHours, SlaPolicy


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Opening hours, holidays (Brazil, a state, Carnival) and extra closed or open dates."""

    list_display = ["name", "tz", "subdivision", "observe_holidays", "carnival", "is_default"]


@admin.register(ChannelHours)
class ChannelHoursAdmin(admin.ModelAdmin):
    list_display = ["channel", "calendar", "position"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """A department's own targets, for one plan or every plan; the plan's targets otherwise."""

    list_display = ["department", "plan", "first_response_minutes", "resolution_minutes"]
    list_filter = ["department", "plan"]
