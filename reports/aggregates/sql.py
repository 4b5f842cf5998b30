"""The aggregate tables' SQL and the locks, claims and watermark around it.

Shared by the incremental update (``reports.aggregates.update``), the rebuild
(``reports.aggregates.reconcile``) and the narrowed rows (``reports.aggregates.selectors``).
The SQL is PostgreSQL's (the one engine everywhere, the embedded default included).
"""

import logging
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Greatest

from missions.models import Area, Mission, PollingStation
from observation.models import Finding, ReviewStatus, Visit, VisitStatus
from reports.models import (
    NATIONAL_CODE,
    AggregateLevel,
    AggregateState,
    AssessmentAggregate,
    CoverageAggregate,
    FindingAggregate,
    PendingStation,
    StationAssessment,
    StationCoverage,
    StationFinding,
    StationTurnout,
    TurnoutAggregate,
)

logger = logging.getLogger(__name__)

# PostgreSQL advisory lock namespaces (the two-key form): one per mission, one per station.
LOCK_MISSION = 7301
LOCK_STATION = 7302
# How long a reconcile waits for the visit writers in flight before it raises the watermark.
# Past this the mark stays where it was (the next reconcile tries again).
WATERMARK_WAIT_SECONDS = 2.0
WATERMARK_POLL_SECONDS = 0.01

VISIT = Visit._meta.db_table
FINDING = Finding._meta.db_table
STATION = PollingStation._meta.db_table
AREA = Area._meta.db_table
PENDING = PendingStation._meta.db_table
REJECTED = VisitStatus.REJECTED.value
DISMISSED = ReviewStatus.DISMISSED.value
RATINGS = ("VERY_GOOD", "GOOD", "BAD", "VERY_BAD")


@dataclass(frozen=True)
class Kind:
    """One aggregate: its station table, its area table, and how a station row contributes."""

    name: str
    station_model: type
    area_model: type
    keys: tuple[str, ...]  # columns naming the cell within an area
    station_values: tuple[str, ...]  # value columns of the station row
    area_values: tuple[str, ...]  # value columns of the area row

    def contribution(self, values: tuple) -> tuple:
        """What one station row adds to its area rows."""
        if self.name == "turnout":
            voters, registered = values
            return (1, voters, registered)
        if self.name == "coverage":
            (visits,) = values
            return (1 if visits > 0 else 0, visits)
        return values


TURNOUT = Kind(
    "turnout",
    StationTurnout,
    TurnoutAggregate,
    ("bucket_end",),
    ("voters", "registered"),
    ("stations_reporting", "voters", "registered"),
)
ASSESSMENTS = Kind(
    "assessments",
    StationAssessment,
    AssessmentAggregate,
    ("stage",),
    ("very_good", "good", "bad", "very_bad"),
    ("very_good", "good", "bad", "very_bad"),
)
FINDINGS = Kind(
    "findings", StationFinding, FindingAggregate, ("category", "severity"), ("count",), ("count",)
)
# Coverage area rows also carry stations_total, which comes from the stations, not the visits.
COVERAGE = Kind(
    "coverage", StationCoverage, CoverageAggregate, (), ("visits",), ("stations_visited", "visits")
)
KINDS = (TURNOUT, ASSESSMENTS, FINDINGS, COVERAGE)


# --- SQL building blocks --------------------------------------------------------------------


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _station_filter(column: str, station_ids) -> tuple[str, list]:
    if station_ids is None:
        return "", []
    return f" AND {column} IN ({placeholders(station_ids)})", list(station_ids)


def _bucket_sql(mission) -> tuple[str, list]:
    """SQL for the end of the clock hour (mission's timezone) holding ``v.arrived_at``.

    (09:00, 10:00] ends at 10:00: an arrival exactly on the hour belongs to that hour.
    """
    # Ceiling to the hour in local time; timestamps have microsecond resolution.
    return (
        "(date_trunc('hour', (v.arrived_at AT TIME ZONE %s) "
        "+ interval '59 minutes 59.999999 seconds') AT TIME ZONE %s)",
        [mission.timezone, mission.timezone],
    )


