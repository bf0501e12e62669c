"""Staff register and remove a contact's WhatsApp number in the admin, through the actions."""

import pytest
from django.urls import reverse

from balcao.connectors.whatsapp.models import WhatsAppIdentity
from balcao.events.models import Event, EventKind
from balcao.factories import make_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user, profile):
    client.force_login(admin_user)
    return client


def test_staff_register_and_remove_a_number_with_events(admin_client, admin_user):
    company, primary = make_company("team")
    response = admin_client.post(
        reverse("admin:whatsapp_whatsappidentity_add"),
        {"contact": primary.contact.pk, "wa_id": "+55 (11) 98765-4321"},
    )
    assert response.status_code == 302
    identity = WhatsAppIdentity.objects.get(wa_id="5511987654321")
    added = Event.objects.get(kind=EventKind.WHATSAPP_NUMBER_ADDED)
    assert added.actor == admin_user and added.company == company
    response = admin_client.post(
        reverse("admin:whatsapp_whatsappidentity_delete", args=[identity.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not WhatsAppIdentity.objects.exists()
    assert Event.objects.get(kind=EventKind.WHATSAPP_NUMBER_REMOVED).actor == admin_user


def test_a_bad_number_is_refused_next_to_the_field(admin_client):
    _company, primary = make_company("team")
    response = admin_client.post(
        reverse("admin:whatsapp_whatsappidentity_add"),
        {"contact": primary.contact.pk, "wa_id": "9876-5432"},
    )
    assert response.status_code == 200
    assert "código do país" in str(response.context["adminform"].form.errors["wa_id"])
    assert not WhatsAppIdentity.objects.exists() and not Event.objects.filter(
        kind=EventKind.WHATSAPP_NUMBER_ADDED
    )


def test_a_registered_number_is_not_edited_in_place(admin_client):
    _company, primary = make_company("team")
    identity = WhatsAppIdentity.objects.create(wa_id="5511987654321", contact=primary.contact)
    url = reverse("admin:whatsapp_whatsappidentity_change", args=[identity.pk])
    response = admin_client.post(url, {"contact": primary.contact.pk, "wa_id": "5511000000000"})
    assert response.status_code == 403
    identity.refresh_from_db()
    assert identity.wa_id == "5511987654321"
