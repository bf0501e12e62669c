"""Administrators set hours, holidays and SLA targets in real forms; a bad stored value (an
older version's, a hand edit) never breaks a customer's page."""

import pytest
from django.urls import reverse

from balcao.accounts.actions import do_issue_api_token
from balcao.accounts.models import Department
from balcao.factories import PASSWORD, make_company
from balcao.sla.models import BusinessCalendar, ChannelHours
from balcao.sla.profile import default_calendar
from balcao.sla.selectors import calendar_value, policy_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_hours(profile):
    """The default calendar with a weekly value no version of the form would store."""
    BusinessCalendar.objects.filter(is_default=True).update(weekly=[["9h", "17h"]])
    return BusinessCalendar.objects.get(is_default=True)


def test_a_bad_stored_weekly_value_reads_as_the_default_hours(broken_hours):
    assert ChannelHours.objects.filter(calendar=broken_hours).exists()
    assert calendar_value(broken_hours) == default_calendar()


def test_customer_pages_still_answer_after_a_bad_stored_value(client, broken_hours):
    company, primary = make_company("team")
    client.login(username=primary.email, password=PASSWORD)
    assert client.get(reverse("portal:plan")).status_code == 200
    assert client.get(reverse("webchat:start")).status_code == 200
    token = do_issue_api_token(email=primary.email, password=PASSWORD)
    response = client.get("/api/v1/channels", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()


def test_staff_are_warned_of_the_bad_value_in_the_admin(client, admin_user, broken_hours):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Horário comercial" in page and "não pode ser lido" in page
    changelist = client.get(reverse("admin:sla_businesscalendar_changelist")).content.decode()
    assert "não pode ser lido" in changelist


def test_a_company_contract_overrides_its_plan_targets(profile):
    company, _primary = make_company("essencial")
    suporte = Department.objects.get(slug="suporte")
    assert policy_for(company, suporte).first_response_minutes == 16 * 60
    company.contract_first_response_minutes = 120
    assert policy_for(company, suporte).first_response_minutes == 120
    assert policy_for(company, suporte).resolution_minutes == 16 * 60 * 5  # the plan's still