def station_select(
    kind: Kind, mission, station_ids=None, narrow=None, areas: bool = False
) -> tuple[str, list]:
    """SELECT station_id, *keys, *station_values computed from the raw tables.

    This is the one definition of what a visit counts for (not rejected; for assessments
    rated, for turnout with a count; findings not dismissed). ``narrow`` (SQL about the visit
    ``v`` and its parameters) keeps only the counted visits that also meet it: the dashboard's
    organisation and time filters (``area_cells_select``). ``areas``: turnout rows (which read
    the station anyway) also carry its region and district ids, ``cell_region`` and
    ``cell_district``.
    """
    where, where_params = _station_filter("v.station_id", station_ids)
    if narrow is not None:
        where, where_params = f"{where} AND {narrow[0]}", [*where_params, *narrow[1]]
    if kind is TURNOUT:
        bucket, bucket_params = _bucket_sql(mission)
        station_areas = (
            ", s.region_id AS cell_region, s.district_id AS cell_district" if areas else ""
        )
        # The latest report with a count in each (station, bucket); ties go to the later id.
        sql = f"""
            SELECT b.station_id, b.bucket_end, b.voters_so_far AS voters,
                   s.registered_voters AS registered{station_areas}
            FROM (
                SELECT a.station_id, a.bucket_end, a.voters_so_far,
                       ROW_NUMBER() OVER (
                           PARTITION BY a.station_id, a.bucket_end
                           ORDER BY a.arrived_at DESC, a.id DESC
                       ) AS rn
                FROM (
                    SELECT v.id, v.station_id, v.arrived_at, v.voters_so_far,
                           {bucket} AS bucket_end
                    FROM {VISIT} v
                    WHERE v.mission_id = %s AND v.status <> %s
                      AND v.voters_so_far IS NOT NULL{where}
                ) a
            ) b
            JOIN {STATION} s ON s.id = b.station_id
            WHERE b.rn = 1
        """  # noqa: S608 - identifiers are ours, values are parameters
        return sql, [*bucket_params, mission.pk, REJECTED, *where_params]
    if kind is ASSESSMENTS:
        counts = ", ".join(
            f"SUM(CASE WHEN v.assessment = %s THEN 1 ELSE 0 END) AS {column}"
            for column in kind.station_values
        )
        sql = f"""
            SELECT v.station_id, v.stage, {counts}
            FROM {VISIT} v
            WHERE v.mission_id = %s AND v.status <> %s AND v.assessment IS NOT NULL{where}
            GROUP BY v.station_id, v.stage
        """  # noqa: S608
        return sql, [*RATINGS, mission.pk, REJECTED, *where_params]
    if kind is FINDINGS:
        sql = f"""
            SELECT v.station_id, f.category, f.severity, COUNT(*) AS count
            FROM {FINDING} f JOIN {VISIT} v ON v.id = f.visit_id
            WHERE v.mission_id = %s AND v.status <> %s AND f.review_status <> %s{where}
            GROUP BY v.station_id, f.category, f.severity
        """  # noqa: S608
        return sql, [mission.pk, REJECTED, DISMISSED, *where_params]
    sql = f"""
        SELECT v.station_id, COUNT(*) AS visits
        FROM {VISIT} v
        WHERE v.mission_id = %s AND v.status <> %s{where}
        GROUP BY v.station_id
    """  # noqa: S608
    return sql, [mission.pk, REJECTED, *where_params]


LEVEL_JOINS = {
    AggregateLevel.NATIONAL: ("%s, %s", "", "s.mission_id"),
    AggregateLevel.REGION: (
        "a.code, a.name",
        f"JOIN {AREA} a ON a.id = s.region_id",
        "a.code, a.name",
    ),
    AggregateLevel.DISTRICT: (
        "a.code, a.name",
        f"JOIN {AREA} a ON a.id = s.district_id",
        "a.code, a.name",
    ),
}


