"""Settings shared by every environment.

Every knob comes from the environment (one ``environ.Env``) with a default that is safe for a
laptop: the embedded PostgreSQL server in ``.pgdata/`` (``common/embedded_db.py``, which
``make run`` and ``make test`` start) and Celery in eager mode when ``DATABASE_URL`` and
``REDIS_URL`` are unset.
"""

from pathlib import Path

import environ

from common.embedded_db import embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "missions",
    "observation",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.authentication.DeviceSessionMiddleware",
    # A signed-in user's language, kept on their account (after LocaleMiddleware).
    "missions.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.operations.context.live_alert",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=embedded_database_url())}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A connection kept across requests may have died with its server (a PostgreSQL restart, a
# fail-over): check it before a request uses it and reconnect, instead of answering that
# request with a 500. The check is one "SELECT 1" per request that reuses a connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An unreachable server costs a request (and /healthz) this long at most, not the operating
# system's TCP timeout; keepalives find a connection whose server vanished (over TCP).
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {
        "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Observers' phones: tokens that act as one observer in one mission (common/authentication.py).
DEVICE_TOKEN_MODEL = "observation.DeviceToken"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login rate limiting (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "common.lockout.lockout_response"
# How many reverse proxies of ours stand in front of the web processes (docker-compose's TLS
# proxy: 1). The lock-out counts failures per client address, read from X-Forwarded-For that
# many entries from the right; 0 reads REMOTE_ADDR (no proxy).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "common.lockout.client_address"

LANGUAGE_CODE = "en"
# The six official languages of the United Nations and the host country's (Kazakh), each
# named in itself. zh-hans is Chinese in simplified characters (catalog: locale/zh_Hans/).
# Arabic is written right to left: get_language_bidi() gives <html dir="rtl">.
LANGUAGES = [
    ("en", "English"),
    ("ru", "Русский"),
    ("kk", "Қазақша"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("es", "Español"),
    ("zh-hans", "简体中文"),
]
# The switcher's cookie (API.md "Languages": the interface and the API's messages follow the
# ``lang`` cookie, else Accept-Language). A signed-in user's choice is kept on their account
# too (missions.languages.UserLanguageMiddleware).
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
# kk: Django has no Kazakh formats; ar: a 24-hour clock and Western digits written as the
# mission's other languages write them (config/formats/ar).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js from the plotly Python package, as vendor/plotly/plotly.min.js.
    "reports.charts.staticfinders.PlotlyFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: imports and photos are bounded; larger bodies are refused before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# An XLSX is a zip: a small file can unpack to gigabytes or declare a million rows. Both are
# refused before they are parsed (missions/imports/spreadsheets.py).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# API imports of more rows are checked and imported by a Celery worker: 202 and a job to poll.
IMPORT_API_ASYNC_ROWS = env.int("IMPORT_API_ASYNC_ROWS", default=20_000)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # common.parsing.JSONParser: a body nested absurdly deep is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsing.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageSizePagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Observatory API",
    "DESCRIPTION": "Election observation mission API: missions, stations, observers, visits, "
    "aggregates, briefings and exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.openapi.document_errors",
    ],
}

# Redis is only a broker and a cache. Without REDIS_URL the embedded default runs Celery
# tasks eagerly in the web process and caches in memory: the whole product works serverless.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="observatory"),
            "OPTIONS": {
                # common/cache.py: a Redis that does not answer is a cache miss, and is not
                # asked again for retry_after seconds.
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.3),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
                "retry_after": env.float("CACHE_RETRY_AFTER_SECONDS", default=5.0),
            },
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# Broker outages (README "When something fails"). The worker keeps trying to reach Redis
# forever (the default gives up after 100 attempts), once a second (common/broker.py: Celery's
# own waits grow to 30 s, so a worker came back 8 s after Redis did).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0)
CELERY_BROKER_RECONNECT_SECONDS = env.float("CELERY_BROKER_RECONNECT_SECONDS", default=1.0)
CELERY_WORKER_CONSUMER = "common.broker:Consumer"
# A task whose connection was lost cannot be acknowledged any more: Redis delivers it again
# (after visibility_timeout). Stop it instead of letting it run on for nothing; every task is
# idempotent, so the second delivery does the work once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = env.bool(
    "CELERY_CANCEL_TASKS_ON_CONNECTION_LOSS", default=True
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task (its worker died) is delivered again after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    # A broker that vanishes must not hang a request that enqueues after its commit.
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=10.0),
    # A Redis that vanished without closing the connection (a host gone, a partition) is
    # noticed by TCP keepalive and a health check every 10 s, not after minutes.
    "socket_keepalive": True,
    "health_check_interval": 10,
    # Publishing (the web process after a commit): one quick retry, then the pending row
    # waits for reconciliation (reports/pipeline.py).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="observatory")
RECONCILE_INTERVAL_SECONDS = env.int("RECONCILE_INTERVAL_SECONDS", default=60)
# Pending aggregate work younger than this is left to the workers; older is reconciled.
RECONCILE_GRACE_SECONDS = env.int("RECONCILE_GRACE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "reconcile-aggregates": {
        "task": "reports.tasks.reconcile_all_missions",
        "schedule": RECONCILE_INTERVAL_SECONDS,
    },
}

# Coordinator dashboard: how often the page refreshes its feed of serious findings, and the
# largest GeoJSON file of region outlines a coordinator may upload.
DASHBOARD_FEED_POLL_SECONDS = env.int("DASHBOARD_FEED_POLL_SECONDS", default=15)
OUTLINES_MAX_BYTES = env.int("OUTLINES_MAX_BYTES", default=10 * 1024 * 1024)
# The operations room: how often open pages poll the live figures, and how long the wall
# display shows each panel.
OPERATIONS_LIVE_POLL_SECONDS = env.float("OPERATIONS_LIVE_POLL_SECONDS", default=3)
OPERATIONS_WALL_ROTATE_SECONDS = env.float("OPERATIONS_WALL_ROTATE_SECONDS", default=12)

# Reports by SMS (observation/sms/gateways.py). Empty values switch that gateway off: the
# Twilio webhook and the generic one answer 403 to everyone, and nothing is sent.
SMS_TWILIO_ACCOUNT_SID = env("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_AUTH_TOKEN = env("SMS_TWILIO_AUTH_TOKEN", default="")
SMS_TWILIO_WEBHOOK_URL = env("SMS_TWILIO_WEBHOOK_URL", default="")
SMS_FROM = env("SMS_FROM", default="")
SMS_INBOUND_SECRET = env("SMS_INBOUND_SECRET", default="")

# Chart export (kaleido drives a headless Chromium). Empty means "look on PATH".
CHROMIUM_PATH = env("CHROMIUM_PATH", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # kaleido and choreographer log every render step at INFO.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# The sites that may frame the embeddable charts of public briefings (CSP frame-ancestors,
# space-separated; "*" for any). Every other page may be framed by none.
EMBED_FRAME_ANCESTORS = env("EMBED_FRAME_ANCESTORS", default="*")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser imports of more rows than this are checked and imported by a Celery worker.
IMPORT_ASYNC_ROWS = env.int("IMPORT_ASYNC_ROWS", default=2000)
