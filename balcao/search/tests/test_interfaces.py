"""The same search from the console's bar, the client area and the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from balcao.accounts.models import User
from balcao.api.tests.test_api import api_client
from balcao.factories import PASSWORD, SESSION, StaffFactory, make_company, open_ticket
from balcao.tickets.actions import do_add_message

pytestmark = pytest.mark.django_db

# the session, user, version, staff, departments, the page's ids with the total (one ranking of
# the matches), the page's tickets, their tags, the excerpts' messages — besides the cache's
# statements
CONSOLE = SESSION + 8


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
    for name in ("console:home", "console:tickets", "reports:index"):
        page = client.get(reverse(name)).content.decode()
        assert 'role="search"' in page and 'id="global-search"' in page


@pytest.mark.parametrize("n", [3, 30])
def test_console_search_lists_the_best_match_with_excerpts(
    client, loja, n, assert_queries_besides_the_cache
):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    for i in range(n):
        open_ticket(loja[1], subject=f"Pedido {i}", body="A etiqueta de frete não sai.")
    best = open_ticket(loja[1], subject="Etiqueta de frete", body="Etiqueta, etiqueta, etiqueta.")
    client.login(username=admin.email, password=PASSWORD)
    with assert_queries_besides_the_cache(CONSOLE):
        response = client.get(reverse("console:tickets"), {"q": "etiqueta"})
    page = response.content.decode()
    assert response.context["page"].object_list[0].number == best.number
    assert "<mark>etiqueta</mark>" in page.lower()
    for number in ("9" * 30, "-1", "x"):  # no number, or none the database can hold
        response = client.get(reverse("console:tickets"), {"q": "etiqueta", "page": number})
        assert response.context["page"].number == (1 if n < 25 or number != "9" * 30 else 2)


def test_the_api_combines_words_with_company_and_dates(loja, profile):
    ours = open_ticket(loja[1], subject="Frete grátis", body="Frete.")
    open_ticket(make_company()[1], subject="Frete grátis", body="Frete.")
    admin = api_client(StaffFactory(role=User.Role.ADMINISTRATOR))
    day = timezone.localtime(ours.created_at).date().isoformat()  # a date in Brasília time
    assert admin.get("/api/v1/tickets?q=frete").json()["count"] == 2
    found = admin.get(f"/api/v1/tickets?q=frete&company={loja[0].pk}&opened_from={day}").json()
    assert [t["number"] for t in found["items"]] == [ours.number]
    assert admin.get("/api/v1/tickets?q=frete&opened_to=2000-01-01").json()["count"] == 0


def _console(client):
    admin = StaffFactory(role=User.Role.ADMINISTRATOR)
    client.login(username=admin.email, password=PASSWORD)
    return client


def _listed(response):
    return [t.number for t in response.context["page"].object_list]


def test_the_console_search_filters_by_company_named_or_by_cnpj_and_by_dates(client, loja):
    from balcao.customers.models import Company

    ours = open_ticket(loja[1], subject="Frete grátis", body="Frete.")
    other_company, other = make_company(name="Outra Loja")
    theirs = open_ticket(other, subject="Frete grátis", body="Frete.")
    Company.objects.filter(pk=other_company.pk).update(cnpj="12345678000190")
    client = _console(client)
    url = reverse("console:tickets")
    assert sorted(_listed(client.get(url, {"q": "frete"}))) == [ours.number, theirs.number]
    assert _listed(client.get(url, {"q": "frete", "company": "LOJA"})) == [ours.number]
    assert _listed(client.get(url, {"q": "frete", "company": "12.345.678/0001-90"})) == [
        theirs.number
    ]
    day = timezone.localtime(ours.created_at).date()  # dates are Brasília's
    response = client.get(
        url, {"q": "frete", "company": "Loja", "opened_from": day, "opened_to": day}
    )
    assert _listed(response) == [ours.number]
    page = response.content.decode()
    assert f'value="{day.isoformat()}"' in page  # the date inputs show what filters
    assert 'name="company" id="id_company" value="Loja"' in page
    earlier = day.replace(year=day.year - 1).isoformat()
    assert _listed(client.get(url, {"q": "frete", "opened_to": earlier})) == []


def test_a_wrong_company_or_dates_say_so_and_list_nothing(client, loja, profile):
    open_ticket(loja[1], subject="Frete", body="Frete.")
    make_company(name="Gêmea")
    make_company(name="gêmea")
    client = _console(client)
    url = reverse("console:tickets")
    for params, error in [
        ({"company": "Ninguém"}, "No active company is called “Ninguém”"),
        ({"company": "Gêmea"}, "More than one company is called “Gêmea”: type its CNPJ"),
        (
            {"opened_from": "2026-05-02", "opened_to": "2026-05-01"},
            "The end date is before the start date.",
        ),
        ({"opened_from": "2026-13-01"}, "Enter a valid date."),
    ]:
        response = client.get(url, {"q": "frete", **params}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert error in response.content.decode()
        assert _listed(response) == []
        assert 'aria-invalid="true"' in response.content.decode()


def test_the_company_filter_suggests_companies_by_name_or_cnpj(client, loja, profile):
    from balcao.customers.models import Company

    company, _ = make_company(name="Padaria Pão Quente")
    Company.objects.filter(pk=company.pk).update(cnpj="12345678000190")
    client = _console(client)
    url = reverse("console:company_options")
    assert '<option value="Padaria Pão Quente">12.345.678/0001-90</option>' in (
        client.get(url, {"company": "pão"}).content.decode()
    )
    assert "Padaria" in client.get(url, {"company": "1234567"}).content.decode()
    assert client.get(url, {"company": "xyz"}).content.decode().strip() == ""


@pytest.mark.parametrize("n", [3, 30])
def test_console_search_with_company_and_dates_has_a_pinned_query_count(
    client, loja, n, assert_queries_besides_the_cache
):
    for i in range(n):
        ticket = open_ticket(loja[1], subject=f"Pedido {i}", body="A etiqueta de frete não sai.")
    day = timezone.localtime(ticket.created_at).date()
    client = _console(client)
    with assert_queries_besides_the_cache(CONSOLE + 1):  # + the company, by its name
        response = client.get(
            reverse("console:tickets"),
            {"q": "etiqueta", "company": "Loja", "opened_from": day, "opened_to": day},
        )
    assert len(_listed(response)) == min(n, 25)
    assert response.context["page"].paginator.count == n


def test_the_api_refuses_dates_the_wrong_way_round(loja):
    admin = api_client(StaffFactory(role=User.Role.ADMINISTRATOR))
    response = admin.get("/api/v1/tickets?q=frete&opened_from=2026-05-02&opened_to=2026-05-01")
    assert response.status_code == 422
    assert "opened_to" in response.content.decode()