def area_select(
    kind: Kind, level, mission_id: int, source=None, join_station: bool = True
) -> tuple[str, list]:
    """SELECT area_code, area_name, *keys, *area_values summed from the station rows.

    The station rows are the stored ones, or ``source``: the SQL (and parameters) of station
    rows computed on the fly (``station_select`` with a ``narrow``). ``level``: a stored
    level, or the (columns, join, grouping) of ``_cell_level``; without ``join_station`` the
    source rows carry what the level reads of their station.
    """
    area_cols, area_join, area_group = level if isinstance(level, tuple) else LEVEL_JOINS[level]
    area_params = [NATIONAL_CODE, NATIONAL_CODE] if level == AggregateLevel.NATIONAL else []
    if source is None:
        table = kind.station_model._meta.db_table
        source_params = []
    else:
        table, source_params = f"({source[0]})", list(source[1])
    if kind is COVERAGE:
        sql = f"""
            SELECT {area_cols}, COUNT(*),
                   COALESCE(SUM(CASE WHEN c.visits > 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(c.visits), 0)
            FROM {STATION} s
            LEFT JOIN {table} c ON c.station_id = s.id
            {area_join}
            WHERE s.mission_id = %s
            GROUP BY {area_group}
        """  # noqa: S608
        return sql, [*area_params, *source_params, mission_id]
    keys = ", ".join(f"t.{key}" for key in kind.keys)
    sums = ", ".join(
        "COUNT(*)" if column == "stations_reporting" else f"SUM(t.{column})"
        for column in kind.area_values
    )
    if source is None:
        where, where_params = "WHERE t.mission_id = %s", [mission_id]
    else:
        # Computed rows are the mission's already; the stations are only looked up by id (a
        # condition on them here let the planner scan them first and loop over the rows).
        where, where_params = "", []
    station = f"JOIN {STATION} s ON s.id = t.station_id" if join_station else ""
    sql = f"""
        SELECT {area_cols}, {keys}, {sums}
        FROM {table} t
        {station}
        {area_join}
        {where}
        GROUP BY {area_group}, {keys}
    """  # noqa: S608
    return sql, [*area_params, *source_params, *where_params]


def station_rows_select(kind: Kind, mission, *, narrow, remainder: bool = False):
    """SQL of ``kind``'s station rows (station_id, *keys, *station values) from the counted
    visits that also meet ``narrow`` (see ``station_select``), or with ``remainder`` the
    same rows as the stored ones less those of the visits ``narrow`` leaves out."""
    if remainder:
        excluded = (f"NOT ({narrow[0]})", list(narrow[1]))
        return _station_remainder_select(kind, mission, excluded=excluded)
    return station_select(kind, mission, narrow=narrow)


def _station_remainder_select(kind: Kind, mission, *, excluded) -> tuple[str, list]:
    """The stored station rows of ``kind`` less the station rows of the counted visits that
    meet ``excluded``: the station rows of the other counted visits, read mostly from the
    aggregates (for a narrowing that keeps most visits, far fewer visits to read). Only for
    kinds whose values add up over visits (not turnout, the latest count of an hour).

    A visit not yet aggregated may be subtracted before it was added: values are kept at or
    above zero, and the next update brings the two sides together again.
    """
    if kind is TURNOUT:
        raise ValueError("Turnout is the latest count of an hour: it does not subtract.")
    less, less_params = station_select(kind, mission, narrow=excluded)
    same = " AND ".join(
        ["x.station_id = t.station_id", *(f"x.{key} = t.{key}" for key in kind.keys)]
    )
    columns = ", ".join(
        [
            "t.station_id",
            *(f"t.{key}" for key in kind.keys),
            *(
                f"CASE WHEN t.{c} > COALESCE(x.{c}, 0) THEN t.{c} - COALESCE(x.{c}, 0) "
                f"ELSE 0 END AS {c}"
                for c in kind.station_values
            ),
        ]
    )
    sql = f"""
        SELECT {columns}
        FROM {kind.station_model._meta.db_table} t
        LEFT JOIN ({less}) x ON {same}
        WHERE t.mission_id = %s
    """  # noqa: S608
    return sql, [*less_params, mission.pk]


