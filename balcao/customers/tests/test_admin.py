"""An administrator sets plans and companies in the admin; every company change goes through
the actions and is in the company's history."""

import pytest
from django.urls import reverse

from balcao.customers.models import AddOn, Company, Contact, Plan
from balcao.events.models import EventKind
from balcao.factories import make_authorized, make_company

pytestmark = pytest.mark.django_db


def company_data(company, **changes):
    data = {
        "name": company.name,
        "cnpj": company.cnpj,
        "plan": company.plan_id,
        "is_active": "on",
        "contract_first_response_minutes": "",
        "contract_next_response_minutes": "",
        "contract_resolution_minutes": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, admin_user, profile):
    client.force_login(admin_user)
    return client


def test_adding_a_company_creates_its_primary_contact_through_the_action(admin_client):
    response = admin_client.post(
        reverse("admin:customers_company_add"),
        {
            "name": "Nova Loja",
            "cnpj": "11.222.333/0001-81",
            "plan": Plan.objects.get(slug="team").pk,
            "addons": [AddOn.objects.get().pk],
            "primary_email": "dona@novaloja.com.br",
            "primary_name": "Dona",
            "contract_first_response_minutes": "60",
            "contract_next_response_minutes": "",
            "contract_resolution_minutes": "",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    company = Company.objects.get(name="Nova Loja")
    assert company.cnpj == "11222333000181" and company.contract_first_response_minutes == 60
    assert company.contacts.get().is_primary and list(company.addons.all())
    assert company.events.filter(kind=EventKind.CONTACT_AUTHORIZED, data__primary=True).exists()
    changed = company.events.get(kind=EventKind.COMPANY_CHANGED)
    assert changed.data["changes"] == {"contract_first_response_minutes": [None, 60]}


def test_changing_a_company_records_each_change(admin_client, admin_user):
    company, _primary = make_company("essencial")
    response = admin_client.post(
        reverse("admin:customers_company_change", args=[company.pk]),
        company_data(company, plan=Plan.objects.get(slug="team").pk, is_active=""),
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.plan.slug == "team" and not company.is_active
    event = company.events.get(kind=EventKind.COMPANY_CHANGED)
    assert event.actor == admin_user
    assert event.data["changes"] == {"plan": ["essencial", "team"], "is_active": [True, False]}


def test_a_wrong_cnpj_is_refused_next_to_the_field_and_nothing_changes(admin_client):
    company, _primary = make_company()
    response = admin_client.post(
        reverse("admin:customers_company_change", args=[company.pk]),
        company_data(company, cnpj="11.222.333/0001-82", name="Outro nome"),
    )
    assert response.status_code == 200
    assert "dígitos verificadores" in str(response.context["adminform"].form.errors["cnpj"])
    company.refresh_from_db()
    assert company.name != "Outro nome" and not company.events.filter(
        kind=EventKind.COMPANY_CHANGED
    )


def test_staff_authorize_and_remove_contacts_on_the_company(admin_client, admin_user):
    company, primary = make_company()
    ti = make_authorized(company, primary, "ti@loja.com.br")
    contacts = list(company.contacts.order_by("-is_primary"))
    data = company_data(
        company,
        **{
            "contacts-TOTAL_FORMS": "3",
            "contacts-INITIAL_FORMS": "2",
            "contacts-0-id": contacts[0].pk,
            "contacts-0-company": company.pk,
            "contacts-1-id": contacts[1].pk,
            "contacts-1-company": company.pk,
            "contacts-1-DELETE": "on",
            "contacts-2-company": company.pk,
            "contacts-2-email": "novo@loja.com.br",
            "contacts-2-name": "Novo",
            "contacts-2-consent": "pedido por e-mail de 30/11",
        },
    )
    response = admin_client.post(reverse("admin:customers_company_change", args=[company.pk]), data)
    assert response.status_code == 302
    emails = set(company.contacts.values_list("user__email", flat=True))
    assert emails == {primary.email, "novo@loja.com.br"}
    ti.refresh_from_db()
    assert not ti.is_active
    removed = company.events.get(kind=EventKind.CONTACT_REMOVED)
    added = company.events.get(kind=EventKind.CONTACT_AUTHORIZED, data__email="novo@loja.com.br")
    assert removed.actor == admin_user and added.data["consent"] == "pedido por e-mail de 30/11"


def test_the_primary_contact_cannot_be_removed_in_the_admin(admin_client):
    company, primary = make_company()
    contact = company.contacts.get()
    data = company_data(
        company,
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": contact.pk,
            "contacts-0-company": company.pk,
            "contacts-0-DELETE": "on",
        },
    )
    response = admin_client.post(reverse("admin:customers_company_change", args=[company.pk]), data)
    assert response.status_code == 200 and "O contato principal não pode" in response.text
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_company_is_deactivated_never_deleted(admin_client):
    company, _primary = make_company()
    response = admin_client.get(reverse("admin:customers_company_delete", args=[company.pk]))
    assert response.status_code == 403


def test_the_plan_channel_matrix_is_a_row_of_checkboxes(admin_client):
    plan = Plan.objects.get(slug="essencial")
    url = reverse("admin:customers_plan_change", args=[plan.pk])
    page = admin_client.get(url).text
    assert 'type="checkbox" name="channels" value="chat"' in page
    data = {
        "name": plan.name,
        "name_en": "",
        "slug": plan.slug,
        "tier": plan.tier,
        "channels": ["chat", "email"],
        "first_response_minutes": "600",
        "next_response_minutes": "600",
        "resolution_minutes": "60",
        "meeting_horizon_days": "0",
        "meetings_per_month": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "antes da primeira resposta" in str(errors["resolution_minutes"])
    assert "meeting_horizon_days" in errors  # a horizon of at least one day
    data["resolution_minutes"] = "6000"
    data["meeting_horizon_days"] = "30"
    assert admin_client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.channels == ["chat", "email"] and plan.resolution_minutes == 6000
