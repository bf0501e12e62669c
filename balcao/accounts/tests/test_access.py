"""The access decorators every interface uses, on a bare view: who gets in, who is turned away
and how."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from balcao.accounts.access import contact_or_staff_required, contact_required, staff_required
from balcao.accounts.models import User
from balcao.factories import StaffFactory, make_company


def page(request):
    contact = getattr(request, "contact", None)
    return HttpResponse(f"in:{contact.user.email if contact else 'staff'}")


def ask(decorator, user, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().get("/somewhere/?x=1", headers=headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    return decorator(page)(request)


@pytest.fixture
def contact(profile):
    return make_company("team")[1]


@pytest.fixture
def agent(profile):
    return StaffFactory(departments=["suporte"])


@pytest.fixture
def stranger(db):
    return User.objects.create_user("solto@example.com", "senha-forte-123")


@pytest.mark.parametrize("decorator", [staff_required, contact_required, contact_or_staff_required])
def test_anonymous_goes_to_the_login_page_and_htmx_by_hx_redirect(decorator, db):
    response = ask(decorator, AnonymousUser())
    assert response.status_code == 302
    assert response.url == "/cliente/entrar/?next=/somewhere/%3Fx%3D1"
    response = ask(decorator, AnonymousUser(), htmx=True)
    assert response["HX-Redirect"] == "/cliente/entrar/"


def test_staff_pages_let_staff_in_and_are_404_to_anyone_else(agent, contact, stranger):
    assert ask(staff_required, agent).content == b"in:staff"
    for user in (contact, stranger):
        with pytest.raises(Http404):
            ask(staff_required, user)


def test_client_pages_let_contacts_in_with_their_contact_set(contact):
    assert ask(contact_required, contact).content == f"in:{contact.email}".encode()


def test_client_pages_send_staff_to_the_console(agent):
    response = ask(contact_required, agent)
    assert response.status_code == 302 and response.url == "/console/"


def test_client_pages_tell_who_is_no_contact_they_have_no_access(contact, stranger):
    assert ask(contact_required, stranger).status_code == 403
    company = contact.contact.company
    type(company).objects.filter(pk=company.pk).update(is_active=False)
    assert ask(contact_required, contact).status_code == 403


def test_shared_pages_let_staff_and_contacts_in_and_nobody_else(agent, contact, stranger):
    assert ask(contact_or_staff_required, agent).content == b"in:staff"
    assert ask(contact_or_staff_required, contact).content == f"in:{contact.email}".encode()
    assert ask(contact_or_staff_required, stranger).status_code == 403
