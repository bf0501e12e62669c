from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from balcao.accounts.models import Department
from balcao.factories import StaffFactory, make_company
from balcao.meetings.models import Host, Kind

SP = ZoneInfo("America/Sao_Paulo")
WEEKDAYS = [[["09:00", "12:00"], ["14:00", "17:00"]]] * 5 + [[], []]
MONDAY = datetime(2026, 3, 2, 8, tzinfo=SP)  # a plain Monday, before opening


def sp(*args) -> datetime:
    return datetime(*args, tzinfo=SP)


def make_host(kind=Kind.CONSULTANT, **kwargs) -> Host:
    user = StaffFactory(departments=["sucesso"])
    return Host.objects.create(
        user=user,
        kind=kind,
        department=Department.objects.get(slug="sucesso"),
        weekly=kwargs.pop("weekly", WEEKDAYS),
        length_minutes=kwargs.pop("length_minutes", 30),
        buffer_minutes=kwargs.pop("buffer_minutes", 10),
        place="https://meet.example.com/balcao",
        **kwargs,
    )


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return MONDAY


@pytest.fixture
def consultant(profile):
    return make_host()


@pytest.fixture
def team(profile):
    """A TEAM company (consultants, 2 meetings a month) and its primary contact."""
    return make_company("team", name="Mega Store")


@pytest.fixture
def enterprise(profile):
    return make_company("enterprise", name="Grande Rede")
