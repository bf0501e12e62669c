"""Administrators set hours, holidays and SLA targets in real forms; a bad stored value (an
older version's, a hand edit) never breaks a customer's page."""

import pytest
from django.urls import reverse

from balcao.accounts.actions import do_issue_api_token
from balcao.accounts.models import Department
from balcao.factories import PASSWORD, make_company
from balcao.sla.models import BusinessCalendar, ChannelHours
from balcao.sla.profile import default_calendar
from balcao.sla.selectors import calendar_problem, calendar_value, policy_for

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


def calendar_data(**changes):
    data = {
        "name": "Plantão",
        "slug": "plantao",
        "tz": "America/Sao_Paulo",
        "monday": "08:00-12:00, 13:00-18:00",
        "tuesday": "08:00-18:00",
        "wednesday": "",
        "thursday": "",
        "friday": "22:00-02:00",
        "saturday": "",
        "sunday": "",
        "observe_holidays": "on",
        "subdivision": "SP",
        "carnival": "on",
        "closed_text": "24/12/2026\n2026-12-31",
        "open_text": "25/12/2026 09:00-13:00",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, admin_user, profile):
    client.force_login(admin_user)
    return client


def test_hours_are_typed_per_weekday_and_stored_as_a_calendar(admin_client):
    response = admin_client.post(reverse("admin:sla_businesscalendar_add"), calendar_data())
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(slug="plantao")
    assert calendar.weekly[0] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert calendar.weekly[4] == [["22:00", "02:00"]] and calendar.weekly[5] == []
    assert calendar.closed_dates == ["2026-12-24", "2026-12-31"]
    assert calendar.open_dates == {"2026-12-25": [["09:00", "13:00"]]}
    assert calendar_value(calendar).subdivision == "SP"
    page = admin_client.get(reverse("admin:sla_businesscalendar_change", args=[calendar.pk])).text
    assert 'value="08:00-12:00, 13:00-18:00"' in page and "2026-12-24\n2026-12-31" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("monday", "9h-17h", "não é um intervalo"),
        ("monday", "09:00-13:00, 12:00-18:00", "não podem se sobrepor"),
        ("tuesday", "25:00-26:00", "não é um horário"),
        ("closed_text", "31/02/2026", "não é uma data"),
        ("open_text", "25/12/2026", "Informe o horário"),
        ("tz", "Brasil/Recife", "não é um fuso horário"),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field(admin_client, field, value, message):
    response = admin_client.post(
        reverse("admin:sla_businesscalendar_add"), calendar_data(**{field: value})
    )
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not BusinessCalendar.objects.filter(slug="plantao").exists()


def test_a_week_with_no_hours_is_refused(admin_client):
    closed = {day: "" for day in ("monday", "tuesday", "friday")}
    response = admin_client.post(reverse("admin:sla_businesscalendar_add"), calendar_data(**closed))
    assert "pelo menos um intervalo" in str(response.context["adminform"].form.errors["monday"])


def test_the_change_form_of_an_unreadable_calendar_opens_with_a_warning(admin_client, broken_hours):
    url = reverse("admin:sla_businesscalendar_change", args=[broken_hours.pk])
    response = admin_client.get(url)
    assert response.status_code == 200 and "preencha-o e salve" in response.text
    fixed = calendar_data(name=broken_hours.name, slug=broken_hours.slug, is_default="on")
    assert admin_client.post(url, fixed).status_code == 302
    broken_hours.refresh_from_db()
    assert not calendar_problem(broken_hours)


def test_department_targets_are_checked(admin_client):
    response = admin_client.post(
        reverse("admin:sla_slapolicy_add"),
        {
            "department": Department.objects.get(slug="suporte").pk,
            "plan": "",
            "calendar": "",
            "first_response_minutes": "0",
            "next_response_minutes": "",
            "resolution_minutes": "",
        },
    )
    errors = response.context["adminform"].form.errors
    assert "pelo menos um minuto útil" in str(errors["first_response_minutes"])
