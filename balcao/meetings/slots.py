"""Slots: pure functions over a business ``Calendar`` and a host's weekly hours, no database.

A host's hours are placed on the wall clock of each local date (as the calendar's intervals
are) and cut to the calendar's open time, so holidays, extra closed dates and DST history
apply. Inside each piece the slots follow one another: ``length``, then ``buffer``, from the
first whole granule. A slot is free when none of the granules it claims (its length and the
buffer after it) is taken and it does not touch blocked time — the same granules the
database's unique constraint guards.
"""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from balcao.sla.calendar import DAY, Calendar, Span

GRANULE = timedelta(minutes=5)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Availability:
    weekly: tuple[tuple[tuple[time, time], ...], ...]  # Monday … Sunday, the calendar's zone
    length: timedelta
    buffer: timedelta


def ceil_granule(instant: datetime) -> datetime:
    rest = (instant - EPOCH) % GRANULE
    return instant + (GRANULE - rest) if rest else instant


def claimed(start: datetime, availability: Availability) -> list[datetime]:
    """The granules a meeting starting at ``start`` takes: its length and the buffer after."""
    count = (availability.length + availability.buffer) // GRANULE
    return [start + GRANULE * k for k in range(count)]


def grid(cal: Calendar, availability: Availability, first: date, last: date) -> Iterator[Span]:
    """Every slot of the host's grid on local dates ``first`` … ``last`` (UTC instants),
    inside both the host's hours and the calendar's open time, in order; a slot never starts
    within the buffer after the one before, even across two pieces of hours."""
    step = availability.length + availability.buffer
    reach = datetime.min.replace(tzinfo=UTC)  # the previous slot's end and buffer
    day = first
    while day <= last:
        opening = cal.day_intervals(day - DAY) + cal.day_intervals(day)
        for wall_start, wall_end in availability.weekly[day.weekday()]:
            start = datetime.combine(day, wall_start, cal.tz).astimezone(UTC)
            end = datetime.combine(day, wall_end, cal.tz).astimezone(UTC)
            for open_start, open_end in opening:
                lo, hi = max(start, open_start, reach), min(end, open_end)
                slot = ceil_granule(lo)
                while slot + availability.length <= hi:
                    yield slot, slot + availability.length
                    reach = slot + step
                    slot += step
        day += DAY


def free_slots(
    cal: Calendar,
    availability: Availability,
    first: date,
    last: date,
    *,
    taken: Collection[datetime] = frozenset(),
    blocked: Sequence[Span] = (),
    not_before: datetime | None = None,
) -> list[Span]:
    """The grid's slots none of whose granules is ``taken``, touching no ``blocked`` span and
    starting at or after ``not_before``."""
    return [
        (start, end)
        for start, end in grid(cal, availability, first, last)
        if (not_before is None or start >= not_before)
        and not any(g in taken for g in claimed(start, availability))
        and not any(b_start < end and start < b_end for b_start, b_end in blocked)
    ]
