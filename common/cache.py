"""Django's Redis cache, made safe to lose: a dead Redis is a cache miss, never a 500.

Redis is only a cache here (DESIGN.md): every value in it can be rebuilt from PostgreSQL.
Django's ``RedisCache`` raises on a connection error, so a stopped Redis turned every visit
POST (its checklist schema is read through the cache) into a 500. This backend:

- answers a read it cannot make as a miss (``get`` -> the default, ``get_many`` -> ``{}``,
  ``has_key`` -> False), so the caller reads the database, and drops a write it cannot make;
- waits at most ``socket_connect_timeout`` (default 0.3 s) to connect and ``socket_timeout``
  (1 s) for an answer, where redis-py waits 5 s;
- after a connection error stops asking Redis for ``retry_after`` seconds (default 5): a
  circuit breaker, one per server and process, so only one request in that window pays the
  connect timeout; the first call after the window tries again;
- remembers the keys of the writes and deletes it missed (a checklist edited in place, an
  outline uploaded) and deletes them as soon as Redis answers again, so no stale value
  outlives the outage. (Kept in the process: a process that dies during the outage forgets
  them, and the values expire on their own timeouts.)

It also builds one Redis client per connection pool instead of one per call:
``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis``
on every cache operation, and redis-py fills a table of ~170 response callbacks in each
constructor: ~0.1 ms of CPU per ``cache.get`` on the benchmark machine, paid by every visit
POST for its checklist schema. A ``redis.Redis`` is safe to share (it takes a connection
from its pool per command, and the pool resets itself in a forked child).

``clear()`` deletes this cache's keys only (its ``KEY_PREFIX``): the cache shares its Redis
database with the Celery broker, whose queue ``FLUSHDB`` would empty.
"""

import logging
import threading
import time

import redis as redis_py
from django.core.cache.backends import redis
from django.utils.functional import cached_property
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 1.0}
DEFAULT_RETRY_AFTER = 5.0
PENDING_DELETES_MAX = 10_000
# Errors that mean "Redis is not there": they open the breaker. Any other Redis error (out
# of memory, a wrong type) fails that one call.
UNREACHABLE = (redis_py.ConnectionError, redis_py.TimeoutError)


class Breaker:
    """Shared by every thread's cache object for one server list (Django keeps a cache object
    per thread)."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        self.open_until = 0.0
        self.pending: set[str] = set()
        self.lock = threading.Lock()

    def closed(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self, exc: Exception, servers) -> None:
        if self.open_until == 0.0:
            logger.warning(
                "Redis cache at %s unreachable (%s): reading the database instead, trying "
                "again every %.0f s",
                servers,
                exc,
                self.retry_after,
            )
        self.open_until = time.monotonic() + self.retry_after

    def remember(self, keys) -> None:
        with self.lock:
            if len(self.pending) < PENDING_DELETES_MAX:
                self.pending.update(keys)


_breakers: dict[tuple, Breaker] = {}
_breakers_lock = threading.Lock()


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

    def clear(self):
        client = self.get_client(None, write=True)
        prefix = self._key_prefix
        if not prefix:
            return bool(client.flushdb())
        for keys in _batched(client.scan_iter(match=f"{prefix}:*", count=1000), 1000):
            client.delete(*keys)
        return True


def _batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class RedisCache(redis.RedisCache):
    """``OPTIONS`` as Django's, plus ``retry_after`` (seconds the breaker stays open)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        options = {**DEFAULT_OPTIONS, **self._options}
        retry_after = float(options.pop("retry_after", DEFAULT_RETRY_AFTER))
        # One more attempt on a pooled connection the server closed (a restarted Redis),
        # none with a wait: the breaker decides when to try again.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        self._options = options
        key = tuple(self._servers)
        with _breakers_lock:
            self._breaker = _breakers.get(key)
            if self._breaker is None:
                self._breaker = _breakers[key] = Breaker(retry_after)

    @cached_property
    def _cache(self) -> RedisCacheClient:
        client = self._class(self._servers, **self._options)
        client._key_prefix = self.key_prefix
        return client

    def _call(self, method: str, *args, fallback=None, missed=()):
        """``self._cache.<method>(*args)``, or ``fallback`` when Redis cannot answer. The keys
        of a write that did not happen (``missed``) are deleted once Redis is back."""
        breaker = self._breaker
        if not breaker.closed():
            breaker.remember(missed)
            return fallback
        try:
            result = getattr(self._cache, method)(*args)
        except UNREACHABLE as exc:
            breaker.trip(exc, self._servers)
            breaker.remember(missed)
            return fallback
        except redis_py.RedisError as exc:
            logger.warning("Redis cache %s failed: %s", method, exc)
            breaker.remember(missed)
            return fallback
        if breaker.open_until:
            self._recovered()
        return result

    def _recovered(self) -> None:
        breaker = self._breaker
        with breaker.lock:
            pending, breaker.pending = list(breaker.pending), set()
            breaker.open_until = 0.0
        logger.warning("Redis cache at %s answers again", self._servers)
        try:
            for keys in _batched(pending, 1000):
                self._cache.delete_many(keys)
        except redis_py.RedisError as exc:
            breaker.remember(pending)
            breaker.trip(exc, self._servers)

    def add(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("add", key, value, self.get_backend_timeout(timeout), fallback=False)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("get", key, default, fallback=default)

    def set(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._call("set", key, value, self.get_backend_timeout(timeout), missed=[key])

    def touch(self, key, timeout=redis.DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("touch", key, self.get_backend_timeout(timeout), fallback=False)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("delete", key, fallback=False, missed=[key])

    def get_many(self, keys, version=None):
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        found = self._call("get_many", key_map.keys(), fallback={})
        return {key_map[k]: v for k, v in found.items()}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._call("has_key", key, fallback=False)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        missing = object()
        value = self._call("incr", key, delta, fallback=missing, missed=[key])
        if value is missing:  # as for a key that is not there
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=redis.DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe = {
            self.make_and_validate_key(key, version=version): value for key, value in data.items()
        }
        failed = object()
        done = self._call(
            "set_many", safe, self.get_backend_timeout(timeout), fallback=failed, missed=list(safe)
        )
        return list(data) if done is failed else []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        safe = [self.make_and_validate_key(key, version=version) for key in keys]
        self._call("delete_many", safe, missed=safe)

    def clear(self):
        return self._call("clear", fallback=False)
