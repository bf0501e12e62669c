"""The ticket page, staff and customer side: what was just written shows on the next read of
either page, notes never to the customer, files only where a message has them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from balcao.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_note_and_a_reply_show_at_once_and_the_note_never_to_the_customer(
    client, suporte_agent, customer, ticket, media
):
    client.force_login(suporte_agent)
    staff_page = reverse("console:ticket", args=[ticket.number])
    customer_page = reverse("portal:ticket", args=[ticket.number])
    portal = Client()
    assert portal.login(username=customer.email, password=PASSWORD)
    assert "Já estamos vendo" not in client.get(staff_page).content.decode()
    assert "Já estamos vendo" not in portal.get(customer_page).content.decode()

    client.post(
        reverse("console:message", args=[ticket.number]),
        {"body": "Cliente difícil, cuidado", "kind": "note"},
    )
    client.post(
        reverse("console:message", args=[ticket.number]),
        {
            "body": "Já estamos vendo.",
            "kind": "reply",
            "attachments": [SimpleUploadedFile("log.txt", b"erro 500", "text/plain")],
        },
    )
    staff = client.get(staff_page).content.decode()
    assert "Cliente difícil, cuidado" in staff and "Já estamos vendo." in staff
    assert staff.count('class="files"') == 1 and "log.txt" in staff
    seen = portal.get(customer_page).content.decode()
    assert "Já estamos vendo." in seen and "log.txt" in seen
    assert "Cliente difícil" not in seen

    portal.post(reverse("portal:reply", args=[ticket.number]), {"body": "Obrigado, aguardo."})
    assert "Obrigado, aguardo." in client.get(staff_page).content.decode()
    assert "Obrigado, aguardo." in portal.get(customer_page).content.decode()


def test_another_companys_contact_never_reaches_the_ticket(client, ticket, profile):
    from balcao.factories import make_company

    _, stranger = make_company("team", name="Outra Loja")
    assert client.login(username=stranger.email, password=PASSWORD)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404


def test_an_open_ticket_offers_its_staff_and_the_viewer_first(client, suporte_agent, ticket):
    client.force_login(suporte_agent)
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert f'<option value="{suporte_agent.pk}" selected>Ana Suporte (eu)</option>' in page
    assert '<option value="">Ninguém (de volta para a fila)</option>' in page
    assert '<option value="normal" selected>Normal</option>' in page
    # transfers go to the other active departments
    assert '<option value="suporte">' not in page and '<option value="financeiro">' in page
