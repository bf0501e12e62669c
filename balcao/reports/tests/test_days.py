"""Days are the installation's local days, at their edges: late evening on the last day of a
month, and the nights a zone's offset changes (New York's, and Brasília's own summer time of
2018–2019, which began and ended at midnight)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from balcao.accounts.models import User
from balcao.factories import make_company, open_ticket
from balcao.reports.selectors import ReportScope, report_choices, volume, zone_offsets
from balcao.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(profile):
    """Opens a ticket at ``opened`` (and closes it at ``closed``), both local times."""
    admin = User.objects.create_superuser("admin@balcao.localhost", "pw-admin-123", name="Admin")
    _company, customer = make_company("team")

    def ticket(zone: str, opened: tuple, closed: tuple | None = None, fold: int = 0) -> None:
        tz = ZoneInfo(zone)
        pk = open_ticket(customer).pk
        Ticket.objects.filter(pk=pk).update(
            created_at=datetime(*opened, tzinfo=tz, fold=fold),
            closed_at=datetime(*closed, tzinfo=tz, fold=fold) if closed else None,
        )

    ticket.admin = admin  # type: ignore[attr-defined]
    return ticket


def per_day(admin, start: date, end: date) -> dict[str, list[int]]:
    result = volume(ReportScope(choices=report_choices(admin), start=start, end=end))
    return {str(row[0]): row[1:] for row in result.tables[0].rows}


def test_the_last_evening_of_a_month_in_brasilia(place):
    sp = "America/Sao_Paulo"
    place(sp, (2026, 4, 29, 23, 59, 59))  # before the period
    place(sp, (2026, 4, 30, 0, 0), (2026, 4, 30, 23, 59, 59))
    place(sp, (2026, 4, 30, 23, 30), (2026, 5, 1, 0, 0))  # 05-01 02:30 in UTC
    place(sp, (2026, 5, 1, 0, 0), (2026, 5, 2, 0, 0))  # closed after the period
    assert per_day(place.admin, date(2026, 4, 30), date(2026, 5, 1)) == {
        "2026-04-30": [2, 1],
        "2026-05-01": [1, 1],
    }


def test_the_nights_new_york_changes_its_clocks(place, settings):
    settings.TIME_ZONE = ny = "America/New_York"
    place(ny, (2026, 3, 7, 23, 30), (2026, 3, 8, 3, 30))  # EST; closed in EDT
    place(ny, (2026, 3, 8, 1, 59), (2026, 3, 8, 23, 59))
    place(ny, (2026, 3, 8, 23, 30), (2026, 3, 9, 0, 0))  # 03-09 03:30 in UTC
    place(ny, (2026, 3, 9, 0, 0))
    assert per_day(place.admin, date(2026, 3, 7), date(2026, 3, 9)) == {
        "2026-03-07": [1, 0],
        "2026-03-08": [2, 2],
        "2026-03-09": [1, 1],
    }
    place(ny, (2026, 10, 31, 23, 30))  # EDT: 11-01 03:30 in UTC
    place(ny, (2026, 11, 1, 1, 30), (2026, 11, 1, 23, 30))  # the first 01:30
    place(ny, (2026, 11, 1, 1, 30), fold=1)  # the second, an hour later
    place(ny, (2026, 11, 1, 23, 30), (2026, 11, 2, 0, 0))  # EST: 11-02 04:30 in UTC
    assert per_day(place.admin, date(2026, 10, 31), date(2026, 11, 2)) == {
        "2026-10-31": [1, 0],
        "2026-11-01": [3, 1],
        "2026-11-02": [0, 1],
    }


def test_brasilia_summer_time_at_midnight(place):
    sp = "America/Sao_Paulo"
    # 2018-11-04 00:00 (-03) became 01:00 (-02)
    place(sp, (2018, 11, 3, 23, 30), (2018, 11, 4, 1, 0))
    place(sp, (2018, 11, 4, 1, 0), (2018, 11, 4, 23, 30))
    place(sp, (2018, 11, 4, 23, 30))  # 11-05 01:30 in UTC
    assert per_day(place.admin, date(2018, 11, 3), date(2018, 11, 5)) == {
        "2018-11-03": [1, 0],
        "2018-11-04": [2, 2],
        "2018-11-05": [0, 0],
    }
    # 2019-02-17 00:00 (-02) went back to 2019-02-16 23:00 (-03): 23:30 happened twice
    place(sp, (2019, 2, 16, 23, 30))
    place(sp, (2019, 2, 16, 23, 30), (2019, 2, 17, 0, 30), fold=1)
    place(sp, (2019, 2, 17, 0, 0))
    assert per_day(place.admin, date(2019, 2, 16), date(2019, 2, 17)) == {
        "2019-02-16": [2, 0],
        "2019-02-17": [1, 1],
    }


def test_zone_offsets_find_the_change_to_the_second():
    ny = ZoneInfo("America/New_York")
    start, end = datetime(2026, 3, 1, tzinfo=ny), datetime(2026, 4, 1, tzinfo=ny)
    assert zone_offsets(start, end, ny) == [
        (start, -5 * 3600),
        (datetime(2026, 3, 8, 7, tzinfo=UTC), -4 * 3600),  # 02:00 EST
    ]
    sp = ZoneInfo("America/Sao_Paulo")
    year = datetime(2026, 1, 1, tzinfo=sp), datetime(2027, 1, 1, tzinfo=sp)
    assert zone_offsets(*year, sp) == [(year[0], -3 * 3600)]
