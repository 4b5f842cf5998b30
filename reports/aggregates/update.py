"""Keeping the aggregate tables: incremental updates and reconciliation (services: they write).

Two layers (see ``reports.models``): station rows are recomputed from the raw visits; area rows
(national, region, district) are their sums.

- ``aggregates_update_stations`` (the Celery task behind ``visits_changed``) recomputes the
  station rows of a few stations from the raw tables and adds the difference between new and
  old to the area rows with ``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x``.
  Running it twice changes nothing (the second run finds no difference); two workers on
  different stations add to the same area rows atomically; two on the same station are
  serialised by a per-station lock.
- ``aggregates_reconcile`` rebuilds a mission's station and area rows from the raw tables
  in set-based SQL, under a per-mission lock that excludes incremental updates meanwhile.

Which change is not yet aggregated is recorded by ``PendingStation`` rows (written with the
change) and ``Visit.aggregated`` (false on every new visit). Both are claimed at the start of
an update, before the raw rows are read: a change committed later keeps its pending row and
is taken by the next update. On PostgreSQL claims skip rows locked by transactions still in
flight, so an update never waits for a request (and a request never deadlocks with it).

A reconcile does not flip ``Visit.aggregated``: it raises the mission's watermark
(``AggregateState.visits_aggregated_through``), below which every visit had committed before
the rebuild read the raw tables (``visits_settled_through`` waits, without a lock, for the
writers in flight). A visit is not aggregated while its flag is false and its id is above
the mark (``visits_unaggregated``). A bulk load of 100,000 visits is then claimed by writing
one row, not 100,000 (8 s and 120 MB of WAL with the visit table's indexes).

The SQL is PostgreSQL's (the one engine everywhere, the embedded default included).
"""

import logging
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Value
from django.db.models.functions import Coalesce, Greatest

from missions.models import Mission, PollingStation
from reports.aggregates.reconcile import aggregates_reconcile
from reports.aggregates.sql import (
    COVERAGE,
    KINDS,
    TURNOUT,
    Kind,
    area_columns,
    changes_claim,
    derived_data_commit,
    placeholders,
    station_select,
    stations_lock,
)
from reports.models import (
    NATIONAL_CODE,
    AggregateLevel,
    AggregateState,
    PendingStation,
)

logger = logging.getLogger(__name__)


# --- incremental update ---------------------------------------------------------------------


def aggregates_update_stations(*, mission_id: int, station_ids: list[int], now) -> None:
    """Bring the aggregates of these stations up to date with the raw tables."""
    state = (
        AggregateState.objects.filter(mission_id=mission_id, reconciled_at__isnull=False)
        .select_related("mission")
        .first()
    )
    if state is None:
        # The first update of a mission builds everything (coverage needs every area).
        mission = Mission.objects.filter(pk=mission_id).first()
        if mission is not None:
            aggregates_reconcile(mission=mission, now=now)
        return
    mission = state.mission
    station_ids = sorted({int(station_id) for station_id in station_ids})
    with transaction.atomic():
        derived_data_commit()
        stations_lock(mission_id, station_ids)
        changes_claim(
            mission_id=mission_id,
            station_ids=station_ids,
            through=state.visits_aggregated_through or 0,
        )
        stations = _station_areas(mission_id=mission_id, station_ids=station_ids)
        present = sorted(stations)
        deltas = {
            kind: _station_rows_replace(kind, mission=mission, stations=stations, ids=present)
            for kind in KINDS
        }
        if deltas[COVERAGE]:
            _coverage_totals_refresh(
                mission_id=mission_id, stations=stations, deltas=deltas[COVERAGE]
            )
        # The area rows (the national ones above all) are shared by every update: touch them
        # last, so their row locks are held for a few statements only.
        for kind in KINDS:
            _area_rows_add(kind, mission_id=mission_id, deltas=deltas[kind])
        AggregateState.objects.filter(mission_id=mission_id).update(
            as_of=Greatest(Coalesce("as_of", Value(now)), Value(now))
        )


