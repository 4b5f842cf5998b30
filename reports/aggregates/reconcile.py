"""Rebuilding a mission's aggregates from the raw tables (services: they write).

``aggregates_reconcile`` rebuilds a mission's station and area rows in set-based SQL, under a
per-mission lock that excludes incremental updates meanwhile, and raises the mission's visit
watermark; ``aggregates_reconcile_due`` does it for every mission that needs it (beat).
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce

from missions.models import Mission, PollingStation
from observation.models import Finding, Visit
from reports.aggregates.sql import (
    COVERAGE,
    DISMISSED,
    KINDS,
    REJECTED,
    area_columns,
    area_select,
    changes_claim,
    derived_data_commit,
    mission_lock,
    state_touch,
    station_select,
    visits_settled_through,
    visits_unaggregated,
    watermark,
)
from reports.models import (
    AggregateLevel,
    AggregateState,
    CoverageAggregate,
    FindingAggregate,
    PendingStation,
)

logger = logging.getLogger(__name__)


@dataclass
class ReconcileResult:
    mission_id: int
    seconds: float  # the rebuild, under the mission lock
    changed_cells: int
    visits: int
    claimed: int = 0  # visits loaded past the pipeline, counted now (below the new watermark)


# --- reconciliation -------------------------------------------------------------------------


def aggregates_reconcile(*, mission, now) -> ReconcileResult:
    """Rebuild the mission's aggregates from the raw tables; count the cells that changed."""
    started = time.monotonic()
    settled = visits_settled_through(mission.pk)
    with transaction.atomic():
        AggregateState.objects.bulk_create(
            [AggregateState(mission_id=mission.pk)], ignore_conflicts=True
        )
        derived_data_commit()
        mission_lock(mission.pk)
        before = _area_snapshot(mission.pk)
        changes_claim(mission_id=mission.pk, station_ids=None)
        through = watermark(mission.pk)
        claimed = 0
        if settled is not None and settled > through:
            claimed = Visit.objects.filter(
                mission_id=mission.pk, aggregated=False, pk__gt=through, pk__lte=settled
            ).count()
            through = settled
        with connection.cursor() as cursor:
            for kind in KINDS:
                select, params = station_select(kind, mission)
                _rows_replace(
                    cursor,
                    table=kind.station_model._meta.db_table,
                    columns=["station_id", *kind.keys, *kind.station_values],
                    keys=["mission_id", "station_id", *kind.keys],
                    select=select,
                    params=params,
                    scope={"mission_id": mission.pk},
                )
            for kind in KINDS:
                columns = area_columns(kind)
                for level in AggregateLevel.values:
                    select, params = area_select(kind, level, mission.pk)
                    _rows_replace(
                        cursor,
                        table=kind.area_model._meta.db_table,
                        columns=columns[2:],
                        keys=["mission_id", "level", "area_code", *kind.keys],
                        select=select,
                        params=params,
                        scope={"mission_id": mission.pk, "level": level},
                    )
        after = _area_snapshot(mission.pk)
        changed_cells = sum(
            1 for key in before.keys() | after.keys() if before.get(key) != after.get(key)
        )
        seconds = time.monotonic() - started
        state_touch(
            mission_id=mission.pk,
            now=now,
            reconciled_at=now,
            reconcile_seconds=seconds,
            reconcile_changed_cells=changed_cells,
            visits_aggregated_through=through or None,
        )
    visits = Visit.objects.filter(mission=mission).exclude(status=REJECTED).count()
    logger.info(
        "Reconciled mission %s (%s visits) in %.2f s; %s cells changed; "
        "%s visits loaded past the pipeline claimed.",
        mission.pk,
        visits,
        seconds,
        changed_cells,
        claimed,
    )
    return ReconcileResult(mission.pk, seconds, changed_cells, visits, claimed)


