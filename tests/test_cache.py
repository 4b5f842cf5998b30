"""``common.cache.RedisCache`` behaves as Django's Redis cache, with one client per pool, and a
Redis that is down or hung is a quick cache miss, never an error."""

import socket
import threading
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.test import override_settings

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
    cache.clear()


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


# --- A Redis that is not there is a cache miss, quickly --------------------------------------


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_stopped_redis_reads_as_a_miss_and_drops_writes():
    cache = RedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {"KEY_PREFIX": "dead"})

    started = time.monotonic()
    assert cache.get("schema") is None
    assert cache.get("schema", "fallback") == "fallback"
    cache.set("schema", {"questions": []}, 60)
    assert cache.add("schema", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]
    cache.delete("schema")
    cache.delete_many(["a"])
    assert cache.get_or_set("n", 7) == 7  # the caller's value, computed without the cache
    with pytest.raises(ValueError):
        cache.incr("n")

    assert time.monotonic() - started < 1


def test_a_hung_redis_costs_one_timeout_then_is_left_alone_for_a_while(silent_server):
    port, accepted = silent_server
    cache = RedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_timeout": 0.3, "retry_after": 30}},
    )

    started = time.monotonic()
    assert cache.get("schema") is None
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(50):
        assert cache.get("schema") is None
    fifty_more = time.monotonic() - started
    connections = len(accepted)

    assert 0.25 < first < 2  # one socket timeout (and one retry on a fresh connection)
    assert fifty_more < 0.05  # the breaker is open: Redis is not asked again
    assert connections <= 2


def test_writes_missed_while_redis_was_away_are_deleted_when_it_answers(cache):
    cache.set("schema", "version 1", 60)
    breaker = cache._breaker
    breaker.trip(redis.ConnectionError("gone"), cache._servers)  # as a failed call does
    try:
        cache.delete("schema")  # a checklist edited in place while Redis was away
        cache.set("n", 5, 60)
        assert cache.get("schema") is None  # open breaker: a miss, Redis not asked
        breaker.open_until = time.monotonic()  # the retry window is over

        assert cache.get("other") is None  # the first call that reaches Redis again ...
        assert cache.get("schema") is None  # ... has deleted what it missed meanwhile
        assert cache.get("n") is None
    finally:
        breaker.open_until = 0.0
        breaker.pending.clear()


def test_clear_keeps_other_keys_of_the_redis_database(cache):
    other = redis.Redis.from_url(settings.TEST_REDIS_URL)
    other.set("celery-queue-stand-in", "task", ex=60)
    cache.set("schema", 1, 60)

    cache.clear()

    assert cache.get("schema") is None
    assert other.get("celery-queue-stand-in") == b"task"
    other.delete("celery-queue-stand-in")


@pytest.mark.django_db
def test_a_visit_post_succeeds_while_redis_is_down(api, observer, station, mission):
    from observation.models import Checklist
    from tests.observation.conftest import VOTING_ANSWERS

    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    dead = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    body = {
        "client_uuid": str(uuid.uuid4()),
        "station": station.pk,
        "checklist": checklist.pk,
        "arrived_at": "2022-11-20T10:05:00+06:00",
        "departed_at": "2022-11-20T10:40:00+06:00",
        "answers": dict(VOTING_ANSWERS),
    }

    with override_settings(CACHES=dead):
        response = api.as_user(observer.user).post("/api/v1/visits/", body, format="json")
        replay = api.as_user(observer.user).post("/api/v1/visits/", body, format="json")

    assert response.status_code == 201, response.content
    assert replay.status_code == 200
