"""The one door from a visit change to the aggregates.

Every service that creates, edits, reviews or deletes visits (or their findings) calls
``visits_changed`` inside its transaction. It records the stations as pending in that same
transaction, so the change and the note that the aggregates lack it commit together, and
asks for an incremental update once the transaction commits. If the broker is down the
request still succeeds: the pending row stays, and reconciliation picks it up.

Updates are coalesced per mission: after its commit a change enqueues ``aggregate_pending``
only if no such task of the mission is waiting (a Redis ``SET NX`` key on the broker, which
the task deletes when it starts, *before* it reads the pending rows). A change that finds
the key committed before the waiting task starts, so that task sees its pending row; a
change that commits after the task started finds no key and enqueues the next one. At
election-morning rates this turns a message and an update per visit into one update per
batch of stations, and the request pays a ``SET`` instead of a publish.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.models import PendingStation

logger = logging.getLogger(__name__)

# A dead broker must cost a request at most a moment: one quick retry (a pooled connection
# may have gone stale when Redis restarted), then give up and leave it to reconciliation.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
# How long the "an update is waiting" mark lives at most: if its task were lost, changes
# enqueue again after this, and reconciliation covers the meantime.
QUEUED_MARK_SECONDS = 10
# Stations one ``aggregate_pending`` run brings up to date; a full batch enqueues another.
PENDING_BATCH = 500

_redis_clients = {}


def visits_changed(
    *, mission_id: int, station_ids: Iterable[int], marked_pending: bool = False
) -> None:
    """Note that the visits of these stations changed; update their aggregates after commit.

    ``marked_pending``: the caller already wrote the stations' pending rows in this
    transaction, with the statement ``pending_mark_sql`` gives (the visit POST does, in the
    same round trip as the visit).
    """
    station_ids = sorted({int(station_id) for station_id in station_ids})
    if not station_ids:
        return
    if not marked_pending:
        stations_mark_pending(mission_id=mission_id, station_ids=station_ids, now=timezone.now())
    transaction.on_commit(partial(_enqueue_update, mission_id, station_ids))


def pending_mark_sql(rows: str) -> str:
    """The upsert of pending rows ``(mission_id, station_id, changed_at)`` that ``rows`` (a
    VALUES list or a SELECT) gives; an existing row keeps its (oldest) time.

    The no-op update on conflict takes the row lock, so an update that is running now cannot
    delete the row from under this uncommitted change (it skips locked rows).
    """
    return (
        f"INSERT INTO {PendingStation._meta.db_table} (mission_id, station_id, changed_at) "
        f"{rows} ON CONFLICT (station_id) DO UPDATE SET mission_id = excluded.mission_id"
    )


def stations_changed(*, mission_id: int) -> None:
    """Stations were imported, moved or resized: rebuild the mission's aggregates after commit.

    (Their totals would otherwise wait for the next periodic reconcile.)
    """
    transaction.on_commit(partial(_enqueue_reconcile, mission_id))


def stations_mark_pending(*, mission_id: int, station_ids: list[int], now) -> None:
    """Upsert one pending row per station (``pending_mark_sql``)."""
    values = ", ".join(["(%s, %s, %s)"] * len(station_ids))
    params = []
    changed_at = connection.ops.adapt_datetimefield_value(now)
    for station_id in station_ids:
        params += [mission_id, station_id, changed_at]
    with connection.cursor() as cursor:
        cursor.execute(pending_mark_sql(f"VALUES {values}"), params)


def _broker():
    """A Redis client on the broker Celery publishes to, or None when tasks run eagerly."""
    from config.celery import app

    if app.conf.task_always_eager or not str(app.conf.broker_url).startswith("redis"):
        return None
    url = app.conf.broker_url
    if url not in _redis_clients:
        import redis

        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        _redis_clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=options.get("socket_connect_timeout", 2),
            socket_timeout=options.get("socket_timeout", 10),
        )
    return _redis_clients[url]


def _queued_mark(mission_id: int) -> str:
    from config.celery import app

    return f"observatory:aggregate-queued:{app.conf.task_default_queue}:{mission_id}"


def _enqueue_update(mission_id: int, station_ids: list[int] | None = None) -> None:
    """After a commit: make sure an ``aggregate_pending`` of the mission starts from now on."""
    from reports.aggregates.tasks import aggregate_pending

    try:
        broker = _broker()
        if broker is not None and not broker.set(
            _queued_mark(mission_id), "1", nx=True, ex=QUEUED_MARK_SECONDS
        ):
            return  # one is waiting and has not read the pending rows yet: it will see ours
        try:
            aggregate_pending.apply_async(
                kwargs={"mission_id": mission_id},
                retry=True,
                retry_policy=ENQUEUE_RETRY_POLICY,
            )
        except Exception:
            if broker is not None:
                broker.delete(_queued_mark(mission_id))
            raise
    except Exception:  # noqa: BLE001 - the visit is committed; reconciliation has it
        logger.exception(
            "Could not run the aggregate update of mission %s stations %s; "
            "they stay pending until reconciliation.",
            mission_id,
            station_ids,
        )


def pending_update(*, mission_id: int, now, batch: int | None = None) -> int:
    """Bring up to date the aggregates of the mission's pending stations (the oldest
    ``batch``); enqueue another run if more are left. Returns the number of stations."""
    from reports.aggregates.update import aggregates_update_stations

    broker = _broker()
    if broker is not None:
        broker.delete(_queued_mark(mission_id))  # before reading: later changes enqueue anew
    batch = batch or PENDING_BATCH
    station_ids = list(
        PendingStation.objects.filter(mission_id=mission_id)
        .order_by("changed_at", "id")
        .values_list("station_id", flat=True)[:batch]
    )
    if station_ids:
        aggregates_update_stations(mission_id=mission_id, station_ids=station_ids, now=now)
    if len(station_ids) == batch:
        _enqueue_update(mission_id)
    return len(station_ids)


def _enqueue_reconcile(mission_id: int) -> None:
    from reports.aggregates.tasks import reconcile_mission

    try:
        reconcile_mission.apply_async(
            kwargs={"mission_id": mission_id}, retry=True, retry_policy=ENQUEUE_RETRY_POLICY
        )
    except Exception:  # noqa: BLE001
        logger.exception("Could not enqueue the reconcile of mission %s.", mission_id)
