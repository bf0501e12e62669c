"""Each process keeps the SLA policies and calendars behind a version token: a ticket opened
reads the token, not the policies, and a change — in this process or another — counts from
the next ticket on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balcao.accounts.models import Department
from balcao.core.models import Counter
from balcao.factories import make_company, open_ticket
from balcao.sla.actions import policies_changed
from balcao.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from balcao.sla.selectors import POLICIES_VERSION, policy_for

pytestmark = pytest.mark.django_db


def first_response(contact) -> int:
    return TicketSla.objects.get(ticket=open_ticket(contact)).first_response_minutes


def test_a_policy_saved_counts_from_the_next_ticket(profile):
    _company, primary = make_company("team")
    suporte = Department.objects.get(slug="suporte")
    assert first_response(primary) == 4 * 60  # the plan's, no policy yet
    policy = SlaPolicy.objects.create(department=suporte, first_response_minutes=30)
    assert first_response(primary) == 30
    policy.first_response_minutes = 45
    policy.save()
    assert first_response(primary) == 45
    policy.delete()
    assert first_response(primary) == 4 * 60


def test_a_ticket_reads_the_token_not_the_policies(profile):
    company, primary = make_company("team")
    suporte = Department.objects.get(slug="suporte")
    SlaPolicy.objects.create(department=suporte, first_response_minutes=30)
    policy_for(company, suporte)  # loaded once
    with CaptureQueriesContext(connection) as captured:
        assert policy_for(company, suporte).first_response_minutes == 30
    (only,) = captured.captured_queries  # the token, nothing else
    assert "core_counter" in only["sql"] and "sla_slapolicy" not in only["sql"]


def test_a_change_made_by_another_process_counts_once_its_token_moves(profile):
    """Another process's save moves the token in the database; until it moves, this process
    keeps its copy (here the row is changed behind its back, without signals)."""
    company, _primary = make_company("team")
    suporte = Department.objects.get(slug="suporte")
    SlaPolicy.objects.create(department=suporte, first_response_minutes=30)
    assert policy_for(company, suporte).first_response_minutes == 30
    SlaPolicy.objects.filter(department=suporte).update(first_response_minutes=90)
    assert policy_for(company, suporte).first_response_minutes == 30  # the copy
    policies_changed()  # what the other process's save did
    assert policy_for(company, suporte).first_response_minutes == 90


def test_a_calendar_change_moves_the_token(profile):
    before = Counter.objects.filter(name=POLICIES_VERSION).first()
    calendar = BusinessCalendar.objects.get(is_default=True)
    calendar.closed_dates = ["2026-12-24"]
    calendar.save()
    after = Counter.objects.get(name=POLICIES_VERSION)
    assert before is None or after.value != before.value
    company, _primary = make_company("team")
    targets = policy_for(company, Department.objects.get(slug="suporte"))
    assert targets.calendar.closed_dates == ["2026-12-24"]


def test_reading_the_policies_writes_nothing_even_without_a_token(profile):
    """A database without the token (restored, flushed): the policies are read each time,
    never kept under no token, and the read writes nothing."""
    company, _primary = make_company("team")
    suporte = Department.objects.get(slug="suporte")
    SlaPolicy.objects.create(department=suporte, first_response_minutes=30)
    Counter.objects.filter(name=POLICIES_VERSION).delete()
    with CaptureQueriesContext(connection) as captured:
        assert policy_for(company, suporte).first_response_minutes == 30
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    assert not Counter.objects.filter(name=POLICIES_VERSION).exists()
    SlaPolicy.objects.filter(department=suporte).update(first_response_minutes=90)  # no signal
    assert policy_for(company, suporte).first_response_minutes == 90


def test_the_migrations_make_the_token_no_reader_has_to():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("balcao.sla.migrations.0004_policies_token")
    Counter.objects.filter(name=POLICIES_VERSION).delete()
    migration.make_token(apps, None)
    made = Counter.objects.get(name=POLICIES_VERSION).value
    migration.make_token(apps, None)  # a database that has one keeps it
    assert Counter.objects.get(name=POLICIES_VERSION).value == made
