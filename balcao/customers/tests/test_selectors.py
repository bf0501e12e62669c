import pytest

from balcao.core.models import Counter
from balcao.customers.selectors import find_contact_by_email
from balcao.factories import make_company

pytestmark = pytest.mark.django_db


def test_a_contact_is_found_by_its_address_case_aside(profile):
    company, primary = make_company(name="Loja Exemplo")
    found = find_contact_by_email(f"  {primary.email.upper()} ")
    assert found is not None and found.user == primary and found.company == company
    assert find_contact_by_email("ninguem@example.com") is None
    company.is_active = False
    company.save(update_fields=["is_active"])
    assert find_contact_by_email(primary.email) is None


def test_the_address_is_looked_up_along_the_lower_email_index(profile, plan_of):
    """Issue 17: once per inbound message; ``iexact`` scanned every user on both databases."""
    _company, primary = make_company(name="Loja Exemplo")
    plan = plan_of(lambda: find_contact_by_email(primary.email))
    assert "accounts_user_email_lower" in plan


def test_the_contact_comes_whole_with_the_version_in_one_statement(
    profile, django_assert_num_queries
):
    company, primary = make_company(name="Loja Exemplo")
    Counter.objects.update_or_create(name="test.version", defaults={"value": 41})
    with django_assert_num_queries(1):
        found = find_contact_by_email(primary.email, version="test.version")
        assert found is not None
        assert (found.user.email, found.company.name) == (primary.email, "Loja Exemplo")
        assert found.company.plan == company.plan and found.version_token == 41


def test_the_sql_of_the_sender_is_built_once(profile, built_sql):
    """Issue 17: building and compiling it was most of reading an e-mail's sender."""
    first, second = make_company()[1], make_company()[1]
    assert find_contact_by_email(first.email).user == first
    assert find_contact_by_email(second.email.upper()).user == second
    assert find_contact_by_email("ninguem@example.com") is None
    assert len(built_sql) == 1
