"""The aggregation-lag part of ``/healthz`` (registered with ``common.health`` on start)."""

from django.conf import settings
from django.db.models import Count, Min

from reports.aggregates.sql import visits_unaggregated
from reports.models import PendingStation


def aggregation_state(*, now) -> dict:
    """Worker lag: changes the aggregates do not include yet, and how old the oldest is.

    Pending stations are changes announced by ``visits_changed``; not-aggregated visits also
    cover bulk inserts. Lag beyond two reconcile intervals means workers or beat are not
    keeping up (or not running).
    """
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
