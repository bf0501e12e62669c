"""Queries whose SQL is built once per process, then run with the values that change.

Django compiles a queryset's SQL each time it runs: for a small query with subqueries, ~1 ms of
CPU, most of what the query costs on a path that runs on every request (the list tokens, the
client area's contact, the ticket). A query whose shape never changes is built once with
``MARK`` where its value goes, and its SQL and parameters kept; each run puts the value where
the marker was."""

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from django.db import connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery

M = TypeVar("M", bound=Model)

MARK = 7_777_777_777_777_777  # no row's id: stands for the value while the SQL is built


# stands for an instant (a time past no row's): this and a microsecond per value's index
MARK_TIME = datetime(1111, 11, 11, tzinfo=UTC)


def _mark(index: int, value: object) -> object:
    """What stands for the ``index``-th value while the SQL is built: ``MARK + index`` for a
    number (or None), a string no one writes for text (an e-mail address, a kind), an instant
    of the year 1111 for an aware instant (``now``)."""
    if isinstance(value, str):
        return f"\x1fprepared-{index}\x1f"
    if isinstance(value, datetime):
        return MARK_TIME + timedelta(microseconds=index)
    return MARK + index


def _given(database: Any, marks: list[object], values: tuple[Any, ...]) -> dict[Any, Any]:
    """Each marker, as it stands in the parameters, mapped to its value as it must stand
    there: an instant as the backend adapts it (SQLite: text in UTC, PostgreSQL: itself)."""
    adapt = database.ops.adapt_datetimefield_value
    given = {}
    for mark, value in zip(marks, values, strict=True):
        if isinstance(mark, datetime):
            given[adapt(mark)] = adapt(value)
        else:
            given[mark] = value
    return given


# Per connection (its converters are the connection's), kept on the connection object — Django
# makes one per thread — as this attribute: shape -> what the query is built into. What is built
# refers to its connection, so a table of its own keyed by connections (even weakly) would keep
# every thread's connection object for ever; as an attribute it goes with the connection.
BUILT = "balcao_prepared"
# At most this many shapes a connection (a shape may carry a list's filters): past it, the
# oldest built is dropped, to be built again if it comes back.
KEPT_SHAPES = 500


class _Built:
    """A compiled query's SQL and parameters, and what makes instances of its rows, as
    django.db.models.query.ModelIterable makes them from a compiler."""

    def __init__(self, queryset: QuerySet[Any], database: Any) -> None:
        compiler = queryset.query.get_compiler(connection=database)
        sql, params = compiler.as_sql()
        if isinstance(queryset.query, UpdateQuery):  # an UPDATE: nothing read back
            self.sql, self.params = sql, tuple(params)
            return
        self.sql, self.params, self.compiler = sql, tuple(params), compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = compiler.get_converters([column[0] for column in select])
        if klass_info is None:  # rows of values (values_list)
            return
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.fields = slice(start, end)
        self.names = [column[0].target.attname for column in select[start:end]]
        # (django-stubs describe a later Django, whose populators take a fetch mode)
        self.populators = get_related_populators(klass_info, select, database.alias)  # type: ignore[call-arg]
        self.annotations = compiler.annotation_col_map or {}


def _built(
    shape: Hashable, build: Callable[..., QuerySet[Any, Any]], values: tuple[Any, ...], first: bool
) -> tuple[Any, _Built, list[Any]]:
    """The connection, the query ``shape`` is built into on it (built now if it was not) and
    its parameters with ``values`` put where the markers were."""
    database = connections[connection.alias]
    built = database.__dict__.setdefault(BUILT, {})
    query = built.get((shape, first))
    marks = [_mark(i, value) for i, value in enumerate(values)]
    if query is None:
        queryset = build(*marks)
        query = _Built(queryset[:1] if first else queryset, database)
        adapt = database.ops.adapt_datetimefield_value
        if any(
            isinstance(p, str) and "\x1fprepared-" in p and p not in marks for p in query.params
        ) or any(isinstance(mark, datetime) and adapt(mark) not in query.params for mark in marks):
            # a value the ORM changed on its way (escaped for LIKE, cast, an instant's date):
            # not a prepared shape
            raise ValueError(f"prepared query {shape!r}: a value is not a plain parameter")
        if len(built) >= KEPT_SHAPES:  # the oldest built goes first
            del built[next(iter(built))]
        built[(shape, first)] = query
    given = _given(database, marks, values)
    return database, query, [given.get(param, param) for param in query.params]


def prepared_rows(
    shape: Hashable, build: Callable[..., QuerySet[Any, Any]], *values: Any
) -> list[tuple[Any, ...]]:
    """The rows of ``build(*values)``, a ``values_list`` queryset, as the ORM gives them: its
    SQL depends on ``shape`` alone, built the first time as ``prepared_instance`` builds it."""
    database, query, params = _built(shape, build, values, first=False)
    with database.cursor() as cursor:
        cursor.execute(query.sql, params)
        rows = cursor.fetchall()
    if query.converters:
        rows = list(query.compiler.apply_converters(rows, query.converters))
    return [tuple(row) for row in rows]


