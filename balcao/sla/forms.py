import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from balcao.sla.calendar import Calendar
from balcao.sla.models import BusinessCalendar, SlaPolicy


class PeriodForm(forms.Form):
    # A date input shows only an ISO value, whatever the language's own date format.
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


# --- settings: business hours, holidays, extra days (R14, R15) ------------------------------

WEEKDAYS = [
    ("monday", _("Monday")),
    ("tuesday", _("Tuesday")),
    ("wednesday", _("Wednesday")),
    ("thursday", _("Thursday")),
    ("friday", _("Friday")),
    ("saturday", _("Saturday")),
    ("sunday", _("Sunday")),
]
INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
HOURS_HELP = _("For example 09:00-12:00, 13:00-18:00; empty: closed.")


def parse_intervals(text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-18:00" → [["09:00", "12:00"], ["13:00", "18:00"]], checked."""
    intervals = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text or ""))):
        match = INTERVAL.match(part)
        if not match:
            raise forms.ValidationError(
                _("“%(part)s” is not an interval: write it as 09:00-17:00.") % {"part": part}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise forms.ValidationError(_("“%(part)s” is not a time of day.") % {"part": part})
        intervals.append([f"{h1:02}:{m1:02}", f"{h2 % 24:02}:{m2:02}"])
    starts = sorted(intervals)
    for (s1, e1), (s2, _e2) in zip(starts, starts[1:], strict=False):
        if e1 > s2 or e1 <= s1:
            raise forms.ValidationError(_("The intervals of a day must not overlap."))
    return intervals


def format_intervals(hours) -> str:
    try:
        return ", ".join(f"{start}-{end}" for start, end in hours)
    except (TypeError, ValueError):
        return ""


def parse_date(text: str) -> date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise forms.ValidationError(
        _("“%(text)s” is not a date: write it as 25/12/2026 or 2026-12-25.") % {"text": text}
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _day(label, help_text="") -> forms.CharField:
    return forms.CharField(label=capfirst(label), required=False, help_text=help_text)


def _subdivisions() -> list[tuple[str, str]]:
    import holidays  # only where the form is shown: the package takes 100+ ms to import

    states = [(s, s) for s in holidays.Brazil.subdivisions if len(s) == 2]
    return [("", str(_("National holidays only"))), *states]


class BusinessCalendarForm(forms.ModelForm):
    """Opening hours per weekday (several intervals a day), holidays and extra days, as fields
    a person fills in; what is stored is always a calendar that can be read."""

    monday = _day(WEEKDAYS[0][1], HOURS_HELP)
    tuesday = _day(WEEKDAYS[1][1])
    wednesday = _day(WEEKDAYS[2][1])
    thursday = _day(WEEKDAYS[3][1])
    friday = _day(WEEKDAYS[4][1])
    saturday = _day(WEEKDAYS[5][1])
    sunday = _day(WEEKDAYS[6][1])

    subdivision = forms.ChoiceField(
        label=capfirst(_("state")),
        required=False,
        choices=_subdivisions,
        help_text=_("Adds the state's holidays."),
    )
    closed_text = forms.CharField(
        label=capfirst(_("extra closed dates")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One date a line, e.g. 24/12/2026."),
    )
    open_text = forms.CharField(
        label=capfirst(_("extra open dates")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One date a line with its hours, e.g. 24/12/2026 09:00-13:00: open on that date, "
            "these hours only (also on a holiday)."
        ),
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "slug", "tz", "observe_holidays", "subdivision", "carnival", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weekly = self.instance.weekly if isinstance(self.instance.weekly, list) else []
        for index, (name, _label) in enumerate(WEEKDAYS):
            if self.instance.pk and index < len(weekly):
                self.initial[name] = format_intervals(weekly[index])
        closed = self.instance.closed_dates
        if isinstance(closed, list):
            self.initial["closed_text"] = "\n".join(map(str, closed))
        opened = self.instance.open_dates
        if isinstance(opened, dict):
            self.initial["open_text"] = "\n".join(
                f"{day} {format_intervals(hours)}" for day, hours in opened.items()
            )

    def clean_tz(self):
        tz = self.cleaned_data["tz"].strip()
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("“%(tz)s” is not a time zone: write it as America/Sao_Paulo.") % {"tz": tz}
            ) from None
        return tz

    def clean_closed_text(self):
        return sorted(
            {parse_date(line).isoformat() for line in _lines(self.cleaned_data["closed_text"])}
        )

    def clean_open_text(self):
        days = {}
        for line in _lines(self.cleaned_data["open_text"]):
            day, _space, hours = line.partition(" ")
            intervals = parse_intervals(hours)
            if not intervals:
                raise forms.ValidationError(
                    _("Give the hours of %(day)s, e.g. 09:00-13:00.") % {"day": day}
                )
            days[parse_date(day).isoformat()] = intervals
        return days

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        weekly = []
        for name, _label in WEEKDAYS:
            try:
                weekly.append(parse_intervals(data.get(name, "")))
            except forms.ValidationError as error:
                self.add_error(name, error)
        if len(weekly) == 7 and not any(weekly):
            self.add_error(WEEKDAYS[0][0], _("Open at least one interval a week."))
        if self.errors:
            return data
        try:
            Calendar.build(data["tz"], weekly)
        except ValueError:
            # Intervals running past midnight into the next day's.
            raise forms.ValidationError(_("Weekly opening intervals overlap.")) from None
        self.instance.weekly = weekly
        self.instance.closed_dates = data["closed_text"]
        self.instance.open_dates = data["open_text"]
        return data


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "department",
            "plan",
            "calendar",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
            if data.get(name) == 0:
                self.add_error(name, _("A target is at least one business minute."))
        first, resolution = data.get("first_response_minutes"), data.get("resolution_minutes")
        if first and resolution and resolution < first:
            self.add_error(
                "resolution_minutes", _("Resolution cannot be due before the first response.")
            )
        return data
