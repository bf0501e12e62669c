"""Sessions are rows in the database; with REDIS_URL they are read through the shared cache
(cached_db), and a logout or a new password ends them in every process at once."""

from contextlib import suppress

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from balcao.accounts.actions import do_set_password

pytestmark = pytest.mark.django_db

HOME = "/cliente/"


def another_process(client: Client) -> Client:
    """The same session cookie presented to a process of its own: a new client, and this
    thread's cache connections dropped, so that nothing kept in memory by the first one
    answers for it."""
    for alias in caches:
        with suppress(AttributeError):  # not opened in this thread yet
            del caches[alias]
    other = Client()
    other.cookies = client.cookies
    return other


def session_reads(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return sum("django_session" in query["sql"] for query in captured.captured_queries)


def test_a_signed_in_page_reads_the_session_from_redis_where_there_is_one(
    client_for, customer, settings
):
    client = client_for(customer)
    # SQLite's cache is a table in the same database: a session row read there is no cheaper.
    assert session_reads(client) == (0 if settings.REDIS_URL else 1)
    assert session_reads(another_process(client)) == (0 if settings.REDIS_URL else 1)


def test_a_logout_ends_the_session_in_every_process(client_for, customer):
    client = client_for(customer)
    other = another_process(client)
    assert other.get(HOME).status_code == 200
    assert client.post("/cliente/sair/").status_code == 302
    assert another_process(other).get(HOME).status_code == 302
    assert other.get(HOME).status_code == 302


def test_a_new_password_ends_the_sessions_in_every_process(client_for, customer):
    client = client_for(customer)
    other = another_process(client)
    assert other.get(HOME).status_code == 200
    do_set_password(customer, "a-brand-new-password", actor=customer)
    assert another_process(other).get(HOME).status_code == 302
    assert client.get(HOME).status_code == 302
