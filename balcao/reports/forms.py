from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balcao.reports.selectors import ReportChoices, ReportScope, report_zone
from balcao.sla.forms import PeriodForm

LONGEST = timedelta(days=731)


class ReportForm(PeriodForm):
    """The period (Brasília dates, shown in the date inputs) and the filters, each among what
    the viewer may see; anything else is refused with a message saying what to choose."""

    department = forms.ChoiceField(
        label=_("Department"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the departments you work in.")},
    )
    plan = forms.ChoiceField(
        label=_("Plan"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the plans.")},
    )
    agent = forms.ChoiceField(
        label=_("Agent"),
        required=False,
        error_messages={"invalid_choice": _("Choose an agent of your departments.")},
    )

    def __init__(self, choices: ReportChoices, data: Any) -> None:
        today = timezone.now().astimezone(report_zone()).date()
        super().__init__({"start": today - timedelta(days=29), "end": today, **data})
        self.choices = choices
        for name, options in (
            ("department", [(d.slug, d.localized("name")) for d in choices.departments]),
            ("plan", [(p.slug, p.localized("name")) for p in choices.plans]),
            ("agent", [(str(a.pk), a.display_name) for a in choices.agents]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("All")), *options]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end - start > LONGEST:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        return data

    def scope(self, page: int | None) -> ReportScope:
        data, choices = self.cleaned_data, self.choices
        return ReportScope(
            choices=choices,
            start=data["start"],
            end=data["end"],
            department=next((d for d in choices.departments if d.slug == data["department"]), None),
            plan=next((p for p in choices.plans if p.slug == data["plan"]), None),
            agent=next((a for a in choices.agents if str(a.pk) == data["agent"]), None),
            page=page,
        )