def _rows_replace(cursor, *, table, columns, keys, select, params, scope) -> None:
    """Make the rows of ``table`` within ``scope`` (column -> value) equal to the rows
    ``select`` gives (named ``columns``, in its order), writing only rows that differ.
    ``keys`` name a row (the scope's columns among them); the other columns are its values.

    A periodic reconcile of a mission that did not drift then writes (and logs to the WAL)
    almost nothing, where deleting and re-inserting every row wrote ~32 MB for 20,000 visits
    and spent seconds in COMMIT on a busy disk.
    """
    fixed = list(scope)
    produced = list(columns)
    values = [column for column in produced if column not in keys]
    where = " AND ".join(f"t.{column} = %s" for column in fixed)
    where_params = list(scope.values())
    constants = ", ".join(f"%s AS {column}" for column in fixed)
    fresh = f"SELECT {constants}, q.* FROM ({select}) AS q({', '.join(produced)})"  # noqa: S608
    fresh_params = [*where_params, *params]
    columns = ", ".join((*fixed, *produced))
    same = " AND ".join(
        [f"f.{column} = t.{column}" for column in keys]
        + [f"f.{column} IS NOT DISTINCT FROM t.{column}" for column in values]
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE reconcile_fresh ON COMMIT DROP AS {fresh}", fresh_params
    )
    cursor.execute("ANALYZE reconcile_fresh")
    cursor.execute(
        f"DELETE FROM {table} AS t WHERE {where} "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM reconcile_fresh f WHERE {same})",
        where_params,
    )
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM reconcile_fresh f "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {where} AND {same})",
        where_params,
    )
    cursor.execute("DROP TABLE reconcile_fresh")


def _area_snapshot(mission_id: int) -> dict:
    """Every non-empty area cell of the mission: (kind, level, code, *keys) -> values."""
    snapshot = {}
    for kind in KINDS:
        extra = ("stations_total",) if kind is COVERAGE else ()
        values = (*extra, *kind.area_values)
        for row in kind.area_model.objects.filter(mission_id=mission_id).values_list(
            "level", "area_code", "area_name", *kind.keys, *values
        ):
            if not any(row[3 + len(kind.keys) :]):
                continue  # an empty cell is no cell
            snapshot[(kind.name, *row[:2], *row[3 : 3 + len(kind.keys)])] = row[2:]
    return snapshot


def missions_due_for_reconcile(*, now) -> list[int]:
    """Missions whose aggregates may lack a change.

    Due: a pending mark or a not-aggregated visit older than ``RECONCILE_GRACE_SECONDS`` (its
    update was lost, or workers are far behind), or, for a mission with no work in flight,
    counts of stations, visits and findings that disagree with the aggregates. Fresh pending
    work is left to the workers, so a busy mission is not rebuilt every minute.
    """
    cutoff = now - dt.timedelta(seconds=settings.RECONCILE_GRACE_SECONDS)
    pending = PendingStation.objects.values_list("mission_id", flat=True).distinct().order_by()
    unaggregated = visits_unaggregated().values_list("mission_id", flat=True).distinct().order_by()
    due = set(pending.filter(changed_at__lt=cutoff)) | set(
        unaggregated.filter(created_at__lt=cutoff)
    )
    busy = set(pending) | set(unaggregated)
    reconciled = set(
        AggregateState.objects.filter(reconciled_at__isnull=False).values_list(
            "mission_id", flat=True
        )
    )
    for mission_id in Mission.objects.values_list("pk", flat=True).order_by("pk"):
        if mission_id in due or mission_id in busy:
            continue
        if mission_id not in reconciled or _counts_drifted(mission_id):
            due.add(mission_id)
    return sorted(due)


def _counts_drifted(mission_id: int) -> bool:
    """Cheap check for changes no one announced: stations, visits and findings counted."""
    national = CoverageAggregate.objects.filter(
        mission_id=mission_id, level=AggregateLevel.NATIONAL
    ).first()
    stations = PollingStation.objects.filter(mission_id=mission_id).count()
    visits = Visit.objects.filter(mission_id=mission_id).exclude(status=REJECTED).count()
    if national is None:
        return stations > 0
    if (national.stations_total, national.visits) != (stations, visits):
        return True
    findings = (
        Finding.objects.filter(visit__mission_id=mission_id)
        .exclude(visit__status=REJECTED)
        .exclude(review_status=DISMISSED)
        .count()
    )
    counted = FindingAggregate.objects.filter(
        mission_id=mission_id, level=AggregateLevel.NATIONAL
    ).aggregate(n=Coalesce(Sum("count"), 0))["n"]
    return findings != counted


def aggregates_reconcile_due(*, now) -> list[ReconcileResult]:
    """Reconcile every mission that needs it (the periodic task)."""
    results = []
    for mission_id in missions_due_for_reconcile(now=now):
        mission = Mission.objects.filter(pk=mission_id).first()
        if mission is None:
            continue
        try:
            results.append(aggregates_reconcile(mission=mission, now=now))
        except Exception:  # noqa: BLE001 - one broken mission must not stop the others
            logger.exception("Reconciling mission %s failed.", mission_id)
    return results
