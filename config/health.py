"""``/healthz``: is the database reachable, and the broker? 200 when the database is."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return {"ok": False, "error": str(exc)}


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


def aggregation_state(*, now) -> dict:
    """Worker lag: changes the aggregates do not include yet, and how old the oldest is.

    Pending stations are changes announced by ``visits_changed``; not-aggregated visits also
    cover bulk inserts. Lag beyond two reconcile intervals means workers or beat are not
    keeping up (or not running).
    """
    from reports.aggregation import visits_unaggregated
    from reports.models import PendingStation

    try:
        pending = PendingStation.objects.aggregate(n=Count("id"), oldest=Min("changed_at"))
        visits = visits_unaggregated().aggregate(n=Count("id"), oldest=Min("created_at"))
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}
    oldest = [t for t in (pending["oldest"], visits["oldest"]) if t is not None]
    lag = max(0.0, (now - min(oldest)).total_seconds()) if oldest else 0.0
    limit = max(120, 2 * settings.RECONCILE_INTERVAL_SECONDS)
    return {
        "ok": lag <= limit,
        "pending_stations": pending["n"],
        "unaggregated_visits": visits["n"],
        "lag_seconds": round(lag, 1),
        "lag_limit_seconds": limit,
    }


@never_cache
@require_safe
def healthz(request):
    database = database_state()
    broker = broker_state()
    body = {"status": "ok" if database["ok"] else "down", "database": database, "broker": broker}
    if database["ok"]:
        body["aggregation"] = aggregation_state(now=timezone.now())
    return JsonResponse(body, status=200 if database["ok"] else 503)
