"""``/healthz``: is the database reachable, and the broker? 200 when the database is.

It always answers JSON: 503 ``{"status": "down", ...}`` when PostgreSQL is not there. So it
runs outside the request transaction (``ATOMIC_REQUESTS`` would open one, and fail with a 500,
before the view could say so), and every check catches its own errors.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "error": str(exc).strip()}


def broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        queued = client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
        return {"ok": True, "mode": "redis", "queued": queued}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": str(exc)}


# Checks that apps add (``register_check`` in their AppConfig.ready): name -> callable(now=)
# returning a dict with "ok". common depends on no app, so the aggregation lag check lives in
# reports and registers itself here.
_checks: dict = {}


def register_check(name: str, check) -> None:
    _checks[name] = check


logger = logging.getLogger(__name__)


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request):
    database = database_state()
    broker = broker_state()
    body = {"status": "ok" if database["ok"] else "down", "database": database, "broker": broker}
    if database["ok"]:
        now = timezone.now()
        for name, check in _checks.items():
            try:
                body[name] = check(now=now)
            except Exception as exc:  # noqa: BLE001
                logger.exception("Health check %s failed", name)
                body[name] = {"ok": False, "error": str(exc).strip()}
    return JsonResponse(body, status=200 if database["ok"] else 503)
