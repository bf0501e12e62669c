"""The original of an e-mail, one click from the ticket: staff who may see the ticket only."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from balcao.accounts.models import User
from balcao.connectors.email.models import InboundMail
from balcao.factories import StaffFactory
from balcao.tickets.models import Ticket
from tests.mail.conftest import make_mail, receive, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(loja):
    receive(make_mail(sender=loja[1].email, to="qualidade@balcao.localhost", body="Olá"))
    mail = InboundMail.objects.get()
    return mail, reverse("mail:original", args=[mail.message_id])


def test_staff_of_the_department_reads_why_and_downloads_the_raw(client, held):
    mail, url = held
    client.force_login(StaffFactory(departments=["atendimento"]))
    page = client.get(url)
    assert page.status_code == 200
    assert "Pacote Expresso" in page.content.decode()  # why it landed in Atendimento
    assert "Baixar o original" in page.content.decode()
    download = client.get(reverse("mail:download", args=[mail.message_id]))
    assert download["Content-Type"] == "message/rfc822"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == stored_bytes(mail)


@pytest.mark.parametrize("who", ["customer", "other_department", "anonymous"])
def test_anyone_else_gets_404(client, held, loja, who):
    mail, url = held
    if who == "customer":
        client.force_login(loja[1])
    elif who == "other_department":
        client.force_login(StaffFactory(departments=["suporte"]))
    assert client.get(url).status_code == 404
    assert client.get(reverse("mail:download", args=[mail.message_id])).status_code == 404


def test_the_console_link_appears_on_inbound_email_messages_only(held, profile):
    mail, url = held
    message = mail.message
    assert url in render_to_string("email/_original_link.html", {"message": message})
    reply = Ticket.objects.get().messages.create(direction="out", channel="console")
    assert render_to_string("email/_original_link.html", {"message": reply}).strip() == ""


def test_administrator_sees_every_original(client, held):
    _, url = held
    client.force_login(User.objects.create_superuser("root@balcao.localhost", "pw-xyz-123"))
    assert client.get(url).status_code == 200


def test_the_console_ticket_page_links_to_the_original(client, held):
    mail, url = held
    client.force_login(StaffFactory(departments=["atendimento"]))
    page = client.get(reverse("console:ticket", args=[mail.ticket.number])).content.decode()
    assert f'href="{url}"' in page and "ver original" in page
