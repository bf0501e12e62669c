"""How a channel's hours read to a person (R13, R14): the weekly hours of its calendar and
whether it is open now or when it opens — in the calendar's zone (Brasília time by default)
and also in the viewer's zone when that one differs. Pure: no database, the clock is passed."""

from datetime import datetime, time, tzinfo

from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from balcao.sla.calendar import Calendar, next_opening, open_at

BRASILIA = "America/Sao_Paulo"


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _zone_name(cal: Calendar) -> str:
    return _("Brasília time") if cal.tz.key == BRASILIA else cal.tz.key


def weekly_hours(cal: Calendar) -> str:
    """ "Monday to Friday, 9:00–17:00; Saturday, 9:00–13:00 (Brasília time), closed on
    holidays": consecutive weekdays with the same hours are told once."""
    groups: list[tuple[int, int, str]] = []
    for day, hours in enumerate(cal.weekly):
        if not hours:
            continue
        text = ", ".join(f"{_clock(s)}–{_clock(e)}" for s, e in hours)
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    parts = []
    for first, last, text in groups:
        days = (
            str(WEEKDAYS[first])
            if first == last
            else _("%(first)s to %(last)s") % {"first": WEEKDAYS[first], "last": WEEKDAYS[last]}
        )
        parts.append(f"{days}, {text}")
    sentence = _("%(hours)s (%(zone)s)") % {"hours": "; ".join(parts), "zone": _zone_name(cal)}
    if cal.observe_holidays:
        sentence = _("%(hours)s, closed on holidays") % {"hours": sentence}
    return sentence


def _when(value: datetime, today: datetime) -> str:
    """ "today at 9:00", "tomorrow at 9:00", "monday at 9:00", "on 03/03/2026 at 9:00" — of
    ``value`` seen from ``today``, both already in the zone to tell them in."""
    days = (value.date() - today.date()).days
    at = {"time": _clock(value.time()), "weekday": date_format(value, "l").lower()}
    if days == 0:
        return _("today at %(time)s") % at
    if days == 1:
        return _("tomorrow at %(time)s") % at
    if days < 7:
        return _("%(weekday)s at %(time)s") % at
    return _("on %(date)s at %(time)s") % {**at, "date": date_format(value, "SHORT_DATE_FORMAT")}


def opens_sentence(cal: Calendar, opens_at: datetime, now: datetime, viewer: tzinfo) -> str:
    """When a closed channel opens: "opens monday at 9:00", in the calendar's zone, followed by
    the viewer's time when their zone's clock differs then: "(13:00 your time)"."""
    local, today = opens_at.astimezone(cal.tz), now.astimezone(cal.tz)
    sentence = _("opens %(when)s") % {"when": _when(local, today)}
    theirs = opens_at.astimezone(viewer)
    if theirs.utcoffset() != local.utcoffset():
        sentence = _("%(sentence)s (%(when)s your time)") % {
            "sentence": sentence,
            "when": _when(theirs, now.astimezone(viewer)),
        }
    return sentence


def open_sentence(
    cal: Calendar, now: datetime, viewer: tzinfo
) -> tuple[bool, datetime | None, str]:
    """Open now or not, when it opens (None while open), and the sentence a person reads:
    "open now" or "opens today at 14:00" — holidays and extra dates of the calendar apply."""
    if open_at(cal, now):
        return True, None, _("open now")
    opens_at = next_opening(cal, now)
    return False, opens_at, opens_sentence(cal, opens_at, now, viewer)
