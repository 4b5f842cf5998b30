"""Answers that many open pages ask for at once: computed once per version, never by all.

When the aggregates move on, every open dashboard asks for its figures within a few seconds.
``shared_body`` keeps the last answer of a key with the version (the aggregates' ``as_of``)
it was computed for: the first caller after a change computes the new one under a lock; the
others meanwhile get the previous answer (which names its own ``as_of``, so the page asks
again on its next poll) instead of all computing the same figures at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

LOCK_SECONDS = 30


def cache_key(*parts: str) -> str:
    """A short key whatever the parts (query strings may be long or junk)."""
    return "shared:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def shared_body(*, key: str, version: str, compute: Callable[[], bytes], timeout: int) -> bytes:
    stored = cache.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    if cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
        try:
            body = compute()
            cache.set(key, (version, body), timeout=timeout)
        finally:
            cache.delete(f"{key}:lock")
        return body
    if stored is not None:
        return stored[1]
    return compute()  # nothing to show yet: the first load computes it
