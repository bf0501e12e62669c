"""Queries whose SQL is built once per process, then run with the one value that changes.

Django compiles a queryset's SQL each time it runs: for a small query with subqueries, ~1 ms of
CPU, most of what the query costs on a path that runs on every request (the list tokens). A
query whose shape never changes is built once with ``MARK`` where its value goes, and its SQL
and parameters kept; each run puts the value where the marker was."""

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

MARK = 7_777_777_777_777_777  # no row's id: stands for the value while the SQL is built

_compiled: dict[tuple[str, Hashable], tuple[str, tuple[Any, ...]]] = {}


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
