"""Settings for the benchmark server: the production code paths on the local machine.

DEBUG off, real Redis broker (``REDIS_URL``), real PostgreSQL (``DATABASE_URL``), and the
bench-only ceiling endpoint mounted beside the app's URLs.
"""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
