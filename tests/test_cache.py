"""``common.cache.RedisCache`` behaves as Django's Redis cache, with one client per pool."""

import uuid

import pytest
import redis
from django.conf import settings

from common.cache import RedisCache


@pytest.fixture
def cache():
    url = settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    cache = RedisCache(url, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["schema", "n"])  # not clear(): that empties the whole Redis db


def test_it_stores_and_forgets_like_djangos(cache):
    assert cache.get("schema") is None
    cache.set("schema", {"questions": [1, 2]}, 60)
    assert cache.get("schema") == {"questions": [1, 2]}
    assert cache.add("schema", "other", 60) is False
    assert cache.incr(cache.add("n", 1, 60) and "n") == 2
    cache.delete("schema")
    assert cache.get("schema", "gone") == "gone"


def test_one_client_serves_every_call(cache):
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool
