"""CC in the client area (only the company's authorized contacts) and previews of files."""

import pytest
from django.urls import reverse

from balcao.events.models import EventKind
from balcao.factories import make_company, open_ticket
from balcao.tickets import actions
from balcao.tickets.actions import NewAttachment

pytestmark = pytest.mark.django_db


def test_a_contact_copies_and_uncopies_another_authorized_contact(client_for, customer, authorized):
    ticket = open_ticket(customer)
    client = client_for(customer)
    page = client.get(reverse("portal:ticket_cc", args=[ticket.number]))
    assert f"<option>{authorized.email}</option>" in page.content.decode()
    client.post(reverse("portal:ticket_cc", args=[ticket.number]), {"email": authorized.email})
    assert list(ticket.cc.values_list("email", flat=True)) == [authorized.email]
    assert ticket.events.filter(kind=EventKind.CC_ADDED).count() == 1
    history = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert authorized.email in history
    client.post(
        reverse("portal:ticket_cc", args=[ticket.number]),
        {"email": authorized.email, "remove": "1"},
    )
    assert not ticket.cc.exists()


def test_nobody_outside_the_company_is_ever_copied(client_for, customer, authorized):
    ticket = open_ticket(customer)
    _other, stranger = make_company("team", name="Outra")
    for email in (stranger.email, "ninguem@fora.example", customer.email):
        response = client_for(customer).post(
            reverse("portal:ticket_cc", args=[ticket.number]), {"email": email}
        )
        assert response.status_code == 302
    assert not ticket.cc.exists()
    assert not ticket.events.filter(kind=EventKind.CC_ADDED).exists()


def test_another_company_cannot_touch_the_copies(client_for, customer, authorized):
    ticket = open_ticket(customer)
    _other, stranger = make_company("team", name="Outra")
    response = client_for(stranger).post(
        reverse("portal:ticket_cc", args=[ticket.number]), {"email": authorized.email}
    )
    assert response.status_code == 404
    assert not ticket.cc.exists()


def test_a_contact_previews_an_image_of_the_team_in_a_sandbox(client_for, customer, media, profile):
    from balcao.factories import StaffFactory

    ticket = open_ticket(customer)
    agent = StaffFactory(departments=["suporte"])
    reply = actions.do_add_message(
        ticket,
        actor=agent,
        body="Veja",
        attachments=[NewAttachment("tela.png", "image/png", b"\x89PNG\r\n\x1a\nfake")],
    )
    item = reply.attachments.get()
    client = client_for(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert reverse("portal:attachment_preview", args=[item.pk]) in page
    shown = client.get(reverse("portal:attachment_preview", args=[item.pk]))
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["Content-Security-Policy"].startswith("sandbox")
