"""Test settings: the PostgreSQL at ``DATABASE_URL``, the Redis cache at ``TEST_REDIS_URL``,
fast hashing, eager Celery.

``DATABASE_URL`` defaults, as everywhere, to the embedded server in ``.pgdata/``, which
``make test`` starts when it is unset. An unreachable database is an error (in CI or not):
the suite runs on PostgreSQL or not at all.
"""

import uuid

import psycopg2
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env


def _database_problem(cfg) -> str | None:
    """Why the server of ``cfg`` (a Django database setting) cannot be reached, or None."""
    try:
        psycopg2.connect(
            # The embedded server's socket folder comes as ?host=, in OPTIONS.
            host=cfg["HOST"] or cfg.get("OPTIONS", {}).get("host"),
            port=cfg["PORT"] or None,
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as exc:
        return str(exc).strip()
    return None


if problem := _database_problem(DATABASES["default"]):
    raise ImproperlyConfigured(
        f"PostgreSQL is unreachable ({problem}). Start it, set DATABASE_URL to a reachable "
        "one, or unset DATABASE_URL and run `make test`, which starts the embedded server."
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# Integration tests run a real Celery worker on this Redis (a database of its own).
TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
# The cache production runs (common/cache.py on Redis), not an in-memory stand-in that would
# hide what a slow or dead Redis does to a request. Each test run has keys of its own.
CACHES = {
    "default": {
        "BACKEND": "common.cache.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 2.0, "retry_after": 5.0},
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
LOGGING = {"version": 1, "disable_existing_loggers": False}

# WhiteNoise scans every static file (Plotly, Swagger UI) each time a test client builds its
# middleware; with autorefresh it looks a file up when it is asked for instead.
WHITENOISE_AUTOREFRESH = True
