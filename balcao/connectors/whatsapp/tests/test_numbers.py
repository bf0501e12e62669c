"""The primary contact registers the WhatsApp numbers its contacts write from (R2); a number
registered this way links the next WhatsApp message to the company."""

import pytest
from django.urls import reverse

from balcao.connectors.whatsapp.actions import _contact
from balcao.connectors.whatsapp.models import WhatsAppIdentity
from balcao.events.models import Event, EventKind
from balcao.factories import PASSWORD, SESSION, make_authorized, make_company

pytestmark = pytest.mark.django_db

URL = "/whatsapp/numeros/"


@pytest.fixture
def mega(profile):
    company, primary = make_company("team", name="Mega Store")
    colleague = make_authorized(company, primary, "ti@megastore.com.br")
    return company, primary, colleague


def signed_in(client, user):
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_the_primary_contact_registers_a_colleague_s_number(client, mega):
    company, primary, colleague = mega
    client = signed_in(client, primary)
    response = client.post(URL, {"contact": colleague.contact.pk, "number": "+55 (11) 98765-4321"})
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "+5511987654321 pode agora escrever ao suporte pelo WhatsApp como ti@megastore" in page
    assert _contact("5511987654321") == colleague.contact  # the webhook now links it
    event = Event.objects.get(kind=EventKind.WHATSAPP_NUMBER_ADDED)
    assert event.actor == primary and event.company == company
    assert event.data["number"] == "5511987654321"


@pytest.mark.parametrize(
    "number, error",
    [("9876-5432", "Escreva o número completo com o código do país"), ("", "obrigatório")],
)
def test_a_number_that_cannot_be_is_a_clear_error(client, mega, number, error):
    _company, primary, _colleague = mega
    response = signed_in(client, primary).post(
        URL, {"contact": primary.contact.pk, "number": number}
    )
    assert response.status_code == 400 and error in response.content.decode()
    assert not WhatsAppIdentity.objects.exists()


def test_a_number_already_registered_is_refused(client, mega, profile):
    _company, primary, _colleague = mega
    _other, someone = make_company("essencial")
    WhatsAppIdentity.objects.create(wa_id="5511987654321", contact=someone.contact)
    response = signed_in(client, primary).post(
        URL, {"contact": primary.contact.pk, "number": "5511987654321"}
    )
    assert response.status_code == 400
    assert "+5511987654321 já está cadastrado." in response.content.decode()
    assert WhatsAppIdentity.objects.get().contact == someone.contact


def test_the_primary_contact_removes_a_number(client, mega):
    company, primary, colleague = mega
    identity = WhatsAppIdentity.objects.create(wa_id="5511987654321", contact=colleague.contact)
    client = signed_in(client, primary)
    response = client.post(reverse("whatsapp:number_remove", args=[identity.pk]))
    assert response.status_code == 302
    assert not WhatsAppIdentity.objects.exists() and _contact("5511987654321") is None
    assert Event.objects.filter(kind=EventKind.WHATSAPP_NUMBER_REMOVED, company=company).exists()


def test_other_contacts_see_the_numbers_but_change_nothing(client, mega):
    _company, _primary, colleague = mega
    identity = WhatsAppIdentity.objects.create(wa_id="5511987654321", contact=colleague.contact)
    client = signed_in(client, colleague)
    page = client.get(URL).content.decode()
    assert "+5511987654321" in page and "Cadastrar um número" not in page
    assert (
        client.post(URL, {"contact": colleague.contact.pk, "number": "5511900000000"}).status_code
        == 404
    )
    assert client.post(reverse("whatsapp:number_remove", args=[identity.pk])).status_code == 404
    assert WhatsAppIdentity.objects.count() == 1


def test_a_number_of_another_company_is_404(client, mega, profile):
    _company, primary, _colleague = mega
    _other, someone = make_company("essencial")
    theirs = WhatsAppIdentity.objects.create(wa_id="5521999999999", contact=someone.contact)
    client = signed_in(client, primary)
    assert "5521999999999" not in client.get(URL).content.decode()
    assert client.post(reverse("whatsapp:number_remove", args=[theirs.pk])).status_code == 404
    response = client.post(URL, {"contact": someone.contact.pk, "number": "5511911111111"})
    assert response.status_code == 400  # not one of the company's contacts
    assert WhatsAppIdentity.objects.count() == 1


def test_the_page_needs_a_contact(client, profile):
    assert client.get(URL).status_code == 302  # to the login


@pytest.mark.parametrize("count", [1, 6])
def test_the_page_takes_a_constant_number_of_queries(
    client, mega, count, django_assert_num_queries
):
    _company, primary, colleague = mega
    for i in range(count):
        WhatsAppIdentity.objects.create(wa_id=f"55119000000{i:02d}", contact=colleague.contact)
    client = signed_in(client, primary)
    with django_assert_num_queries(SESSION + 3):  # user with contact, contacts, numbers
        assert client.get(URL).status_code == 200
