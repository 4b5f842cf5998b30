"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis``
on every cache operation, and redis-py fills a table of ~170 response callbacks in each
constructor: ~0.1 ms of CPU per ``cache.get`` on the benchmark machine, paid by every visit
POST for its checklist schema. A ``redis.Redis`` is safe to share (it takes a connection
from its pool per command, and the pool resets itself in a forked child).
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
