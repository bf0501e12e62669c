"""Business time: pure functions over a ``Calendar`` value, no database (R14, R15); the
holidays of a year are read through the shared cache.

A calendar is a time zone, weekly opening intervals (several a day; an interval whose end is
not after its start runs into the next day, "00:00"–"00:00" is a whole day), unless
``observe_holidays`` is off the Brazilian holidays of the ``holidays`` package (national, plus
a state's when ``subdivision`` is set),
Carnival Monday and Tuesday when ``carnival`` is set (the package leaves them out: they are
optional days, not law), extra closed dates, and extra open dates with their own hours.

Intervals are placed on the wall clock of their date and converted to UTC instants, so every
sum is exact across DST changes. The cost of one computation grows with the opening intervals
crossed: whole weeks with nothing special in them (no holiday, extra day or DST change) are
skipped arithmetically.
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from django.core.cache import cache

Hours = tuple[tuple[time, time], ...]
Span = tuple[datetime, datetime]

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
ZERO = timedelta(0)


def _wall_length(start: time, end: time) -> timedelta:
    length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    return length if length > ZERO else length + DAY


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    weekly: tuple[Hours, ...]  # Monday … Sunday
    observe_holidays: bool = True
    subdivision: str = ""
    carnival: bool = False
    closed: frozenset[date] = frozenset()
    open_days: Mapping[date, Hours] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError("A calendar has seven weekdays, Monday to Sunday.")
        if not any(self.weekly):
            raise ValueError("A calendar needs at least one weekly opening interval.")
        # Weekly intervals as minutes of the week: they must not overlap, also across days.
        spans = sorted(
            (day * 1440 + s.hour * 60 + s.minute + s.second / 60, _wall_length(s, e))
            for day, hours in enumerate(self.weekly)
            for s, e in hours
        )
        for (a, length), (b, _) in zip(
            spans, spans[1:] + [(spans[0][0] + 7 * 1440, None)], strict=True
        ):
            if a + length.total_seconds() / 60 > b:
                raise ValueError("Weekly opening intervals overlap.")

    @classmethod
    def build(
        cls,
        tz: str,
        weekly: Iterable[Iterable[Iterable[str]]],
        *,
        observe_holidays: bool = True,
        subdivision: str = "",
        carnival: bool = False,
        closed: Iterable[date | str] = (),
        open_days: Mapping[date | str, Iterable[Iterable[str]]] | None = None,
    ) -> "Calendar":
        """A calendar from plain data (as stored in JSON): ``weekly`` is seven lists of
        ``["09:00", "17:00"]`` pairs, Monday first; dates are ISO strings or dates."""
        return cls(
            tz=ZoneInfo(tz),
            weekly=tuple(_hours(day) for day in weekly),
            observe_holidays=observe_holidays,
            subdivision=subdivision,
            carnival=carnival,
            closed=frozenset(_date(d) for d in closed),
            open_days={_date(d): _hours(hours) for d, hours in (open_days or {}).items()},
        )

    @cached_property
    def week(self) -> timedelta:
        """Open time in a week with nothing special in it."""
        return sum((_wall_length(s, e) for hours in self.weekly for s, e in hours), ZERO)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def is_closed_day(self, day: date) -> bool:
        """A holiday, Carnival (when kept) or an extra closed date, unless opened explicitly."""
        return day not in self.open_days and day in _closed_days(self, day.year)

    def day_intervals(self, day: date) -> tuple[Span, ...]:
        """The opening intervals that start on local ``day``, as UTC instants."""
        spans = self._cache.get(day)
        if spans is None:
            if day in self.open_days:
                hours = self.open_days[day]
            elif self.is_closed_day(day):
                hours = ()
            else:
                hours = self.weekly[day.weekday()]
            spans = tuple(self._span(day, s, e) for s, e in hours)
            self._cache[day] = spans
        return spans

    def _span(self, day: date, start: time, end: time) -> Span:
        end_day = day if datetime.combine(day, end) > datetime.combine(day, start) else day + DAY
        return (
            datetime.combine(day, start, self.tz).astimezone(UTC),
            datetime.combine(end_day, end, self.tz).astimezone(UTC),
        )

    def plain_from(self, day: date) -> bool:
        """Whether days ``day`` … ``day + 6`` (and their neighbours) are ordinary weekdays: no
        holiday, extra day or DST change, so their open time is exactly ``week``."""
        first = day - DAY
        specials = _special_days(self, first.year)
        i = bisect_left(specials, first)
        if i < len(specials):
            return specials[i] > day + WEEK
        following = _special_days(self, first.year + 1)
        return not following or following[0] > day + WEEK


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _hours(pairs: Iterable[Iterable[str]]) -> Hours:
    return tuple(
        sorted((time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs)
    )


HOLIDAYS_CACHE_SECONDS = 24 * 3600  # a new version of the package is followed within a day


@lru_cache(maxsize=512)
def _holidays(subdivision: str, year: int) -> frozenset[date]:
    """The package's holidays of a year, kept in the shared cache: importing the package and
    computing a year costs 200–400 ms, which every new process (an MTA pipe starts one per
    message) would pay again. A cache that cannot be read only costs that time again."""
    key = f"sla:holidays:{subdivision}:{year}"
    try:
        stored = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure: compute, the math never depends on it
        stored = None
    if stored is not None:
        return frozenset(date.fromisoformat(day) for day in stored)
    import holidays  # here, not at the top: most processes never need it

    days = frozenset(holidays.country_holidays("BR", subdiv=subdivision or None, years=year))
    with suppress(Exception):  # as above
        cache.set(key, sorted(day.isoformat() for day in days), HOLIDAYS_CACHE_SECONDS)
    return days


@lru_cache(maxsize=512)
def _dst_days(tz: ZoneInfo, year: int) -> frozenset[date]:
    """Days around a change of UTC offset: their intervals may differ from the wall clock."""
    days: set[date] = set()
    day = date(year, 1, 1) - DAY
    offset = datetime.combine(day, time(), tz).utcoffset()
    while day.year <= year:
        following = datetime.combine(day + DAY, time(), tz).utcoffset()
        if following != offset:
            days.update((day - DAY, day, day + DAY, day + 2 * DAY))
        offset = following
        day += DAY
    return frozenset(days)


def _closed_days(cal: Calendar, year: int) -> frozenset[date]:
    key = ("closed", year)
    if key not in cal._cache:
        closed = {d for d in cal.closed if d.year == year}
        if cal.observe_holidays:
            closed |= _holidays(cal.subdivision, year)
        if cal.carnival:
            sunday = easter(year)
            closed.update((sunday - timedelta(days=48), sunday - timedelta(days=47)))
        cal._cache[key] = frozenset(closed)
    return cal._cache[key]


def _special_days(cal: Calendar, year: int) -> list[date]:
    key = ("special", year)
    if key not in cal._cache:
        special = set(_closed_days(cal, year)) | {d for d in cal.open_days if d.year == year}
        cal._cache[key] = sorted(special | _dst_days(cal.tz, year))
    return cal._cache[key]


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("Business time needs aware datetimes.")
    return instant.astimezone(UTC)


def business_time(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time between two instants (zero when ``end`` is not after ``start``)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return ZERO
    total = ZERO
    first, last = cal.local_date(start), cal.local_date(end)
    day = first - DAY  # an overnight interval of the day before may reach into ``start``
    reach = start  # nothing before this counts again (intervals of two days may touch)
    week = cal.week
    while day <= last:
        if first < day and day + 8 * DAY <= last and cal.plain_from(day):
            total += week
            day += WEEK
            continue
        for s, e in cal.day_intervals(day):
            s, e = max(s, reach), min(e, end)
            if e > s:
                total += e - s
                reach = e
        day += DAY
    return total


def business_seconds(cal: Calendar, start: datetime, end: datetime) -> float:
    return business_time(cal, start, end).total_seconds()


def add_business(cal: Calendar, start: datetime, seconds: float | timedelta) -> datetime:
    """The instant (UTC) when ``seconds`` of open time starting at ``start`` have passed.

    It always falls inside an opening interval or at its end, never in a closed period;
    zero seconds is ``start`` itself.
    """
    remaining = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    if remaining < ZERO:
        raise ValueError("A business duration cannot be negative.")
    start = _utc(start)
    if remaining == ZERO:
        return start
    first = cal.local_date(start)
    day = first - DAY
    reach = start
    week = cal.week
    while True:
        if first < day and remaining > week and cal.plain_from(day):
            remaining -= week
            day += WEEK
            continue
        for s, e in cal.day_intervals(day):
            s = max(s, reach)
            if e > s:
                if remaining <= e - s:
                    return s + remaining
                remaining -= e - s
                reach = e
        day += DAY


def open_at(cal: Calendar, instant: datetime) -> bool:
    instant = _utc(instant)
    today = cal.local_date(instant)
    return any(s <= instant < e for day in (today - DAY, today) for s, e in cal.day_intervals(day))


def next_opening(cal: Calendar, instant: datetime) -> datetime:
    """The first instant at or after ``instant`` when the calendar is open (UTC)."""
    instant = _utc(instant)
    day = cal.local_date(instant) - DAY
    while True:
        for s, e in cal.day_intervals(day):
            if e > instant:
                return max(s, instant)
        day += DAY


def add_business_days(cal: Calendar, start: datetime, days: int) -> datetime:
    """The same wall-clock time ``days`` open days after ``start``'s local date (an open day
    has opening intervals: weekends, holidays and closed dates are skipped)."""
    local = start.astimezone(cal.tz)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if cal.day_intervals(day):
            counted += 1
    return datetime.combine(day, local.time(), tzinfo=cal.tz).astimezone(UTC)
