"""Queries whose SQL is built once per process, then run with the one value that changes.

Django compiles a queryset's SQL each time it runs: for a small query with subqueries, ~1 ms of
CPU, most of what the query costs on a path that runs on every request (the list tokens, the
client area's contact). A query whose shape never changes is built once with ``MARK`` where its
value goes, and its SQL and parameters kept; each run puts the value where the marker was."""

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

MARK = 7_777_777_777_777_777  # no row's id: stands for the value while the SQL is built

_compiled: dict[tuple[str, Hashable], tuple[str, tuple[Any, ...]]] = {}
_loaders: dict[tuple[str, Hashable], "_Loader"] = {}


def prepared_rows(
    shape: Hashable, build: Callable[[int], QuerySet[Any, Any]], value: int | None
) -> list[tuple[Any, ...]]:
    """The rows of ``build(value)``: a ``values_list`` queryset of plain values (no field
    converts them) whose SQL depends on ``shape`` alone, built the first time (``build(MARK)``)."""
    key = (connection.alias, shape)
    compiled = _compiled.get(key)
    if compiled is None:
        queryset = build(MARK)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        compiled = _compiled[key] = (sql, tuple(params))
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if param == MARK else param for param in params])
        return cursor.fetchall()


class _Loader:
    """What iterating a queryset of model instances works out before its first row: the SQL,
    each column's converters, and how a row becomes the instance and those it
    ``select_related`` (Django's ModelIterable, done once)."""

    def __init__(self, queryset: QuerySet[Any, Any]) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if compiler.annotation_col_map:
            raise ValueError("prepared_instances takes whole rows, without annotations")
        self.sql, self.params = sql, tuple(params)
        select, info = compiler.select, compiler.klass_info
        self.converters = list(compiler.get_converters([s[0] for s in select]).items())
        self.model: type[Model] = info["model"]
        fields = info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        # django-stubs describe a later Django's signature (a fetch_mode argument)
        self.related = get_related_populators(info, select, connection.alias)  # type: ignore[call-arg]

    def instances(self, value: int) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [value if param == MARK else param for param in self.params])
            rows = cursor.fetchall()
        found = []
        for values in rows:
            row = list(values)
            for position, (converters, expression) in self.converters:
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
            instance = self.model.from_db(connection.alias, self.names, row[self.start : self.end])
            for populator in self.related:
                populator.populate(row, instance)
            found.append(instance)
        return found


def prepared_instances(
    shape: Hashable, build: Callable[[int], QuerySet[Any, Any]], value: int
) -> list[Any]:
    """The model instances ``build(value)`` gives (and those it ``select_related``), as
    iterating it would: for a queryset of whole rows whose SQL depends on ``shape`` alone,
    built the first time (``build(MARK)``)."""
    key = (connection.alias, shape)
    loader = _loaders.get(key)
    if loader is None:
        loader = _loaders[key] = _Loader(build(MARK))
    return loader.instances(value)
