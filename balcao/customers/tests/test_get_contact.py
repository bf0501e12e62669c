"""get_contact reads the contact, company and plan with SQL built once per process
(core.prepared): what it gives is what the ORM gives."""

import pytest

from balcao.customers.actions import do_change_company
from balcao.customers.models import Contact
from balcao.customers.selectors import get_contact
from balcao.factories import StaffFactory, make_company

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_the_contact_is_the_querysets_with_company_and_plan(profile, django_assert_num_queries):
    company, user = make_company("team")
    expected = Contact.objects.select_related("company__plan").get(user=user)
    get_contact(user)
    with django_assert_num_queries(1):
        contact = get_contact(user)
        assert fields(contact.company.plan) == fields(expected.company.plan)
    assert fields(contact) == fields(expected) and fields(contact.company) == fields(company)
    assert contact.company.plan.channels == expected.company.plan.channels  # JSON, converted
    assert not contact._state.adding and contact._state.db == "default"


def test_no_contact_for_staff_nor_for_a_deactivated_company(profile):
    company, user = make_company()
    assert get_contact(StaffFactory()) is None
    do_change_company(company, actor=None, is_active=False)
    assert get_contact(user) is None


def test_the_sql_is_built_once(profile, built_sql):
    (_, first), (_, second) = make_company(), make_company()
    assert get_contact(first).user_id == first.pk
    assert get_contact(second).user_id == second.pk
    assert len(built_sql) == 1
