"""Django's Redis cache with one client per server and process.

Django's backend builds a new ``redis.Redis`` around its connection pool for every operation,
and a client's constructor fills its table of reply callbacks anew: ~0.15 ms of CPU each time,
paid by every request that reads the cache (a kept list, a session). Clients are thread-safe
and share their pool, so one per server serves every thread.

The clients are kept by the module, not by the cache object: Django keeps its cache objects per
asgiref context, and under an ASGI server whose event loop started before any cache was used
(each of uvicorn's worker processes: ``balcao serve --workers 2``) every request's context
builds a cache object of its own, and so would build a connection pool and open a connection
to Redis for every request (+3 ms of CPU a request, measured)."""

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis

# (server URL, the pool's options) -> the client of this process (redis-py's pool opens new
# connections in a forked child: RQ's scheduler)
_clients: dict[tuple[str, str], Redis] = {}


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # each server's key among the kept clients (Django's attributes, untyped in its stubs)
        options = repr(sorted(self._pool_options.items()))  # type: ignore[attr-defined]
        self._kept = [(server, options) for server in self._servers]  # type: ignore[attr-defined]

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        # Django's own helpers and client class, which its type stubs leave out.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        kept = self._kept[index]
        client = _clients.get(kept)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = _clients[kept] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
