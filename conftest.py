from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balcao.customers.actions import do_load_default_profile


@pytest.fixture(autouse=True)
def _tasks_recorded(settings):
    """Tasks are recorded, not run, unless a test runs them: tests assert what is scheduled.
    The agents are told in the process that acted, as on the embedded default, with REDIS_URL
    too (a test of the task that tells them sets NOTIFY_BY_TASK)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_BY_TASK = False
    from django_tasks import default_task_backend

    default_task_backend.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Throttles count in the shared cache. The database's table is rolled back with each
    test; Redis (REDIS_URL) is emptied, so that every test starts with no failures."""
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def tasks():
    from django_tasks import default_task_backend

    return default_task_backend


@pytest.fixture
def profile(db):
    do_load_default_profile()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def assert_queries_besides_the_cache():
    """``django_assert_num_queries`` without the shared cache's statements: the embedded
    cache is a database table, written under a savepoint; with REDIS_URL it costs no query.
    A pin then says the same on both."""

    @contextmanager
    def exactly(number: int):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        sqls = [q["sql"] for q in captured.captured_queries]
        counted = [sql for sql in sqls if "balcao_cache" not in sql and "SAVEPOINT" not in sql]
        assert len(counted) == number, "\n".join(counted)

    return exactly


@pytest.fixture
def built_sql(monkeypatch):
    """The querysets ``core.prepared`` builds SQL for from now on (none built before): what
    proves a hot read's SQL is built once per process."""
    from django.db import connections

    from balcao.core import prepared

    for database in connections.all(initialized_only=True):
        monkeypatch.delitem(database.__dict__, prepared.BUILT, raising=False)
    built = []
    real = prepared._Built

    def counting(queryset, database):
        built.append(queryset)
        return real(queryset, database)

    monkeypatch.setattr(prepared, "_Built", counting)
    return built


@pytest.fixture
def plan_of():
    """``plan_of(read)``: the database's plan of the one query ``read()`` runs, as text, with
    a sequential scan made the last resort on PostgreSQL (a test's few rows would make any
    scan cheapest): what proves a query reads along its index."""

    def plan(read) -> str:
        ran: list[tuple[str, object]] = []

        def keep(execute, sql, params, many, context):
            ran.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            read()
        # its values bound as the query binds them, not written into its text: a planner may
        # use a partial index for a literal that a bound parameter does not let it prove
        ((sql, params),) = ran
        explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"{explain} {sql}", params)
            return " ".join(str(row) for row in cursor.fetchall())

    return plan