def _station_areas(*, mission_id: int, station_ids: list[int]) -> dict[int, list[tuple]]:
    """For each station, the area cells it counts in: (level, code, name, area id)."""
    rows = PollingStation.objects.filter(mission_id=mission_id, pk__in=station_ids).values_list(
        "pk",
        "region_id",
        "region__code",
        "region__name",
        "district_id",
        "district__code",
        "district__name",
    )
    areas = {}
    for pk, region_id, region_code, region_name, district_id, district_code, district_name in rows:
        cells = [
            (AggregateLevel.NATIONAL.value, NATIONAL_CODE, NATIONAL_CODE, None),
            (AggregateLevel.REGION.value, region_code, region_name, region_id),
        ]
        if district_id is not None:
            cells.append((AggregateLevel.DISTRICT.value, district_code, district_name, district_id))
        areas[pk] = cells
    return areas


def _station_rows_replace(kind: Kind, *, mission, stations, ids) -> dict:
    """Recompute these stations' rows of ``kind``; return what changed, per area cell."""
    if not ids:
        return {}
    model = kind.station_model
    old = defaultdict(list)
    for row in model.objects.filter(station_id__in=ids).values_list(
        "station_id", *kind.keys, *kind.station_values
    ):
        old[row[0]].append(row[1:])
    sql, params = station_select(kind, mission, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fresh = cursor.fetchall()
    new = defaultdict(list)
    for row in fresh:
        new[row[0]].append(tuple(row[1:]))

    deltas = {}
    width = len(kind.area_values)
    for station_id in ids:
        if sorted(old[station_id]) == sorted(new[station_id]):
            continue
        change = defaultdict(lambda: [0] * width)
        for sign, rows in ((-1, old[station_id]), (1, new[station_id])):
            for row in rows:
                key = row[: len(kind.keys)]
                for index, value in enumerate(kind.contribution(row[len(kind.keys) :])):
                    change[key][index] += sign * value
        for level, code, name, area_id in stations[station_id]:
            for key, values in change.items():
                cell = deltas.setdefault((level, code, *key), [name, area_id, [0] * width])
                cell[2] = [a + b for a, b in zip(cell[2], values)]
    changed = [s for s in ids if sorted(old[s]) != sorted(new[s])]
    if changed:
        model.objects.filter(station_id__in=changed).delete()
        model.objects.bulk_create(
            [
                model(
                    mission_id=mission.pk,
                    station_id=station_id,
                    **dict(zip((*kind.keys, *kind.station_values), row)),
                )
                for station_id in changed
                for row in new[station_id]
            ]
        )
    return {cell: value for cell, value in deltas.items() if any(value[2])}


def _coverage_totals_refresh(*, mission_id: int, stations, deltas) -> None:
    """Give the touched coverage cells their current number of stations."""
    totals = defaultdict(int)
    for region_id, district_id, count in (
        PollingStation.objects.filter(mission_id=mission_id)
        .values_list("region_id", "district_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        totals[("national", None)] += count
        totals[("region", region_id)] += count
        totals[("district", district_id)] += count
    for (level, _code), cell in deltas.items():
        cell.append(totals[(level, cell[1])])


def _area_rows_add(kind: Kind, *, mission_id: int, deltas: dict) -> None:
    """Add the deltas to the area rows: one atomic upsert, cells in a fixed order."""
    if not deltas:
        return
    table = kind.area_model._meta.db_table
    columns = area_columns(kind)
    conflict = ["mission_id", "level", "area_code", *kind.keys]
    updates = ["area_name = excluded.area_name"]
    if kind is COVERAGE:
        updates.append("stations_total = excluded.stations_total")
    updates += [f"{column} = {table}.{column} + excluded.{column}" for column in kind.area_values]
    rows, params = [], []
    for cell in sorted(deltas, key=lambda c: tuple(str(part) for part in c)):
        level, code, *key = cell
        name, _area_id, values, *extra = deltas[cell]
        key = [connection.ops.adapt_datetimefield_value(k) if kind is TURNOUT else k for k in key]
        row = [mission_id, level, code, name, *key, *extra, *values]
        rows.append(f"({placeholders(row)})")
        params += row
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(rows)} "  # noqa: S608
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def aggregates_update_pending(*, mission_id: int, now, limit: int) -> int:
    """Bring up to date the mission's oldest ``limit`` pending stations; how many there were."""
    station_ids = list(
        PendingStation.objects.filter(mission_id=mission_id)
        .order_by("changed_at", "id")
        .values_list("station_id", flat=True)[:limit]
    )
    if station_ids:
        aggregates_update_stations(mission_id=mission_id, station_ids=station_ids, now=now)
    return len(station_ids)
