"""Slots against the business calendar: hand-checked holidays, DST and day boundaries, and
hypothesis properties over twenty years of Brazilian calendars (DST until 2019)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from balcao.meetings.slots import Availability, ceil_granule, claimed, free_slots, grid
from balcao.sla.calendar import Calendar, business_time
from balcao.sla.profile import default_calendar

SP = ZoneInfo("America/Sao_Paulo")
CAL = default_calendar()
ALWAYS = Calendar.build("America/Sao_Paulo", [[["00:00", "00:00"]]] * 7, observe_holidays=False)
NIGHTS = Calendar.build(
    "America/Sao_Paulo",
    [[["22:00", "02:00"]]] * 5 + [[["08:00", "12:00"], ["22:00", "02:00"]], []],
    subdivision="SP",
)
M = timedelta(minutes=1)


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


def hours(*pairs: str) -> tuple[tuple[time, time], ...]:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)


WEEKDAYS = Availability(
    weekly=(hours(("09:00", "12:00"), ("14:00", "17:00")),) * 5 + ((), ()),
    length=30 * M,
    buffer=10 * M,
)


def starts(slots) -> list[datetime]:
    return [s.astimezone(SP).replace(tzinfo=None) for s, _e in slots]


def test_a_plain_day_follows_length_then_buffer_inside_both_calendars():
    slots = free_slots(CAL, WEEKDAYS, date(2026, 3, 2), date(2026, 3, 2))
    # The default calendar closes at 17:00 and opens at 9:00; the host's afternoon starts at 14.
    assert starts(slots) == [
        datetime(2026, 3, 2, h, m)
        for h, m in [(9, 0), (9, 40), (10, 20), (11, 0), (14, 0), (14, 40), (15, 20), (16, 0)]
    ]
    assert all(e - s == 30 * M for s, e in slots)


def test_holidays_and_carnival_have_no_slots():
    # Tiradentes (Tuesday 21 April 2026) and Carnival (16–17 February 2026) are closed.
    assert free_slots(CAL, WEEKDAYS, date(2026, 4, 21), date(2026, 4, 21)) == []
    assert free_slots(CAL, WEEKDAYS, date(2026, 2, 16), date(2026, 2, 17)) == []
    assert free_slots(CAL, WEEKDAYS, date(2026, 4, 20), date(2026, 4, 20))


def test_dst_history_keeps_the_wall_clock():
    # Brazil's DST began on 4 November 2018 (UTC−2) and ended on 17 February 2019.
    before = free_slots(CAL, WEEKDAYS, date(2018, 11, 1), date(2018, 11, 1))
    during = free_slots(CAL, WEEKDAYS, date(2018, 11, 5), date(2018, 11, 5))
    after = free_slots(CAL, WEEKDAYS, date(2019, 2, 18), date(2019, 2, 18))
    assert before[0][0] == datetime(2018, 11, 1, 12, tzinfo=UTC)
    assert during[0][0] == datetime(2018, 11, 5, 11, tzinfo=UTC)
    assert after[0][0] == datetime(2019, 2, 18, 12, tzinfo=UTC)
    assert starts(before)[0].time() == starts(during)[0].time() == time(9)


def test_the_night_the_clock_jumped_has_one_hour_less():
    # 4 November 2018: midnight did not exist, the day began at 01:00.
    night = Availability(weekly=(hours(("00:00", "03:00")),) * 7, length=60 * M, buffer=0 * M)
    jumped = free_slots(ALWAYS, night, date(2018, 11, 4), date(2018, 11, 4))
    ordinary = free_slots(ALWAYS, night, date(2018, 11, 11), date(2018, 11, 11))
    assert len(ordinary) == 3
    assert len(jumped) == 2
    assert all(e - s == 60 * M for s, e in jumped)


def test_an_overnight_opening_gives_slots_after_midnight_on_the_next_date():
    late = Availability(
        weekly=(hours(("00:00", "01:00"), ("22:00", "23:55")),) * 7, length=30 * M, buffer=10 * M
    )
    # Sunday 1 March 2026 00:00 is Saturday night's opening (until 02:00); Sunday night is
    # closed, so Monday has no slot after midnight; Monday's night runs into Tuesday.
    slots = starts(free_slots(NIGHTS, late, date(2026, 3, 1), date(2026, 3, 3)))
    assert slots == [
        datetime(2026, 3, 1, 0, 0),
        datetime(2026, 3, 2, 22, 0),
        datetime(2026, 3, 2, 22, 40),
        datetime(2026, 3, 2, 23, 20),
        datetime(2026, 3, 3, 0, 0),
        datetime(2026, 3, 3, 22, 0),
        datetime(2026, 3, 3, 22, 40),
        datetime(2026, 3, 3, 23, 20),
    ]


def test_taken_granules_and_blocks_remove_exactly_the_slots_they_touch():
    day = date(2026, 3, 2)
    every = free_slots(CAL, WEEKDAYS, day, day)
    # A meeting at 9:40 elsewhere takes 9:40–10:20 (with buffer); a block 14:10–14:20.
    taken = set(claimed(sp(2026, 3, 2, 9, 40), WEEKDAYS))
    blocked = [(sp(2026, 3, 2, 14, 10), sp(2026, 3, 2, 14, 20))]
    left = free_slots(CAL, WEEKDAYS, day, day, taken=taken, blocked=blocked)
    assert [s for s in every if s not in left] == [
        (sp(2026, 3, 2, 9, 40), sp(2026, 3, 2, 10, 10)),
        (sp(2026, 3, 2, 14, 0), sp(2026, 3, 2, 14, 30)),
    ]
    # The slot before a taken one is refused when its buffer would run into it.
    assert (sp(2026, 3, 2, 9), sp(2026, 3, 2, 9, 30)) in left
    near = set(claimed(sp(2026, 3, 2, 9, 35), WEEKDAYS))
    assert free_slots(CAL, WEEKDAYS, day, day, taken=near)[0][0] != sp(2026, 3, 2, 9)


# --- properties --------------------------------------------------------------------------

calendars = st.sampled_from([CAL, NIGHTS, ALWAYS])
minutes = st.integers(min_value=0, max_value=287).map(lambda n: n * 5)


@st.composite
def day_hours(draw):
    marks = sorted(set(draw(st.lists(minutes, max_size=4))))
    if len(marks) % 2:
        marks = marks[:-1]
    return tuple(
        (time(a // 60, a % 60), time(b // 60, b % 60))
        for a, b in zip(marks[::2], marks[1::2], strict=True)
    )


availabilities = st.builds(
    Availability,
    weekly=st.tuples(*[day_hours()] * 7),
    length=st.sampled_from([15, 30, 45, 60]).map(lambda m: m * M),
    buffer=st.sampled_from([0, 5, 10, 15]).map(lambda m: m * M),
)
first_days = st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 1))


@settings(max_examples=200, deadline=None)
@given(calendars, availabilities, first_days, st.integers(0, 20), st.data())
def test_slots_lie_in_open_time_and_the_hosts_hours_and_never_overlap(
    cal, availability, first, span, data
):
    last = first + timedelta(days=span)
    every = list(grid(cal, availability, first, last))
    taken = set(data.draw(st.lists(st.sampled_from(every), max_size=3)) if every else [])
    taken_granules = {g for s, _e in taken for g in claimed(s, availability)}
    slots = free_slots(cal, availability, first, last, taken=taken_granules)
    seen: set[datetime] = set()
    for start, end in slots:
        assert end - start == availability.length
        assert business_time(cal, start, end) == availability.length  # wholly open
        day = start.astimezone(SP).date()
        assert first <= day <= last
        assert any(
            datetime.combine(day, a, SP) <= start and end <= datetime.combine(day, b, SP)
            for a, b in availability.weekly[day.weekday()]
        )
        granules = set(claimed(start, availability))
        assert not granules & seen  # with its buffer, no slot runs into another
        assert not granules & taken_granules
        seen |= granules
    assert slots == sorted(slots)


@settings(max_examples=200, deadline=None)
@given(calendars, availabilities, first_days, st.integers(0, 10))
def test_every_wholly_open_stretch_long_enough_offers_its_first_slot(
    cal, availability, first, span
):
    last = first + timedelta(days=span)
    slots = {s for s, _e in free_slots(cal, availability, first, last)}
    day = first
    while day <= last:
        for a, b in availability.weekly[day.weekday()]:
            start = datetime.combine(day, a, SP).astimezone(UTC)
            end = datetime.combine(day, b, SP).astimezone(UTC)
            first_start = ceil_granule(start)
            buffered = any(
                s < first_start < s + availability.length + availability.buffer for s in slots
            )
            if (
                end - first_start >= availability.length
                and business_time(cal, start, end) == end - start
                and not buffered
            ):
                assert first_start in slots
        day += timedelta(days=1)
