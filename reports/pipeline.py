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

from django.db import connection, transaction
from django.utils import timezone

from reports.aggregates.tasks import reconcile_enqueue, update_enqueue
from reports.models import PendingStation

logger = logging.getLogger(__name__)


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
    transaction.on_commit(partial(update_enqueue, mission_id, station_ids))


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
    transaction.on_commit(partial(reconcile_enqueue, mission_id))


def stations_mark_pending(*, mission_id: int, station_ids: list[int], now) -> None:
    """Upsert one pending row per station (``pending_mark_sql``)."""
    values = ", ".join(["(%s, %s, %s)"] * len(station_ids))
    params = []
    changed_at = connection.ops.adapt_datetimefield_value(now)
    for station_id in station_ids:
        params += [mission_id, station_id, changed_at]
    with connection.cursor() as cursor:
        cursor.execute(pending_mark_sql(f"VALUES {values}"), params)
