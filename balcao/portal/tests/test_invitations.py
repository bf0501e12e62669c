"""A newly authorized contact is invited to choose a password (a signed link that expires and
works once); the primary contact sees whether it was accepted and can send it again; removing
a contact is confirmed on its own page first."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balcao.customers.models import Contact
from balcao.customers.tasks import invite_contact_task

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "um-cafe-bem-forte-42"


@pytest.fixture
def invited(client_for, customer, tasks, django_capture_on_commit_callbacks):
    client = client_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:contacts"),
            {"name": "Bia", "email": "bia@megastore.com.br", "consent": "on"},
        )
    assert response.status_code == 302
    contact = Contact.objects.get(user__email="bia@megastore.com.br")
    [scheduled] = [r for r in tasks.results if r.task.name == "invite_contact_task"]
    assert scheduled.args == [contact.pk]
    return client, contact


def _link(mail) -> str:
    return re.search(r"http://\S+/cliente/convite/\S+/", mail.body).group(0).split("testserver")[-1]


def _set_password(path: str):
    browser = Client()
    page = browser.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    return (
        browser,
        page,
        browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
    )


def test_the_invitation_sets_the_password_then_the_contact_logs_in(invited, mailoutbox):
    client, contact = invited
    page = client.get(reverse("portal:contacts")).content.decode()
    assert "Convite pendente" in page and "Reenviar convite" in page
    invite_contact_task.call(contact.pk)
    [mail] = mailoutbox
    assert mail.to == ["bia@megastore.com.br"] and "Escolha sua senha" in mail.body
    path = "/" + _link(mail).split("/", 3)[-1]
    _browser, form_page, done = _set_password(path)
    assert "Escolha sua senha" in form_page.content.decode()
    assert done.status_code == 302 and done.url == reverse("portal:login")
    contact.refresh_from_db()
    assert contact.accepted_at is not None
    login = Client().post(
        reverse("portal:login"), {"username": "bia@megastore.com.br", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302 and login.url == reverse("portal:home")
    page = client.get(reverse("portal:contacts")).content.decode()
    assert "Aceito em" in page and "Reenviar convite" not in page
    # used once: the same link no longer works
    _b, again, _done = _set_password(path)
    assert "não é mais válido" in again.content.decode()


def test_a_password_chosen_by_the_reset_link_accepts_the_invitation(invited, mailoutbox):
    """ "Esqueceu a senha?" proves the address as the invitation's link does: not left pending."""
    client, contact = invited
    Client().post(reverse("portal:password_reset"), {"email": "bia@megastore.com.br"})
    [mail] = mailoutbox
    link = re.search(r"http://testserver(/cliente/senha/\S+/)", mail.body).group(1)
    browser = Client()
    form_url = browser.get(link).url
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    contact.refresh_from_db()
    assert contact.accepted_at is not None and contact.user.check_password(NEW_PASSWORD)
    page = client.get(reverse("portal:contacts")).content.decode()
    assert "Aceito em" in page and "Convite pendente" not in page


def test_an_expired_or_tampered_invitation_is_refused(invited, mailoutbox, time_machine):
    _client, contact = invited
    invite_contact_task.call(contact.pk)
    path = "/" + _link(mailoutbox[0]).split("/", 3)[-1]
    tampered = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    _b, page, _d = _set_password(tampered)
    assert "não é mais válido" in page.content.decode()
    time_machine.move_to(timezone.now() + timedelta(days=8))
    _b, page, _d = _set_password(path)
    assert "não é mais válido" in page.content.decode()
    contact.refresh_from_db()
    assert contact.accepted_at is None and not contact.user.has_usable_password()


def test_the_primary_contact_resends_a_pending_invitation(
    invited, tasks, time_machine, django_capture_on_commit_callbacks
):
    client, contact = invited
    url = reverse("portal:contact_invite", args=[contact.pk])
    tasks.clear()
    refused = client.post(url, follow=True).content.decode()
    assert "Aguarde alguns minutos" in refused and tasks.results == []
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [r.task.name for r in tasks.results] == ["invite_contact_task"]


def test_removing_a_contact_is_confirmed_on_its_own_page(client_for, mega, customer, authorized):
    company, _ = mega
    client = client_for(customer)
    url = reverse("portal:contact_remove", args=[authorized.contact.pk])
    assert f'href="{url}"' in client.get(reverse("portal:contacts")).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and f"Sim, remover {authorized.email}" in page.content.decode()
    assert company.contacts.filter(user=authorized).exists()  # asking removed nobody
    assert client.post(url).status_code == 302
    assert not company.contacts.filter(user=authorized).exists()
