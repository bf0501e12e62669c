"""The person signed in is read back on each request by accounts.backends.AccountBackend: one
row with a contact's company and plan, its SQL built once per process, and every check of
Django's ModelBackend and session kept."""

import pytest
from django.contrib.auth import get_user
from django.test import Client, RequestFactory

from balcao.accounts.models import User
from balcao.customers.models import Company, Contact
from balcao.customers.selectors import get_contact
from balcao.factories import PASSWORD, StaffFactory, make_company

pytestmark = pytest.mark.django_db

PAGE = "/cliente/chamados/"


def with_session(client: Client):
    """A request with the client's session, read."""
    request = RequestFactory().get("/")
    request.session = client.session
    request.session.keys()
    return request


def session_user(client: Client):
    """The user Django reads back for the client's session, as the middleware does."""
    return get_user(with_session(client))


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_a_contact_is_read_with_company_and_plan_in_one_query(profile, django_assert_num_queries):
    company, person = make_company("team")
    request = with_session(signed_in(person))
    with django_assert_num_queries(1):
        user = get_user(request)
        contact = get_contact(user)
        assert (contact.company.name, contact.company.plan.slug) == (company.name, "team")
    assert user.pk == person.pk and contact == Contact.objects.get(user=person)
    assert user.get_session_auth_hash() == person.get_session_auth_hash()


def test_staff_are_read_alone_and_have_no_contact(profile, django_assert_num_queries):
    agent = StaffFactory(departments=["suporte"])
    request = with_session(signed_in(agent))
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user == agent and user.is_agent and get_contact(user) is None


def test_the_sql_is_built_once(profile, built_sql):
    (_, first), (_, second) = make_company(), make_company()
    agent = StaffFactory()
    for person in (first, second, agent):
        assert session_user(signed_in(person)) == person
    assert [queryset.model for queryset in built_sql] == [User]


def test_a_deactivated_company_keeps_its_contacts_out(profile):
    company, person = make_company()
    client = signed_in(person)
    assert client.get(PAGE).status_code == 200
    Company.objects.filter(pk=company.pk).update(is_active=False)
    assert client.get(PAGE).status_code == 403


def test_a_deactivated_person_is_signed_out(profile):
    _company, person = make_company()
    client = signed_in(person)
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert not session_user(client).is_authenticated
    assert client.get(PAGE).status_code == 302


def test_a_changed_password_ends_the_other_sessions(profile):
    _company, person = make_company()
    client = signed_in(person)
    person.set_password("another-long-password")
    person.save()
    assert not session_user(client).is_authenticated
    assert client.get(PAGE).status_code == 302


def test_a_removed_person_is_signed_out(profile):
    agent = StaffFactory()
    client = signed_in(agent)
    agent.delete()
    assert not session_user(client).is_authenticated
