import os

import pytest


def test_task_queues_share_one_redis_connection_per_address(settings):
    import django_rq
    import redis

    from balcao.core.rq import share_connections

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis to hold an RQ queue")
    share_connections()
    share_connections()  # once is enough; twice changes nothing
    settings.RQ_QUEUES = {"default": {"URL": url}}
    first = django_rq.get_queue("default").connection
    assert django_rq.get_queue("default").connection is first
    first.ping()
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    assert django_rq.get_queue("default").connection is not first  # another address, its own
