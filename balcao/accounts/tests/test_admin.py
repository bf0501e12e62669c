"""The team is managed in the admin through the actions; every change is an Event."""

import pytest
from django.urls import reverse

from balcao.accounts.models import Department, User
from balcao.events.models import Event, EventKind
from balcao.factories import StaffFactory, make_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user, profile):
    client.force_login(admin_user)
    return client


def test_adding_a_staff_member_records_it(admin_client, admin_user):
    suporte = Department.objects.get(slug="suporte")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nova@Balcao.localhost",
            "name": "Nova",
            "role": "agent",
            "departments": [suporte.pk],
            "password1": "uma-senha-longa-42",
            "password2": "uma-senha-longa-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="nova@balcao.localhost")
    assert user.role == "agent" and list(user.departments.all()) == [suporte]
    assert user.check_password("uma-senha-longa-42")
    event = Event.objects.get(kind=EventKind.STAFF_ADDED)
    assert event.actor == admin_user and event.data["departments"] == ["suporte"]


def test_changing_role_departments_and_activity_records_each_change(admin_client):
    agent = StaffFactory(departments=["suporte"])
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[agent.pk]),
        {
            "name": agent.name,
            "role": "director",
            "departments": [Department.objects.get(slug="ouvidoria").pk],
            "language": "",
            "time_zone": "",
            "is_staff": "",
            "is_superuser": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert agent.role == "director" and not agent.is_active
    changes = Event.objects.get(kind=EventKind.STAFF_CHANGED).data["changes"]
    assert changes == {
        "role": ["agent", "director"],
        "is_active": [True, False],
        "departments": [["suporte"], ["ouvidoria"]],
    }


def test_the_team_list_holds_staff_only_and_nobody_is_deleted(admin_client):
    agent = StaffFactory()
    _company, contact = make_company()
    page = admin_client.get(reverse("admin:accounts_user_changelist")).text
    assert agent.email in page and contact.email not in page
    assert (
        admin_client.get(reverse("admin:accounts_user_delete", args=[agent.pk])).status_code == 403
    )


def test_the_admin_speaks_the_product(admin_client):
    page = admin_client.get(reverse("admin:index")).text
    assert "Administração do Balcão" in page
    for section in [
        "Planos e canais",
        "Departamentos",
        "Horários e feriados",
        "SLA",
        "Empresas e contatos",
        "Equipe",
        "E-mail",
        "WhatsApp",
    ]:
        assert section in page
    for stock in ["Task Results", "Django", "Tasks Database", "Grupos"]:
        assert stock not in page


def test_a_staff_password_is_set_through_the_action(admin_client):
    agent = StaffFactory()
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[agent.pk]),
        {"password1": "outra-senha-longa-7", "password2": "outra-senha-longa-7"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("outra-senha-longa-7")