def prepared_instance(shape: Hashable, build: Callable[..., QuerySet[M]], *values: Any) -> M | None:
    """The first instance ``build(*values)`` reads — with its ``select_related`` rows and its
    annotations, as the ORM makes it — or None: its SQL depends on ``shape`` alone, built the
    first time (``build`` given ``MARK``, ``MARK + 1``, … for the values, a marker string for
    a text value) and kept with what makes instances of its rows, per connection."""
    found = _instances(shape, build, values, first=True)
    return found[0] if found else None


def prepared_instances(shape: Hashable, build: Callable[..., QuerySet[M]], *values: Any) -> list[M]:
    """Every instance ``build(*values)`` reads, as ``prepared_instance`` reads the first."""
    return _instances(shape, build, values, first=False)


def prepared_update(
    shape: Hashable, build: Callable[..., tuple[QuerySet[Any], dict[str, Any]]], *values: Any
) -> int:
    """``queryset.update(**fields)`` for ``(queryset, fields) = build(*values)``, its SQL
    built once as ``prepared_rows`` builds a SELECT (the ORM compiled an UPDATE of a few
    expressions in 0.4–1.1 ms of CPU); the number of rows it changed."""

    def update(*marks: Any) -> QuerySet[Any]:
        queryset, fields = build(*marks)
        query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
        query.add_update_values(fields)
        updating = queryset.all()
        updating.query = query
        return updating

    database, query, params = _built(("update", shape), update, values, first=False)
    with database.cursor() as cursor:
        cursor.execute(query.sql, params)
        return cursor.rowcount


def _instances(
    shape: Hashable, build: Callable[..., QuerySet[M]], values: tuple[Any, ...], *, first: bool
) -> list[M]:
    database, query, params = _built(shape, build, values, first)
    with database.cursor() as cursor:
        cursor.execute(query.sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    if query.converters:
        rows = list(query.compiler.apply_converters(rows, query.converters))
    found = []
    for row in rows:
        instance: M = query.model.from_db(database.alias, query.names, row[query.fields])
        for populator in query.populators:
            populator.populate(row, instance)
        for name, position in query.annotations.items():
            setattr(instance, name, row[position])
        found.append(instance)
    return found


# (alias, model, rows, conflict, holders) -> the INSERT's SQL and the fields whose values it
# takes, in order
_inserts: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def _insert_sql(
    database: Any, model: type[Model], rows: int, conflict: tuple[str, ...], holders: Any
) -> tuple[str, list[Any]]:
    key = (database.alias, model, rows, conflict, holders)
    prepared = _inserts.get(key)
    if prepared is None:
        ops, meta = database.ops, model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        columns = ", ".join(ops.quote_name(str(f.column)) for f in fields)
        own = dict(holders)
        marks = ", ".join([f"({', '.join(own.get(f.name, '%s') for f in fields)})"] * rows)
        sql = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES {marks}"  # noqa: S608 (the model's names)
        if conflict:
            sql += (
                f" ON CONFLICT ({', '.join(ops.quote_name(name) for name in conflict)}) DO NOTHING"
            )
        if meta.auto_field is not None:
            sql += f" RETURNING {ops.quote_name(str(meta.auto_field.column))}"
        prepared = _inserts[key] = (sql, fields)
    return prepared


def _values(instance: Model, fields: list[Any], database: Any) -> list[Any]:
    # as save(): a related object not saved yet is refused
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    return [f.get_db_prep_save(f.pre_save(instance, add=True), database) for f in fields]


def prepared_insert(
    instance: Model,
    *,
    unless_conflict_on: tuple[str, ...] = (),
    holders: tuple[tuple[str, str], ...] = (),
) -> bool:
    """INSERTs the new ``instance``, every concrete field but an automatic key, by SQL built
    once per process and model, and sets its key: ``QuerySet.create`` without its compiling
    (~0.5 ms of CPU a row), and without ``save()`` and its signals — for models with neither
    (nor a parent model, a database default or a generated field).
    ``unless_conflict_on``: the columns of a unique constraint; a row already there with those
    values is left alone, nothing written (False). ``holders``: (field, SQL) for a value
    written through SQL of its own (``%s`` where the value goes)."""
    model, database = type(instance), connections[connection.alias]
    sql, fields = _insert_sql(database, model, 1, unless_conflict_on, holders)
    with database.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, database))
        if model._meta.auto_field is not None:
            row = cursor.fetchone()
            if row is None:  # the conflict: nothing written
                return False
            instance.pk = row[0]
        elif unless_conflict_on and not cursor.rowcount:
            return False
    instance._state.adding, instance._state.db = False, database.alias
    return True


def prepared_insert_all(instances: list[M]) -> None:
    """INSERTs the new ``instances`` (of one model) in one statement, as ``prepared_insert``
    one, and sets their keys (the rows come back in the order given, as ``bulk_create``
    takes them on both databases); its SQL built once per number of rows."""
    if not instances:
        return
    model, database = type(instances[0]), connections[connection.alias]
    sql, fields = _insert_sql(database, model, len(instances), (), ())
    values = [value for instance in instances for value in _values(instance, fields, database)]
    with database.cursor() as cursor:
        cursor.execute(sql, values)
        if model._meta.auto_field is not None:
            for instance, (key,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = key
    for instance in instances:
        instance._state.adding, instance._state.db = False, database.alias
