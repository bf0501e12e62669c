import os

import pytest
import redis

from balcao.core.cache import KeptClientRedisCache


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold a cache")
    return url


def test_the_redis_cache_builds_its_client_once_per_process(redis_url):
    """Once for every cache object of the same server: Django makes one per asgiref context."""
    cache = KeptClientRedisCache(redis_url, {"KEY_PREFIX": "test-kept-client"})
    client = cache._cache.get_client()
    assert cache._cache.get_client("any key", write=True) is client
    another = KeptClientRedisCache(redis_url, {"KEY_PREFIX": "test-kept-client"})
    assert another._cache.get_client() is client
    cache.set("answer", {"kept": True})
    assert cache.get("answer") == {"kept": True}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"kept": True}}
    cache.delete("answer")
    assert cache.get("answer") is None
