"""Test settings: PostgreSQL by default (``DATABASE_URL``), fast hashing, eager Celery.

Outside CI an unreachable PostgreSQL falls back to SQLite with a loud warning; under
``CI=true`` it is an error, so CI never silently tests the wrong database.
"""

import sys

import environ

from .base import *  # noqa: F403
from .base import DATABASES, env

DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/observatory"


def _postgres_reachable(cfg):
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=cfg.get("HOST") or None,
            port=cfg.get("PORT") or None,
            user=cfg.get("USER") or None,
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg2.OperationalError as exc:
        return str(exc).strip()
    conn.close()
    return None


DATABASES["default"] = environ.Env.db_url_config(
    env("DATABASE_URL", default=DEFAULT_TEST_DATABASE_URL)
)
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if "postgres" in DATABASES["default"]["ENGINE"]:
    problem = _postgres_reachable(DATABASES["default"])
    if problem:
        if env.bool("CI", default=False):
            raise RuntimeError(f"CI=true and PostgreSQL is unreachable: {problem}")
        sys.stderr.write(
            "\n" + "!" * 78 + "\n"
            f"!! PostgreSQL is unreachable ({problem}).\n"
            "!! Falling back to SQLite: green here does NOT mean green on PostgreSQL.\n"
            + "!" * 78
            + "\n\n"
        )
        DATABASES["default"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "ATOMIC_REQUESTS": True,
        }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Integration tests run a real Celery worker on this Redis (a database of its own).
TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")

# WhiteNoise scans every static file (Plotly, Swagger UI) each time a test client builds its
# middleware; with autorefresh it looks a file up when it is asked for instead.
WHITENOISE_AUTOREFRESH = True
