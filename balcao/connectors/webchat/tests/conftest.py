import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from balcao.accounts.models import User
from balcao.factories import StaffFactory, make_company

SP = ZoneInfo("America/Sao_Paulo")
WEDNESDAY = dt.datetime(2026, 11, 25, 14, 0, tzinfo=SP)
SATURDAY = dt.datetime(2026, 11, 28, 10, 0, tzinfo=SP)


@pytest.fixture
def at_work(profile):
    """Chat hours (Monday to Friday, 9:00–17:00 Brasília time): a Wednesday afternoon."""
    with time_machine.travel(WEDNESDAY):
        yield


@pytest.fixture
def team(profile):
    """A TEAM company (its plan includes chat) and its primary contact."""
    return make_company("team")


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


@pytest.fixture
def administrator(profile):
    return StaffFactory(role=User.Role.ADMINISTRATOR)
