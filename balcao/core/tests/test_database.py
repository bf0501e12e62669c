"""How Balcão's sessions with PostgreSQL are set up."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_compiles_no_query_just_in_time():
    """Every query here is short: PostgreSQL's JIT compiling of one estimated past
    jit_above_cost took 25 ms for 0.8 ms of work (issue 17)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
