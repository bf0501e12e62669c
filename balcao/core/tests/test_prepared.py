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
