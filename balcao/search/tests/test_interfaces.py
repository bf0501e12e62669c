"""The same search from the console's bar, the client area and the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from balcao.accounts.models import User
from balcao.api.tests.test_api import api_client
from balcao.factories import PASSWORD, StaffFactory, make_company, open_ticket
from balcao.tickets.actions import do_add_message

pytestmark = pytest.mark.django_db

CONSOLE = 8  # session, user, departments, staff, count, page ids, page rows, their tags; + excerpts


@pytest.fixture
def loja(profile):
    return make_company(name="Loja")


def test_the_api_searches_words_and_never_shows_notes_to_contacts(loja):
    ticket = open_ticket(loja[1], subject="Checkout", body="O cartão é recusado.")
    agent = StaffFactory(departments=["suporte"])
    do_add_message(ticket, actor=agent, body="Antifraude bloqueou.", internal=True)
    staff, contact = api_client(agent), api_client(loja[1])
    assert [t["number"] for t in staff.get("/api/v1/tickets?q=cartao").json()["items"]] == [
        ticket.number
    ]
    assert staff.get("/api/v1/tickets?q=antifraude").json()["count"] == 1
    assert contact.get("/api/v1/tickets?q=antifraude").json()["count"] == 0
    assert contact.get("/api/v1/tickets?q=CARTÃO").json()["count"] == 1


def test_the_search_bar_is_on_every_console_page(client, profile):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    client.login(username=admin.email, password=PASSWORD)
    for name in ("console:home", "console:tickets", "sla:report"):
        page = client.get(reverse(name)).content.decode()
        assert 'role="search"' in page and 'id="global-search"' in page


@pytest.mark.parametrize("n", [3, 30])
def test_console_search_lists_the_best_match_with_excerpts(
    client, loja, n, django_assert_max_num_queries
):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    for i in range(n):
        open_ticket(loja[1], subject=f"Pedido {i}", body="A etiqueta de frete não sai.")
    best = open_ticket(loja[1], subject="Etiqueta de frete", body="Etiqueta, etiqueta, etiqueta.")
    client.login(username=admin.email, password=PASSWORD)
    with django_assert_max_num_queries(CONSOLE + 2):
        response = client.get(reverse("console:tickets"), {"q": "etiqueta"})
    page = response.content.decode()
    assert response.context["page"].object_list[0].number == best.number
    assert "<mark>etiqueta</mark>" in page.lower()


def test_the_api_combines_words_with_company_and_dates(loja, profile):
    ours = open_ticket(loja[1], subject="Frete grátis", body="Frete.")
    open_ticket(make_company()[1], subject="Frete grátis", body="Frete.")
    admin = api_client(StaffFactory(role=User.Role.ADMINISTRATOR))
    day = timezone.localtime(ours.created_at).date().isoformat()  # a date in Brasília time
    assert admin.get("/api/v1/tickets?q=frete").json()["count"] == 2
    found = admin.get(f"/api/v1/tickets?q=frete&company={loja[0].pk}&opened_from={day}").json()
    assert [t["number"] for t in found["items"]] == [ours.number]
    assert admin.get("/api/v1/tickets?q=frete&opened_to=2000-01-01").json()["count"] == 0
