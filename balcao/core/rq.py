"""One Redis connection pool per process and address for the task queue.

django_rq builds a new client, with a new connection pool, for every queue it hands out: each
task enqueued paid a fresh TCP connection and handshake (~6 ms on a busy machine; opening a
ticket enqueues six tasks). Clients are thread-safe and their pools reopen after a fork, so
one per address serves the whole process."""

from functools import cache
from typing import Any

from redis import Redis


def share_connections() -> None:
    from django_rq import connection_utils

    build = connection_utils.get_redis_connection
    if getattr(build, "shared", False):
        return

    @cache
    def shared(url: str, db: int | None, strict: bool) -> Redis:
        return build({"URL": url, "DB": db}, strict)

    def get_redis_connection(config: dict[str, Any], use_strict_redis: bool = False) -> Redis:
        if set(config) <= {"URL", "DB"} and "URL" in config:  # the form settings.py writes
            return shared(config["URL"], config.get("DB"), use_strict_redis)
        return build(config, use_strict_redis)

    get_redis_connection.shared = True  # type: ignore[attr-defined]  # a marker: done once
    connection_utils.get_redis_connection = get_redis_connection
