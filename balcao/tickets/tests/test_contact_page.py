"""A customer contact's list page (``tickets.selectors.contact_page``): its page and count in
one query whose SQL is built once per filters and page, each contact's own tickets in it."""

import pytest

from balcao.factories import make_company, open_ticket
from balcao.tickets.selectors import contact_page, list_tickets

pytestmark = pytest.mark.django_db
FIELDS = ("number", "subject", "updated_at", "department__name")


def numbers(page) -> list[int]:
    return [ticket.number for ticket in page.object_list]


def test_each_contact_pages_through_their_own_tickets_by_sql_built_once(
    profile, built_sql, django_assert_num_queries
):
    (_a, first), (_b, second) = make_company(), make_company()
    mine = [open_ticket(first, subject=f"Meu {n}").number for n in range(5)][::-1]
    theirs = [open_ticket(second, department="financeiro").number for _ in range(3)][::-1]
    built_sql.clear()
    for _ in range(2):
        with django_assert_num_queries(1):  # the page and its count
            page = contact_page(first, None, 2, FIELDS)
        assert (numbers(page), page.paginator.count, page.paginator.num_pages) == (mine[:2], 5, 3)
        assert numbers(contact_page(second, "1", 2, FIELDS)) == theirs[:2]
        assert numbers(contact_page(first, "3", 2, FIELDS)) == mine[4:]
    assert len(built_sql) == 2  # pages 1 and 3, each contact's own values in them
    assert numbers(contact_page(second, "2", 2, FIELDS)) == theirs[2:]
    filtered = contact_page(second, None, 2, FIELDS, status="", department="financeiro", q="")
    assert filtered.paginator.count == list_tickets(second, department="financeiro").count() == 3
    nothing = contact_page(first, None, 2, FIELDS, status="closed", department="", q="")
    assert (numbers(nothing), nothing.paginator.count) == ([], 0)


@pytest.mark.parametrize("number", ["0", "4", "abc", "-1", str(10**21)])
def test_a_page_out_of_range_shows_the_first_or_the_last(profile, number):
    _company, contact = make_company()
    for _ in range(5):
        open_ticket(contact)
    page = contact_page(contact, number, 2, FIELDS)
    assert page.number == (1 if number in ("abc", "-1") else 3)
    assert page.paginator.count == 5


def test_a_search_lists_what_it_matches(profile):
    (_a, first), (_b, second) = make_company(), make_company()
    wanted = open_ticket(first, subject="Boleto vencido")
    open_ticket(first, subject="Checkout fora do ar")
    open_ticket(second, subject="Boleto duplicado")
    page = contact_page(first, None, 25, FIELDS, q="boleto", status="", department="")
    assert numbers(page) == [wanted.number] and page.paginator.count == 1
