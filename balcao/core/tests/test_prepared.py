"""core.prepared keeps what it built with the connection it was built for: a thread's connection
object goes when the thread does (the web server starts threads past the ones it keeps)."""

import gc
import threading
import weakref

import pytest
from django.db import connection, connections

from balcao.accounts.models import User
from balcao.core.prepared import prepared_instance


@pytest.mark.django_db(transaction=True)
def test_a_finished_threads_connection_and_its_built_sql_are_not_kept():
    gone: list[weakref.ref] = []

    def request():
        assert prepared_instance("test-thread", lambda pk: User.objects.filter(pk=pk), 0) is None
        gone.append(weakref.ref(connections[connection.alias]))  # this thread's own
        connection.close()

    for _ in range(5):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    gc.collect()
    assert len(gone) == 5
    assert [ref() for ref in gone] == [None] * 5


@pytest.mark.django_db
def test_an_instant_is_a_value_like_any_other(django_user_model):
    """Built once, the query reads with each instant given what the ORM would read."""
    from datetime import timedelta

    from django.utils import timezone

    from balcao.core.prepared import prepared_rows

    User.objects.create_user("a@example.com", "pw-a-123456")
    joined = User.objects.get().date_joined

    def since(pk: int, moment) -> object:
        return User.objects.filter(pk__gt=pk, date_joined__gte=moment).values_list("email")

    for moment in (joined - timedelta(seconds=1), joined, joined + timedelta(microseconds=1)):
        expected = list(since(0, moment))
        assert prepared_rows("test-instant", since, 0, moment) == expected
    assert expected == [] and prepared_rows("test-instant", since, 0, joined) != []
    with timezone.override("America/Sao_Paulo"):  # an instant is an instant in any zone
        local = timezone.localtime(joined)
        assert prepared_rows("test-instant", since, 0, local) == [("a@example.com",)]


@pytest.mark.django_db
def test_an_instant_the_orm_changes_on_its_way_is_refused():
    from django.utils import timezone

    from balcao.core.prepared import prepared_rows

    def on_day(moment) -> object:  # compared by its date: the parameter is not the instant
        return User.objects.filter(date_joined__date=moment).values_list("pk")

    with pytest.raises(ValueError, match="not a plain parameter"):
        prepared_rows("test-instant-date", on_day, timezone.now())


@pytest.mark.django_db
def test_an_update_built_once_writes_each_runs_values():
    """prepared_update: the SQL built the first time, each run writes its own values (text in
    an expression, a key) and says how many rows it changed."""
    from unittest import mock

    from django.db.models import F, TextField, Value
    from django.db.models.functions import Concat
    from django.db.models.sql.compiler import SQLUpdateCompiler

    from balcao.core.prepared import prepared_update

    first = User.objects.create_user("a@example.com", "pw-a-123456", name="Ana")
    second = User.objects.create_user("b@example.com", "pw-b-123456", name="Bia")

    def renamed(pk: int, suffix: str):
        name = Concat(F("name"), Value(suffix), output_field=TextField())
        return User.objects.filter(pk=pk), {"name": name}

    compile_update = SQLUpdateCompiler.as_sql
    with mock.patch.object(
        SQLUpdateCompiler, "as_sql", autospec=True, side_effect=compile_update
    ) as compiled:
        assert prepared_update("test-rename", renamed, first.pk, " Souza") == 1
        assert prepared_update("test-rename", renamed, second.pk, " Lima") == 1
        assert prepared_update("test-rename", renamed, 0, " nobody") == 0
    assert compiled.call_count == 1  # built once, run three times
    assert User.objects.get(pk=first.pk).name == "Ana Souza"
    assert User.objects.get(pk=second.pk).name == "Bia Lima"
