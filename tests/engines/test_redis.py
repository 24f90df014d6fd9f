"""Redis is real and reachable through redis-py."""

import uuid

import redis


def test_set_get_incr(settings, require_engine):
    require_engine("redis")
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    key = f"test:{uuid.uuid4().hex}"
    try:
        client.set(key, 5, ex=60)
        assert client.decrby(key, 2) == 3
        assert client.get(key) == "3"
    finally:
        client.delete(key)
        client.close()
