"""The client area's ticket list is kept rendered under the viewer's list token
(core.listcache): what it shows again is never stale, nor another viewer's."""

import re

import pytest
from django.contrib import admin
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from balcao.accounts.models import Department, User
from balcao.core.listcache import forget_lists
from balcao.customers.actions import do_change_company
from balcao.factories import open_ticket
from balcao.portal import views
from balcao.tickets import actions

pytestmark = pytest.mark.django_db

TICKETS = reverse("portal:tickets")


def listed(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def rendered(response) -> bool:
    return "portal/_ticket_list.html" in [t.name for t in response.templates]


def test_the_same_list_again_is_not_rendered_again(client_for, customer, ticket):
    client = client_for(customer)
    first = client.get(TICKETS)
    again = client.get(TICKETS)
    assert rendered(first) and not rendered(again)
    assert ticket.subject in again.content.decode()


def test_a_change_made_by_an_action_shows_at_once(
    client_for, customer, agent, ticket, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    assert "status-answered" not in listed(client.get(TICKETS))
    with django_capture_on_commit_callbacks(execute=True):  # the token moves on commit
        actions.do_add_message(ticket, actor=agent, body="Já olhamos.")
    assert "status-answered" in listed(client.get(TICKETS))
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(customer, "financeiro", subject="Segunda via do boleto")
    assert "Segunda via do boleto" in client.get(TICKETS).content.decode()


def test_a_contact_of_another_company_never_gets_the_list_kept_for_another(
    client_for, customer, ticket, loja, other
):
    client = client_for(customer)
    page = client.get(TICKETS).content.decode()
    assert ticket.subject in page and other.subject not in page
    client = client_for(loja[1])  # same browser, same address, the same list token
    page = client.get(TICKETS).content.decode()
    assert other.subject in page and ticket.subject not in page


def test_a_deactivated_company_lists_nothing_at_once(client_for, customer, ticket, mega):
    client = client_for(customer)
    assert ticket.subject in client.get(TICKETS).content.decode()
    do_change_company(mega[0], actor=None, is_active=False)
    response = client.get(TICKETS)
    assert response.status_code == 403 and ticket.subject not in response.content.decode()


def test_a_department_renamed_in_the_admin_shows_at_once(client_for, customer, ticket):
    admin_user = User.objects.create_superuser("admin@balcao.localhost", "pw-admin-123")
    client = client_for(customer)
    assert "Suporte Técnico" not in listed(client.get(TICKETS))
    department = Department.objects.get(slug="suporte")
    department.name = "Suporte Técnico"
    request = RequestFactory().post("/")
    request.user = admin_user
    with transaction.atomic():  # the admin's post
        admin.site._registry[Department].save_model(request, department, None, True)
    assert "Suporte Técnico" in listed(client.get(TICKETS))


def test_the_page_seen_again_is_rendered_by_no_template(client_for, customer, ticket):
    client = client_for(customer)
    client.get(TICKETS)
    again = client.get(TICKETS)
    assert again.templates == [] and ticket.subject in listed(again)


def test_the_kept_page_carries_this_requests_csrf_token(customer, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    client.get(TICKETS)
    page = client.get(TICKETS).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1 and f'"X-CSRFToken": "{tokens.pop()}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("portal:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the token works: not refused (403)


def test_a_message_waiting_shows_on_the_kept_list(client_for, customer, ticket):
    client = client_for(customer)
    client.get(TICKETS)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Feito agora.")])
    assert "Feito agora." in client.get(TICKETS).content.decode()
    assert "Feito agora." not in client.get(TICKETS).content.decode()  # shown once


def test_the_viewers_new_name_shows_at_once(client_for, customer, ticket):
    client = client_for(customer)
    client.get(TICKETS)
    User.objects.filter(pk=customer.pk).update(name="Nome Novo da Silva")
    assert "Nome Novo da Silva" in client.get(TICKETS).content.decode()


def test_after_a_change_only_the_changed_tickets_row_is_written_again(
    client_for, customer, agent, ticket, monkeypatch, django_capture_on_commit_callbacks
):
    others = [open_ticket(customer, "suporte", subject=f"Outro {i}") for i in range(3)]
    client = client_for(customer)
    client.get(TICKETS)
    written = []
    monkeypatch.setattr(views, "time_tag", lambda value: written.append(value) or "")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_add_message(others[1], actor=agent, body="Já olhamos.")
    again = client.get(TICKETS)
    assert len(written) == 1  # the changed ticket's row; the three others were kept
    names = [t.name for t in again.templates]
    assert "portal/_ticket_list.html" in names and "portal/ticket_list.html" not in names
    assert listed(again).count("<tr>") == 4 and "status-answered" in listed(again)


def test_a_list_made_of_kept_rows_is_the_list_made_afresh(
    client_for, customer, agent, ticket, django_capture_on_commit_callbacks
):
    for i in range(3):
        open_ticket(customer, "financeiro", subject=f"Boleto {i}")
    client = client_for(customer)
    client.get(TICKETS)
    client.get(TICKETS, {"department": "financeiro"})  # rows lent by another list, too
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_add_message(ticket, actor=agent, body="Já olhamos.")
    made_of_kept = without_tokens(client.get(TICKETS))
    filtered = listed(client.get(TICKETS, {"department": "financeiro"}))
    forget_lists()
    assert without_tokens(client.get(TICKETS)) == made_of_kept
    assert filtered.count("<tr>") == 3 and ticket.subject not in filtered


def test_a_search_never_lends_its_rows(client_for, customer, ticket):
    client = client_for(customer)
    searched = listed(client.get(TICKETS, {"q": ticket.subject.split()[0]}))
    assert 'class="snippet"' in searched or ticket.subject in searched
    assert 'class="snippet"' not in listed(client.get(TICKETS))


def without_tokens(response) -> str:
    """The page with each CSRF token (masked anew for every request) left out."""
    page = response.content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    tokens += re.findall(r'"X-CSRFToken": "([^"]+)"', page)
    assert tokens
    for token in tokens:
        page = page.replace(token, "")
    return page
