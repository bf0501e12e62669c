"""The hours sentence of a channel, computed from its calendar at a frozen instant: before,
during and after hours, lunch breaks, weekends, holidays, Carnival, extra dates, and the
viewer's own zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from balcao.sla.calendar import Calendar
from balcao.sla.hours import open_sentence, weekly_hours
from balcao.sla.profile import default_calendar

SP = ZoneInfo("America/Sao_Paulo")
LISBON = ZoneInfo("Europe/Lisbon")
DEFAULT = default_calendar()
SPLIT = Calendar.build(
    "America/Sao_Paulo",
    [[["08:00", "12:00"], ["14:00", "18:00"]]] * 5 + [[["09:00", "13:00"]], []],
    closed=["2026-03-13"],
    open_days={"2026-03-15": [["10:00", "12:00"]]},
)


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


@pytest.fixture(autouse=True)
def _pt_br():
    with translation.override("pt-br"):
        yield


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (sp(2026, 3, 9, 10), "aberto agora"),  # Monday, in hours
        (sp(2026, 3, 9, 8, 59), "abre hoje às 9:00"),  # before hours
        (sp(2026, 3, 9, 17), "abre amanhã às 9:00"),  # the instant it closes
        (sp(2026, 3, 6, 18), "abre segunda-feira às 9:00"),  # Friday after hours
        (sp(2026, 3, 7, 11), "abre segunda-feira às 9:00"),  # Saturday
        (sp(2026, 3, 8, 23, 59), "abre amanhã às 9:00"),  # Sunday night
        (sp(2026, 4, 20, 18), "abre quarta-feira às 9:00"),  # Tuesday 21 April, Tiradentes
        (sp(2026, 2, 13, 18), "abre quarta-feira às 9:00"),  # Carnival Monday and Tuesday
        (sp(2026, 12, 24, 18), "abre segunda-feira às 9:00"),  # Christmas on Friday
        (sp(2026, 12, 31, 18), "abre segunda-feira às 9:00"),  # 1 January on Friday
        (sp(2026, 12, 30, 18), "abre amanhã às 9:00"),
    ],
)
def test_the_default_hours_at_a_frozen_instant(now, expected):
    assert open_sentence(DEFAULT, now, SP)[2] == expected


def test_a_week_away_gives_the_date():
    cal = Calendar.build(
        "America/Sao_Paulo",
        [[["09:00", "17:00"]]] * 5 + [[], []],
        closed=[f"2026-03-{d:02d}" for d in range(9, 21)],
    )
    assert open_sentence(cal, sp(2026, 3, 6, 18), SP)[2] == "abre em 23/03/2026 às 9:00"


@pytest.mark.parametrize(
    ("now", "opens", "expected"),
    [
        (sp(2026, 3, 9, 12, 30), sp(2026, 3, 9, 14), "abre hoje às 14:00"),  # lunch
        (sp(2026, 3, 9, 7), sp(2026, 3, 9, 8), "abre hoje às 8:00"),
        (sp(2026, 3, 12, 19), sp(2026, 3, 14, 9), "abre sábado às 9:00"),  # Friday closed
        (sp(2026, 3, 14, 13), sp(2026, 3, 15, 10), "abre amanhã às 10:00"),  # an extra open day
        (sp(2026, 3, 15, 12), sp(2026, 3, 16, 8), "abre amanhã às 8:00"),
    ],
)
def test_breaks_extra_closed_and_open_dates(now, opens, expected):
    assert open_sentence(SPLIT, now, SP) == (False, opens, expected)


def test_in_the_viewer_s_zone_too_when_it_differs():
    friday = sp(2026, 3, 6, 18)
    assert open_sentence(DEFAULT, friday, LISBON)[2] == (
        "abre segunda-feira às 9:00 (segunda-feira às 12:00 no seu fuso horário)"
    )
    # Tokyo is already Monday when Brasília opens on Monday at 9:00; the words follow the day.
    tokyo = ZoneInfo("Asia/Tokyo")
    assert open_sentence(DEFAULT, sp(2026, 3, 9, 8), tokyo)[2] == (
        "abre hoje às 9:00 (hoje às 21:00 no seu fuso horário)"
    )
    assert open_sentence(DEFAULT, sp(2026, 3, 9, 10), LISBON)[2] == "aberto agora"
    # Same offset as Brasília: no second time.
    assert open_sentence(DEFAULT, friday, ZoneInfo("America/Bahia"))[2] == (
        "abre segunda-feira às 9:00"
    )


def test_weekly_hours_group_equal_days():
    assert weekly_hours(DEFAULT) == (
        "segunda-feira a sexta-feira, 9:00–17:00 (horário de Brasília), fechado nos feriados"
    )
    assert weekly_hours(SPLIT) == (
        "segunda-feira a sexta-feira, 8:00–12:00, 14:00–18:00; sábado, 9:00–13:00"
        " (horário de Brasília), fechado nos feriados"
    )
    lisbon = Calendar.build(
        "Europe/Lisbon",
        [[], [["10:00", "16:00"]], [], [["10:00", "16:00"]], [], [], []],
        observe_holidays=False,
    )
    assert (
        weekly_hours(lisbon)
        == "terça-feira, 10:00–16:00; quinta-feira, 10:00–16:00 (Europe/Lisbon)"
    )
