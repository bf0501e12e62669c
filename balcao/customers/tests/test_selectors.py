import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_the_address_is_looked_up_along_the_lower_email_index(profile):
    """Issue 17: once per inbound message; ``iexact`` scanned every user on both databases."""
    _company, primary = make_company(name="Loja Exemplo")
    with CaptureQueriesContext(connection) as captured:
        find_contact_by_email(primary.email)
    (query,) = captured.captured_queries
    explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a few rows: make the index the only way
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"{explain} {query['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "accounts_user_email_lower" in plan