def _cell_level(districts: bool | int, *, region: str, district: str) -> tuple[str, str, str]:
    """The (columns, join, grouping) of ``area_select`` for the dashboard's cells: a region
    and district (``districts`` True), a whole region (False), or a whole region but for the
    districts of the region whose id ``districts`` is. Grouped by ids (sorting thousands of
    rows by names took longer); ``area_cells_select`` adds the names."""
    if districts is True:
        cell_district = district
    elif not districts:
        return (f"{region} AS cell_region, CAST(NULL AS BIGINT) AS cell_district", "", region)
    else:  # an id, written into the SQL as an integer
        cell_district = f"CASE WHEN {region} = {int(districts)} THEN {district} END"
    return (
        f"{region} AS cell_region, {cell_district} AS cell_district",
        "",
        f"{region}, {cell_district}",
    )


def area_cells_select(
    kind: Kind, mission, *, narrow, districts: bool | int = True, remainder: bool = False
) -> tuple[str, list]:
    """SQL of ``kind``'s figures per cell (region code and name, district code and name,
    region id, district id, *keys, *area values), from the counted visits that also meet
    ``narrow`` (SQL about the visit ``v``, and its parameters): the stations' rows computed
    and summed exactly as reconciliation computes and sums them, so with a ``narrow`` that
    keeps every visit the cells add up to the stored area rows. Without ``districts`` a cell
    is a whole region (its district columns empty); with a region's id, so is every other
    region, and that region's cells are its districts. With ``remainder`` the station rows are
    the stored ones less those of the visits ``narrow`` leaves out (same figures, read mostly
    from the aggregates: see ``_station_remainder_select``)."""
    # Turnout rows read their station already: they bring its areas, no second lookup.
    areas = kind is TURNOUT and not remainder
    if remainder:
        excluded = (f"NOT ({narrow[0]})", list(narrow[1]))
        source = _station_remainder_select(kind, mission, excluded=excluded)
    else:
        source = station_select(kind, mission, narrow=narrow, areas=areas)
    if areas:
        level = _cell_level(districts, region="t.cell_region", district="t.cell_district")
    else:
        level = _cell_level(districts, region="s.region_id", district="s.district_id")
    cells, params = area_select(kind, level, mission.pk, source=source, join_station=not areas)
    sql = f"""
        SELECT r.code, r.name, d.code, d.name, q.*
        FROM ({cells}) q
        JOIN {AREA} r ON r.id = q.cell_region
        LEFT JOIN {AREA} d ON d.id = q.cell_district
    """  # noqa: S608
    return sql, params


def area_columns(kind: Kind) -> list[str]:
    extra = ["stations_total"] if kind is COVERAGE else []
    return ["mission_id", "level", "area_code", "area_name", *kind.keys, *extra, *kind.area_values]


def derived_data_commit() -> None:
    """Commit without waiting for the WAL flush: these rows are derived data.

    A crash may lose the last few such transactions, each whole (the pending marks it
    claimed come back with it), never part of one; reconciliation redoes them.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def mission_lock(mission_id: int) -> None:
    """The mission's lock, alone: no incremental update runs meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_MISSION, mission_id])


def stations_lock(mission_id: int, station_ids: list[int]) -> None:
    """Share the mission's lock (a reconcile takes it alone), then lock each station."""
    # Evaluated left to right, stations in one order everywhere: no deadlock.
    locks = ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(station_ids))
    params = [LOCK_MISSION, mission_id]
    for station_id in sorted(station_ids):
        params += [LOCK_STATION, station_id]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock_shared(%s, %s), {locks}", params)


