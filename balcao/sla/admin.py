"""Business hours, holidays and extra days; channel hours; SLA policies — as forms validated
on save, and a warning where a stored value (older version, hand edit) cannot be read."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balcao.sla.forms import WEEKDAYS, BusinessCalendarForm, SlaPolicyForm
from balcao.sla.models import BusinessCalendar, ChannelHours, SlaPolicy
from balcao.sla.selectors import calendar_problem


def unreadable_calendars(request) -> list[str]:
    return [
        _(
            "The hours “%(name)s” cannot be read (%(problem)s): the default hours count until "
            "they are saved again."
        )
        % {"name": calendar.name, "problem": problem}
        for calendar in BusinessCalendar.objects.all()
        if (problem := calendar_problem(calendar))
    ]


admin.site.warning_sources.append(unreadable_calendars)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Opening hours, holidays (Brazil, a state, Carnival) and extra closed or open dates."""

    form = BusinessCalendarForm
    list_display = [
        "name",
        "tz",
        "subdivision",
        "observe_holidays",
        "carnival",
        "is_default",
        "state",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "tz", "is_default"]}),
        (gettext_lazy("Opening hours"), {"fields": [name for name, _label in WEEKDAYS]}),
        (
            gettext_lazy("Holidays and extra days"),
            {"fields": ["observe_holidays", "subdivision", "carnival", "closed_text", "open_text"]},
        ),
    ]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description=gettext_lazy("state of the value"))
    def state(self, calendar: BusinessCalendar) -> str:
        problem = calendar_problem(calendar)
        return _("cannot be read: %(problem)s") % {"problem": problem} if problem else _("ok")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and (problem := calendar_problem(obj)) and request.method == "GET":
            self.message_user(
                request,
                _("The stored hours cannot be read (%(problem)s): fill them in and save.")
                % {"problem": problem},
                level="warning",
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


@admin.register(ChannelHours)
class ChannelHoursAdmin(admin.ModelAdmin):
    """When each real-time channel answers (R14): one set of hours per channel."""

    list_display = ["channel", "calendar", "position"]
    list_editable = ["calendar", "position"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """A department's own targets, for one plan or every plan; the plan's targets otherwise."""

    form = SlaPolicyForm
    list_display = [
        "department",
        "plan",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    list_filter = ["department", "plan"]
    list_select_related = ["department", "plan", "calendar"]
