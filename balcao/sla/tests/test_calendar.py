"""Business-time math: hand-checked cases and hypothesis properties."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balcao.sla.calendar import (
    Calendar,
    add_business,
    business_seconds,
    next_opening,
    open_at,
)
from balcao.sla.profile import default_calendar

SP = ZoneInfo("America/Sao_Paulo")
H = 3600
CAL = default_calendar()
ALWAYS = Calendar.build("America/Sao_Paulo", [[["00:00", "00:00"]]] * 7, observe_holidays=False)
NIGHTS = Calendar.build(  # night shifts Monday to Saturday, Saturday morning, closed Sunday
    "America/Sao_Paulo",
    [[["22:00", "02:00"]]] * 5 + [[["08:00", "12:00"], ["22:00", "02:00"]], []],
    subdivision="SP",
)


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


def test_a_plain_day_and_a_weekend():
    assert business_seconds(CAL, sp(2026, 3, 2, 8), sp(2026, 3, 2, 18)) == 8 * H
    assert business_seconds(CAL, sp(2026, 3, 6, 16), sp(2026, 3, 9, 10)) == 2 * H
    assert add_business(CAL, sp(2026, 3, 6, 16), 2 * H) == sp(2026, 3, 9, 10)


def test_carnival_is_closed_in_the_default_profile():
    """Carnival Monday and Tuesday 2026 (16, 17 February) are off, as the support page's
    business practice; Ash Wednesday is a working day."""
    assert add_business(CAL, sp(2026, 2, 13, 16), 2 * H) == sp(2026, 2, 18, 10)
    assert not open_at(CAL, sp(2026, 2, 17, 10))
    assert next_opening(CAL, sp(2026, 2, 13, 17)) == sp(2026, 2, 18, 9)
    without = Calendar.build("America/Sao_Paulo", [[["09:00", "17:00"]]] * 5 + [[], []])
    assert open_at(without, sp(2026, 2, 17, 10))


def test_good_friday_christmas_and_new_year():
    assert business_seconds(CAL, sp(2026, 4, 2, 9), sp(2026, 4, 6, 17)) == 16 * H
    # Wednesday 24 December 2025, 16:00, plus 10 business hours: 1 on the 24th, Christmas
    # off, 8 on Friday the 26th, the weekend not, 1 on Monday the 29th.
    assert add_business(CAL, sp(2025, 12, 24, 16), 10 * H) == sp(2025, 12, 29, 10)
    assert add_business(CAL, sp(2025, 12, 31, 16), 2 * H) == sp(2026, 1, 2, 10)
    assert business_seconds(CAL, sp(2025, 12, 31, 12), sp(2026, 1, 2, 12)) == 8 * H


def test_extra_closed_and_open_days():
    cal = Calendar.build(
        "America/Sao_Paulo",
        [[["09:00", "17:00"]]] * 5 + [[], []],
        closed=["2026-03-04"],
        open_days={"2026-03-07": [["10:00", "12:00"]], "2026-04-03": [["09:00", "13:00"]]},
    )
    assert business_seconds(cal, sp(2026, 3, 2), sp(2026, 3, 9)) == 4 * 8 * H + 2 * H
    assert open_at(cal, sp(2026, 4, 3, 12, 59))
    assert not open_at(cal, sp(2026, 4, 3, 13))


def test_state_holiday():
    """9 July is a holiday in São Paulo state, not nationally."""
    assert not open_at(NIGHTS, sp(2026, 7, 9, 23))
    assert open_at(NIGHTS, sp(2026, 7, 8, 23))
    assert open_at(NIGHTS, sp(2026, 7, 9, 1))  # Wednesday's shift still runs into the 9th


def test_brazil_dst_history_exact_to_the_second():
    # Clocks jumped 00:00 → 01:00 on 4 November 2018: that local day had 23 hours,
    # and 16 February 2019 (clocks back at midnight) had 25.
    assert business_seconds(ALWAYS, sp(2018, 11, 4), sp(2018, 11, 5)) == 23 * H
    assert business_seconds(ALWAYS, sp(2019, 2, 16), sp(2019, 2, 17)) == 25 * H
    assert (
        business_seconds(ALWAYS, sp(2018, 10, 1), sp(2019, 3, 1))
        == (sp(2019, 3, 1) - sp(2018, 10, 1)).total_seconds()
    )
    # Friday 2 November was a holiday (Finados); Saturday's night shift crossed the jump
    # and lasted 3 hours; Monday's shift ran at offset −02:00.
    assert business_seconds(NIGHTS, sp(2018, 11, 2, 12), sp(2018, 11, 6, 12)) == (
        4 * H + 3 * H + 4 * H
    )
    assert add_business(NIGHTS, sp(2018, 11, 2, 12), 8 * H) == datetime(2018, 11, 6, 1, tzinfo=UTC)


def test_add_business_returns_utc_and_zero_is_start():
    start = sp(2026, 3, 7, 12)
    assert add_business(CAL, start, 0) == start
    assert add_business(CAL, start, 1).tzinfo is UTC
    with pytest.raises(ValueError):
        add_business(CAL, start, -1)


def test_overlapping_weekly_intervals_are_refused():
    with pytest.raises(ValueError):
        Calendar.build("UTC", [[["09:00", "12:00"], ["11:00", "13:00"]]] + [[]] * 6)
    with pytest.raises(ValueError):  # Sunday night into Monday morning
        Calendar.build("UTC", [[["09:00", "12:00"]]] + [[]] * 5 + [[["20:00", "10:00"]]])
    with pytest.raises(ValueError):
        Calendar.build("UTC", [[]] * 7)


def test_a_week_skipped_equals_the_day_by_day_sum():
    start, end = sp(2017, 1, 1, 7), sp(2020, 12, 31, 19)
    assert business_seconds(CAL, start, end) == reference_seconds(CAL, start, end)


def reference_seconds(cal: Calendar, start: datetime, end: datetime) -> float:
    """Day by day, no skipping: what the fast path must agree with."""
    total, reach = timedelta(0), start
    day = cal.local_date(start) - timedelta(days=1)
    while day <= cal.local_date(end):
        for s, e in cal.day_intervals(day):
            s, e = max(s, reach), min(e, end)
            if e > s:
                total, reach = total + (e - s), e
        day += timedelta(days=1)
    return total.total_seconds()


calendars = st.sampled_from([CAL, NIGHTS, ALWAYS])
instants = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
durations = st.integers(min_value=0, max_value=90 * 8 * H)


@settings(max_examples=300, deadline=None)
@given(calendars, instants, durations)
def test_adding_then_measuring_gives_the_duration_back(cal, start, seconds):
    end = add_business(cal, start, seconds)
    assert business_seconds(cal, start, end) == seconds


@settings(max_examples=300, deadline=None)
@given(calendars, instants, st.integers(min_value=1, max_value=90 * 8 * H))
def test_never_ends_inside_a_closed_period(cal, start, seconds):
    end = add_business(cal, start, seconds)
    assert open_at(cal, end - timedelta(seconds=1))
    assert business_seconds(cal, end - timedelta(seconds=1), end) == 1


@settings(max_examples=200, deadline=None)
@given(calendars, instants, durations, durations)
def test_monotonic(cal, start, a, b):
    a, b = sorted((a, b))
    assert add_business(cal, start, a) <= add_business(cal, start, b)
    assert business_seconds(cal, start, start + timedelta(seconds=a)) <= business_seconds(
        cal, start, start + timedelta(seconds=b)
    )


@settings(max_examples=200, deadline=None)
@given(calendars, instants, st.integers(0, 200 * 86400), st.integers(0, 200 * 86400))
def test_measuring_agrees_with_the_day_by_day_sum_and_adds_up(cal, start, a, b):
    middle, end = start + timedelta(seconds=a), start + timedelta(seconds=a + b)
    assert business_seconds(cal, start, end) == reference_seconds(cal, start, end)
    assert business_seconds(cal, start, end) == business_seconds(
        cal, start, middle
    ) + business_seconds(cal, middle, end)


@settings(max_examples=200, deadline=None)
@given(calendars, instants)
def test_next_opening_is_open_and_nothing_before_it(cal, instant):
    opening = next_opening(cal, instant)
    assert open_at(cal, opening)
    assert business_seconds(cal, instant, opening) == 0
    assert (opening == instant) == open_at(cal, instant)


def test_local_dates_are_the_calendar_zone():
    assert CAL.local_date(datetime(2026, 3, 3, 2, tzinfo=UTC)) == date(2026, 3, 2)


@pytest.mark.django_db
def test_holidays_are_computed_once_and_then_read_from_the_shared_cache():
    """A new process (the MTA's pipe starts one per message) reads a year's holidays from
    the cache instead of importing and computing the package's again."""
    from django.core.cache import cache

    from balcao.sla import calendar

    cache.delete("sla:holidays::2031")
    calendar._holidays.cache_clear()
    assert date(2031, 9, 7) in calendar._holidays("", 2031)  # Independence Day
    assert "2031-09-07" in cache.get("sla:holidays::2031")
    cache.set("sla:holidays::2031", ["2031-03-12"])  # what another process stored
    calendar._holidays.cache_clear()  # as in a new process
    cal = Calendar.build("America/Sao_Paulo", [[["09:00", "17:00"]]] * 7)
    assert not open_at(cal, datetime(2031, 3, 12, 12, tzinfo=SP))
    assert open_at(cal, datetime(2031, 9, 7, 12, tzinfo=SP))
    calendar._holidays.cache_clear()
