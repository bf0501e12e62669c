"""Who reaches what in the client area: a ticket, attachment or contact of another company is
404 on every URL, never "forbidden"; anonymous people are sent to the login page."""

import pytest
from django.urls import reverse

from balcao.factories import make_authorized

pytestmark = pytest.mark.django_db


def other_company_urls(other, other_contact):
    """Every client-area URL that names something of the other company, with its method."""
    number = other.number
    attachment = other.messages.get().attachments.get()
    return [
        ("get", reverse("portal:ticket", args=[number]), {}),
        ("post", reverse("portal:reply", args=[number]), {"body": "Intruso"}),
        ("post", reverse("portal:close", args=[number]), {}),
        ("get", reverse("portal:attachment", args=[attachment.pk]), {}),
        ("post", reverse("portal:contact_remove", args=[other_contact.pk]), {}),
    ]


def test_every_url_of_another_company_is_404(client_for, customer, other, loja):
    company, primary = loja
    other_contact = make_authorized(company, primary, "ti@lojaexemplo.com.br").contact
    client = client_for(customer)
    for method, url, data in other_company_urls(other, other_contact):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    other.refresh_from_db()
    assert other.status == "open" and other.messages.count() == 1
    assert company.contacts.count() == 2


def test_an_authorized_contact_may_not_remove_contacts(client_for, mega, authorized):
    company, primary = mega
    colleague = make_authorized(company, primary, "financeiro@megastore.com.br").contact
    client = client_for(authorized)
    url = reverse("portal:contact_remove", args=[colleague.pk])
    assert client.post(url).status_code == 404
    assert (
        client.post(reverse("portal:contacts"), {"name": "X", "email": "x@y.com"}).status_code
        == 404
    )
    assert company.contacts.count() == 3


@pytest.mark.parametrize("name", ["home", "open_ticket", "tickets", "contacts", "plan", "help"])
def test_anonymous_people_are_sent_to_the_login_page(client, name):
    url = reverse(f"portal:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:login')}?next={url}"


def test_anonymous_attachment_and_ticket_urls_also_ask_to_log_in(client, other):
    attachment = other.messages.get().attachments.get()
    for url in (
        reverse("portal:ticket", args=[other.number]),
        reverse("portal:attachment", args=[attachment.pk]),
    ):
        assert client.get(url).url.startswith(reverse("portal:login"))


def test_htmx_requests_of_an_expired_session_redirect_the_whole_page(client):
    response = client.get(reverse("portal:tickets"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == reverse("portal:login")


def test_forms_refuse_a_post_without_csrf_token(customer):
    from django.test import Client

    from balcao.factories import PASSWORD

    client = Client(enforce_csrf_checks=True)
    client.login(username=customer.email, password=PASSWORD)
    response = client.post(
        reverse("portal:open_ticket"), {"department": "suporte", "subject": "x", "body": "y"}
    )
    assert response.status_code == 403