def changes_claim(*, mission_id: int, station_ids: list[int] | None, through: int = 0) -> None:
    """Take the pending marks this update covers, before any raw row is read.

    An incremental update also marks its stations' visits aggregated here (those above the
    mission's watermark ``through``: a reconcile counted the others). A reconcile (no
    ``station_ids``) takes the pending rows only; it covers unannounced visits by raising the
    watermark (``visits_settled_through``).
    """
    skip_locked = " FOR UPDATE SKIP LOCKED"
    if station_ids is None:
        pending_where, pending_params = "mission_id = %s", [mission_id]
    else:
        pending_where = f"station_id IN ({placeholders(station_ids)})"
        pending_params = list(station_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {PENDING} WHERE id IN "  # noqa: S608
            f"(SELECT id FROM {PENDING} WHERE {pending_where}{skip_locked})",
            pending_params,
        )
        if station_ids is None:
            return
        skip_locked_visit = " FOR NO KEY UPDATE SKIP LOCKED"
        cursor.execute(
            f"UPDATE {VISIT} SET aggregated = %s WHERE id IN "  # noqa: S608
            f"(SELECT id FROM {VISIT} WHERE station_id IN ({placeholders(station_ids)}) "
            f"AND aggregated = %s AND id > %s{skip_locked_visit})",
            [True, *station_ids, False, through],
        )


def watermark(mission_id: int) -> int:
    """The mission's visit watermark (0 before the first reconcile)."""
    state = AggregateState.objects.filter(mission_id=mission_id)
    return state.values_list("visits_aggregated_through", flat=True).first() or 0


def _unaggregated_highest(mission_id: int, through: int) -> int | None:
    """The highest id of the mission's visits above ``through`` not flagged aggregated."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id) FROM {VISIT} "  # noqa: S608
            "WHERE mission_id = %s AND aggregated = %s AND id > %s",
            [mission_id, False, through],
        )
        return cursor.fetchone()[0]


def visits_settled_through(mission_id: int) -> int | None:
    """A new watermark for the mission: an id at or below which every visit has committed.

    Called before the rebuild's transaction, so the rebuild sees every visit up to it. None
    when no visit above the current mark waits, or when the writers in flight did not finish
    within ``WATERMARK_WAIT_SECONDS``.

    Ids come from a sequence, not in commit order: a visit with a lower id than the highest
    committed one may still be in flight. A transaction that inserts a visit holds a lock on
    the visit table from before its id is drawn until it ends; so once every transaction that
    held one when the highest id was read has ended, nothing at or below it can still commit.
    That wait reads ``pg_locks`` (as CREATE INDEX CONCURRENTLY waits for writers) and takes no
    lock, so neither visit writers nor autovacuum ever wait for a reconcile.
    """
    highest = _unaggregated_highest(mission_id, watermark(mission_id))
    if highest is None:
        return highest
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(array_agg(DISTINCT virtualtransaction), '{}') FROM pg_locks "
            "WHERE locktype = 'relation' AND relation = %s::regclass "
            "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()",
            [VISIT],
        )
        writers = cursor.fetchone()[0]
        deadline = time.monotonic() + WATERMARK_WAIT_SECONDS
        while writers:
            if time.monotonic() > deadline:
                logger.warning(
                    "Reconcile of mission %s: %s visit writers still in flight after %.1f s; "
                    "the watermark stays, the next reconcile tries again.",
                    mission_id,
                    len(writers),
                    WATERMARK_WAIT_SECONDS,
                )
                return None
            time.sleep(WATERMARK_POLL_SECONDS)
            # A transaction holds its virtual transaction id's lock until it ends.
            cursor.execute(
                "SELECT COALESCE(array_agg(virtualxid), '{}') FROM pg_locks "
                "WHERE locktype = 'virtualxid' AND virtualxid = ANY(%s)",
                [writers],
            )
            writers = cursor.fetchone()[0]
    return highest


def visits_unaggregated():
    """Visits (of any mission) the aggregates do not count yet: not flagged ``aggregated``, and
    above their mission's watermark. One index range per mission."""
    ranges = Q(pk__in=[])
    for mission_id, through in Mission.objects.values_list(
        "pk", "aggregate_state__visits_aggregated_through"
    ):
        ranges |= Q(mission_id=mission_id, pk__gt=through or 0)
    return Visit.objects.filter(ranges, aggregated=False)


def state_touch(*, mission_id: int, now, **fields) -> None:
    AggregateState.objects.bulk_create(
        [AggregateState(mission_id=mission_id)], ignore_conflicts=True
    )
    AggregateState.objects.filter(mission_id=mission_id).update(
        as_of=Greatest(Coalesce("as_of", Value(now)), Value(now)), **fields
    )
