import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from balcao.accounts.models import Department
from balcao.core.errors import ActionRefused
from balcao.customers.actions import do_authorize_contact, do_remove_contact
from balcao.customers.models import Contact
from balcao.customers.selectors import department_refusal
from balcao.customers.validators import validate_cnpj
from balcao.events.models import EventKind
from balcao.factories import StaffFactory, make_authorized, make_company

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-81", "11222333000181", "04.252.011/0001-10"])
def test_valid_cnpj(cnpj):
    validate_cnpj(cnpj)


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-82", "1122233300018", "00000000000000", "abc"])
def test_invalid_cnpj(cnpj):
    with pytest.raises(ValidationError):
        validate_cnpj(cnpj)


def test_primary_authorizes_and_removes(profile):
    company, primary = make_company()
    contact = do_authorize_contact(company, actor=primary, email="TI@Empresa.com.br", name="TI")
    assert contact.user.email == "ti@empresa.com.br" and not contact.is_primary
    assert company.events.filter(kind=EventKind.CONTACT_AUTHORIZED, data__email="ti@empresa.com.br")
    do_remove_contact(contact, actor=primary)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert company.events.filter(kind=EventKind.CONTACT_REMOVED).exists()
    contact.user.refresh_from_db()
    assert not contact.user.is_active


def test_authorized_contact_cannot_authorize(profile):
    company, primary = make_company()
    ti = make_authorized(company, primary)
    with pytest.raises(ActionRefused):
        do_authorize_contact(company, actor=ti, email="novo@x.com")
    assert company.contacts.count() == 2


def test_primary_cannot_be_removed(profile):
    company, primary = make_company()
    with pytest.raises(ActionRefused):
        do_remove_contact(company.contacts.get(), actor=primary)
    assert company.contacts.count() == 1


def test_contact_of_another_company_refused(profile):
    company, primary = make_company()
    _, other = make_company()
    with pytest.raises(ActionRefused):
        do_authorize_contact(company, actor=primary, email=other.email)
    assert company.contacts.count() == 1


def test_staff_email_refused_and_staff_may_authorize_with_consent(profile):
    company, _ = make_company()
    agent = StaffFactory()
    with pytest.raises(ActionRefused):
        do_authorize_contact(company, actor=agent, email=agent.email)
    contact = do_authorize_contact(
        company,
        actor=agent,
        email="novo@x.com",
        consent="Autorizado pelo primário por telefone em 24/11",
    )
    assert (
        company.events.get(data__email=contact.user.email).data["consent"].startswith("Autorizado")
    )


def test_removed_contact_can_be_authorized_again(profile):
    company, primary = make_company()
    contact = do_authorize_contact(company, actor=primary, email="vai@volta.com")
    do_remove_contact(contact, actor=primary)
    again = do_authorize_contact(company, actor=primary, email="vai@volta.com")
    assert again.user.is_active


@translation.override("pt-br")
def test_a_refused_department_is_worded_for_who_reads_it(profile):
    company, primary = make_company("essencial", name="Loja Exemplo")
    sucesso = Department.objects.get(slug="sucesso")
    agent = StaffFactory()
    for_customer = department_refusal(company, sucesso, viewer=primary)
    assert for_customer == department_refusal(company, sucesso)  # customers by default
    assert "seu plano" in for_customer
    for_staff = department_refusal(company, sucesso, viewer=agent)
    assert "Loja Exemplo" in for_staff and "Essencial" in for_staff and "TEAM" in for_staff
    assert "upgrade" not in for_staff.lower() and "seu plano" not in for_staff


def test_every_department_of_the_default_profile_says_what_to_include(profile):
    departments = Department.objects.all()
    assert departments.count() == 7
    assert all(d.guidance and d.guidance_en for d in departments)
