"""Middleware of the peer's bench project: the number of SQL statements of each response, in
an X-Queries header (bench/peer.py reads it; the peer has no such count of its own)."""

from django.db import connection


def count_queries(get_response):
    def middleware(request):
        executed = []

        def wrapper(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            response = get_response(request)
        response["X-Queries"] = str(len(executed))
        return response

    return middleware
