"""The one door from a visit change to the aggregates.

Every service that creates, edits, reviews or deletes visits (or their findings) calls
``visits_changed`` inside its transaction. It records the stations as pending in that same
transaction, so the change and the note that the aggregates lack it commit together, and
asks for an incremental update once the transaction commits. If the broker is down the
request still succeeds: the pending row stays, and reconciliation picks it up.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from .models import PendingStation

logger = logging.getLogger(__name__)

# A dead broker must cost a request at most a moment: one quick retry (a pooled connection
# may have gone stale when Redis restarted), then give up and leave it to reconciliation.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}


def visits_changed(*, mission_id: int, station_ids: Iterable[int]) -> None:
    """Note that the visits of these stations changed; update their aggregates after commit."""
    station_ids = sorted({int(station_id) for station_id in station_ids})
    if not station_ids:
        return
    stations_mark_pending(mission_id=mission_id, station_ids=station_ids, now=timezone.now())
    transaction.on_commit(partial(_enqueue_update, mission_id, station_ids))


def stations_changed(*, mission_id: int) -> None:
    """Stations were imported, moved or resized: rebuild the mission's aggregates after commit.

    (Their totals would otherwise wait for the next periodic reconcile.)
    """
    transaction.on_commit(partial(_enqueue_reconcile, mission_id))


def stations_mark_pending(*, mission_id: int, station_ids: list[int], now) -> None:
    """Upsert one pending row per station; an existing row keeps its (oldest) time.

    The no-op update on conflict takes the row lock, so an update that is running now cannot
    delete the row from under this uncommitted change (it skips locked rows).
    """
    table = PendingStation._meta.db_table
    values = ", ".join(["(%s, %s, %s)"] * len(station_ids))
    params = []
    changed_at = connection.ops.adapt_datetimefield_value(now)
    for station_id in station_ids:
        params += [mission_id, station_id, changed_at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (mission_id, station_id, changed_at) VALUES {values} "  # noqa: S608
            "ON CONFLICT (station_id) DO UPDATE SET mission_id = excluded.mission_id",
            params,
        )


def _enqueue_update(mission_id: int, station_ids: list[int]) -> None:
    from .tasks import aggregate_stations

    try:
        aggregate_stations.apply_async(
            kwargs={"mission_id": mission_id, "station_ids": station_ids},
            retry=True,
            retry_policy=ENQUEUE_RETRY_POLICY,
        )
    except Exception:  # noqa: BLE001 - the visit is committed; reconciliation has it
        logger.exception(
            "Could not run the aggregate update of mission %s stations %s; "
            "they stay pending until reconciliation.",
            mission_id,
            station_ids,
        )


def _enqueue_reconcile(mission_id: int) -> None:
    from .tasks import reconcile_mission

    try:
        reconcile_mission.apply_async(
            kwargs={"mission_id": mission_id}, retry=True, retry_policy=ENQUEUE_RETRY_POLICY
        )
    except Exception:  # noqa: BLE001
        logger.exception("Could not enqueue the reconcile of mission %s.", mission_id)
