import re

import pytest
from django.core import mail
from django.urls import reverse

from balcao.accounts.throttle import LOGIN_PER_EMAIL
from balcao.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/cliente/entrar/"


def post_login(client, email, password=PASSWORD, next_url=None):
    data = {"username": email, "password": password}
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def test_login_page_is_in_portuguese(client):
    page = client.get(LOGIN).content.decode()
    assert "E-mail" in page and "Senha" in page and "Entrar" in page
    assert "Esqueceu a senha?" in page


def test_contact_logs_in_to_the_client_area(client, customer):
    response = post_login(client, customer.email)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert "Olá" in client.get(response.url).content.decode()


def test_staff_log_in_to_the_console(client, agent):
    response = post_login(client, agent.email)
    assert response.url == "/console/"


def test_next_is_honoured_when_it_is_ours_and_ignored_when_it_is_not(client, customer):
    response = post_login(client, customer.email, next_url="/cliente/chamados/")
    assert response.url == "/cliente/chamados/"
    client.logout()
    response = post_login(client, customer.email, next_url="https://evil.example.com/")
    assert response.url == reverse("portal:home")


def test_wrong_password_is_a_clear_error(client, customer):
    response = post_login(client, customer.email, "wrong-password")
    assert response.status_code == 200
    assert "E-mail ou senha incorretos." in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, customer):
    for _ in range(LOGIN_PER_EMAIL.attempts):
        post_login(client, customer.email, "wrong-password")
    # Even the right password is refused now, with a way out.
    response = post_login(client, customer.email)
    page = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Muitas tentativas" in page and "15 minutos" in page


def test_failures_of_one_e_mail_do_not_block_another(client, customer, authorized):
    for _ in range(LOGIN_PER_EMAIL.attempts):
        post_login(client, customer.email, "wrong-password")
    assert post_login(client, authorized.email).status_code == 302


def test_a_success_forgets_earlier_failures(client, customer):
    for _ in range(LOGIN_PER_EMAIL.attempts - 1):
        post_login(client, customer.email, "wrong-password")
    assert post_login(client, customer.email).status_code == 302
    client.logout()
    for _ in range(LOGIN_PER_EMAIL.attempts - 1):
        post_login(client, customer.email, "wrong-password")
    assert post_login(client, customer.email).status_code == 302


def test_logout_is_a_post_and_goes_back_to_login(client_for, customer):
    client = client_for(customer)
    assert client.get("/cliente/sair/").status_code == 405
    response = client.post("/cliente/sair/")
    assert response.url == LOGIN
    assert client.get("/cliente/").status_code == 302


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/cliente/chamados/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/cliente/chamados/"


def test_root_goes_to_the_client_area(client):
    assert client.get("/").url == reverse("portal:home")


def test_staff_on_client_pages_are_sent_to_the_console(client_for, agent):
    response = client_for(agent).get("/cliente/chamados/")
    assert response.status_code == 302 and response.url == "/console/"


def test_a_login_that_is_no_contact_gets_a_clear_page(client, profile):
    from balcao.accounts.models import User

    User.objects.create_user("solto@example.com", "senha-forte-123")
    client.login(username="solto@example.com", password="senha-forte-123")
    response = client.get("/cliente/chamados/")
    assert response.status_code == 403
    assert "Sem acesso à Área do Cliente" in response.content.decode()


def test_contact_of_an_inactive_company_gets_the_no_access_page(client_for, mega):
    company, primary = mega
    client = client_for(primary)
    type(company).objects.filter(pk=company.pk).update(is_active=False)
    assert client.get("/cliente/").status_code == 403


def test_password_reset_by_e_mail_in_portuguese(client, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/cliente/senha/", {"email": customer.email.upper()})
    assert response.url == "/cliente/senha/enviada/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    assert "nova senha" in message.subject
    link = re.search(r"http://testserver(/cliente/senha/\S+/)", message.body).group(1)
    form_url = client.get(link).url  # Django moves the token into the session
    response = client.post(
        form_url, {"new_password1": "outra-senha-forte-9", "new_password2": "outra-senha-forte-9"}
    )
    assert response.url == "/cliente/senha/alterada/"
    assert client.login(username=customer.email, password="outra-senha-forte-9")


def test_a_newly_authorized_contact_chooses_a_first_password_by_reset(client, mega, settings):
    from balcao.customers.actions import do_authorize_contact

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    company, primary = mega
    new = do_authorize_contact(company, actor=primary, email="nova@megastore.com.br").user
    assert not new.has_usable_password()
    client.post("/cliente/senha/", {"email": "nova@megastore.com.br"})
    assert len(mail.outbox) == 1


def test_password_reset_does_not_tell_who_has_a_login(client, profile, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/cliente/senha/", {"email": "ninguem@example.com"})
    assert response.url == "/cliente/senha/enviada/" and mail.outbox == []
