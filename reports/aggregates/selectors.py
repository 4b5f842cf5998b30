"""Reads of the aggregate tables: plain rows for the API, dashboards, charts and briefings.

Each function costs one query whatever the number of visits; rows are plain dicts with the
keys of API.md (Aggregates), ordered by area code, then time, stage or category.

``NarrowedAggregates`` answers the same rows for the visits of one organisation's observers
or of a time window, which the aggregate tables do not keep: it counts them from the raw
visits with the SQL reconciliation uses, at most one query per kind of aggregate.
"""

import datetime as dt

from django.db import connection

from missions.models import Observer
from observation.models import FindingCategory, Severity, Stage
from reports.aggregates import sql as aggregate_sql
from reports.models import (
    NATIONAL_CODE,
    AggregateLevel,
    AggregateState,
    AssessmentAggregate,
    CoverageAggregate,
    FindingAggregate,
    OfficialTurnout,
    TurnoutAggregate,
)
from reports.statistics import wilson_interval

LEVELS = tuple(AggregateLevel.values)
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}
CATEGORY_ORDER = {category: index for index, category in enumerate(FindingCategory.values)}
SEVERITY_ORDER = {severity: index for index, severity in enumerate(Severity.values)}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def aggregates_as_of(*, mission) -> dt.datetime | None:
    """When the mission's aggregates were last brought up to date (None: never)."""
    as_of = AggregateState.objects.filter(mission=mission).values_list("as_of", flat=True).first()
    return as_of.astimezone(mission.tzinfo) if as_of else None


def turnout_rows(*, mission, level: str = "region", area_code: str | None = None) -> list[dict]:
    """Observed turnout per area and hour: ``bucket_end`` is the end of the clock hour."""
    rows = TurnoutAggregate.objects.filter(mission=mission, level=level, stations_reporting__gt=0)
    if area_code is not None:
        rows = rows.filter(area_code=area_code)
    tz = mission.tzinfo
    local = {}  # a day has a few dozen bucket ends: convert each once, not once per row
    return [
        _turnout_row(row, tz, local)
        for row in rows.order_by("area_code", "bucket_end", "id").values(
            "area_code", "area_name", "bucket_end", "stations_reporting", "voters", "registered"
        )
    ]


def _turnout_row(row, tz, local: dict) -> dict:
    return {
        "area_code": row["area_code"],
        "area_name": row["area_name"],
        "bucket_end": local.get(row["bucket_end"])
        or local.setdefault(row["bucket_end"], row["bucket_end"].astimezone(tz)),
        "stations_reporting": row["stations_reporting"],
        "voters": row["voters"],
        "registered": row["registered"],
        "turnout_pct": _percent(row["voters"], row["registered"]),
    }


def assessment_rows(*, mission, level: str = "region", stage: str | None = None) -> list[dict]:
    """Overall assessments per area and stage, with the share negative and its 95% interval."""
    rows = AssessmentAggregate.objects.filter(mission=mission, level=level)
    if stage is not None:
        rows = rows.filter(stage=stage)
    return _assessment_result(
        rows.values("area_code", "area_name", "stage", "very_good", "good", "bad", "very_bad")
    )


def _assessment_result(rows) -> list[dict]:
    result = []
    for row in rows:
        total = row["very_good"] + row["good"] + row["bad"] + row["very_bad"]
        if not total:
            continue
        negative = row["bad"] + row["very_bad"]
        low, high = wilson_interval(negative, total)
        result.append(
            {
                **row,
                "total": total,
                "negative_pct": _percent(negative, total),
                "ci_low": round(100 * low, 2),
                "ci_high": round(100 * high, 2),
            }
        )
    result.sort(key=lambda r: (r["area_code"], STAGE_ORDER.get(r["stage"], 99)))
    return result


def finding_rows(*, mission, level: str = "region") -> list[dict]:
    """Findings per area, category and severity (dismissed ones and rejected visits left out)."""
    return _finding_result(
        FindingAggregate.objects.filter(mission=mission, level=level, count__gt=0).values(
            "area_code", "area_name", "category", "severity", "count"
        )
    )


def _finding_result(rows) -> list[dict]:
    rows = list(rows)
    rows.sort(
        key=lambda r: (
            r["area_code"],
            CATEGORY_ORDER.get(r["category"], 99),
            SEVERITY_ORDER.get(r["severity"], 99),
        )
    )
    return rows


def coverage_rows(*, mission, level: str = "region") -> list[dict]:
    """Stations per area, how many were visited, and how many visits."""
    return list(
        CoverageAggregate.objects.filter(mission=mission, level=level)
        .order_by("area_code", "id")
        .values("area_code", "area_name", "stations_total", "stations_visited", "visits")
    )


def official_turnout_rows(*, mission, level: str | None = None) -> list[dict]:
    """The turnout the election commission announced, in time order.

    ``level`` None gives every figure; otherwise national figures (``area_code`` "ALL") or
    those entered for regions or for districts.
    """
    rows = OfficialTurnout.objects.filter(mission=mission)
    if level == AggregateLevel.NATIONAL:
        rows = rows.filter(area__isnull=True)
    elif level is not None:
        rows = rows.filter(area__depth=1 if level == AggregateLevel.REGION else 2)
    tz = mission.tzinfo
    result = [
        {
            "id": row["id"],
            "level": _official_level(row["area__depth"]),
            "area_code": row["area__code"] or NATIONAL_CODE,
            "area_name": row["area__name"] or NATIONAL_CODE,
            "at": row["at"].astimezone(tz),
            "turnout_pct": float(row["percent"]),
        }
        for row in rows.values("id", "area__code", "area__name", "area__depth", "at", "percent")
    ]
    # National figures first, then areas by code; each in time order.
    result.sort(key=lambda r: (r["level"] != "national", r["area_code"], r["at"], r["id"]))
    return result


def _official_level(depth: int | None) -> str:
    if depth is None:
        return AggregateLevel.NATIONAL.value
    return AggregateLevel.REGION.value if depth == 1 else AggregateLevel.DISTRICT.value


# --- the same rows, counted from the visits of one organisation or time window -----------------


def visit_narrowing(
    *,
    organisation_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: str = "",
) -> tuple[str, list] | None:
    """SQL about the visit ``v`` (and its parameters) keeping the visits made by observers of
    ``organisation_id``, arriving within [``since``, ``until``] (aware; either end may be
    open) and of ``stage``, as the feed and the review queue filter them; None when nothing
    narrows."""
    parts, params = [], []
    if stage:
        parts.append("v.stage = %s")
        params.append(stage)
    if organisation_id is not None:
        parts.append(
            f"v.observer_id IN (SELECT o.id FROM {Observer._meta.db_table} o "  # noqa: S608
            "WHERE o.organisation_id = %s)"
        )
        params.append(organisation_id)
    if since is not None:
        parts.append("v.arrived_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(since))
    if until is not None:
        parts.append("v.arrived_at <= %s")
        params.append(connection.ops.adapt_datetimefield_value(until))
    return (" AND ".join(parts), params) if parts else None


class StoredAggregates:
    """The aggregate tables: what the dashboard reads when no filter narrows the visits."""

    def __init__(self, *, mission):
        self.mission = mission

    def coverage_rows(self, *, level: str) -> list[dict]:
        return coverage_rows(mission=self.mission, level=level)

    def finding_rows(self, *, level: str) -> list[dict]:
        return finding_rows(mission=self.mission, level=level)

    def assessment_rows(self, *, level: str, stage: str | None = None) -> list[dict]:
        return assessment_rows(mission=self.mission, level=level, stage=stage)

    def turnout_rows(self, *, level: str, area_code: str | None = None) -> list[dict]:
        return turnout_rows(mission=self.mission, level=level, area_code=area_code)


class NarrowedAggregates:
    """The rows of ``coverage_rows``, ``finding_rows``, ``assessment_rows`` and
    ``turnout_rows`` (same keys, same order) counted from the visits that meet ``narrow``
    (``visit_narrowing``) among those the aggregates count.

    Each kind is one query, run on first use, that computes the station rows the way
    reconciliation does and sums them per region and district (a few hundred cells); every
    level is summed from those cells here. So a page costs at most four such queries whatever
    it asks, and a ``narrow`` that keeps every visit gives exactly the stored rows. The cost
    grows with the visits kept (the covering indexes visit_mission_arrived and
    visit_observer_arrived serve them), not with the others.

    Turnout is kept per clock hour, and a time window picks whole hours of it (the dashboard
    keeps the hours that overlap the window): its rows are narrowed by ``turnout_narrow``
    alone (the organisation), and are the stored ones when that is None.

    ``districts`` False: only the national and region levels are asked for, and the cells
    are whole regions (a tenth of the rows to read and sum); a region's id: only that
    region's districts are asked for.

    ``remainder``: for a narrowing that keeps most visits, coverage, assessments and findings
    (which add up over visits) are the stored station rows less those of the visits it leaves
    out, so the cost grows with the visits left out instead (the same figures once the
    aggregates are up to date).
    """

    def __init__(
        self,
        *,
        mission,
        narrow: tuple[str, list],
        turnout_narrow: tuple[str, list] | None,
        districts: bool | int = True,
        remainder: bool = False,
    ):
        self.mission = mission
        self.narrow = narrow
        self.turnout_narrow = turnout_narrow
        self.districts = districts
        self.remainder = remainder
        self._levels: dict[str, dict] = {}

    def coverage_rows(self, *, level: str) -> list[dict]:
        sums = self._sums(aggregate_sql.COVERAGE, level)
        return [
            {
                "area_code": code,
                "area_name": name,
                "stations_total": total,
                "stations_visited": visited,
                "visits": visits,
            }
            for (code,), (name, (total, visited, visits)) in sorted(sums.items())
        ]

    def finding_rows(self, *, level: str) -> list[dict]:
        sums = self._sums(aggregate_sql.FINDINGS, level)
        return _finding_result(
            {
                "area_code": code,
                "area_name": name,
                "category": category,
                "severity": severity,
                "count": count,
            }
            for (code, category, severity), (name, (count,)) in sums.items()
            if count
        )

    def assessment_rows(self, *, level: str, stage: str | None = None) -> list[dict]:
        sums = self._sums(aggregate_sql.ASSESSMENTS, level)
        return _assessment_result(
            {
                "area_code": code,
                "area_name": name,
                "stage": row_stage,
                **dict(zip(aggregate_sql.ASSESSMENTS.area_values, values)),
            }
            for (code, row_stage), (name, values) in sums.items()
            if stage is None or row_stage == stage
        )

    def turnout_rows(self, *, level: str, area_code: str | None = None) -> list[dict]:
        if self.turnout_narrow is None:
            return turnout_rows(mission=self.mission, level=level, area_code=area_code)
        sums = self._sums(aggregate_sql.TURNOUT, level)
        tz = self.mission.tzinfo
        local = {}
        rows = [
            {
                "area_code": code,
                "area_name": name,
                "bucket_end": bucket_end,
                "stations_reporting": reporting,
                "voters": voters,
                "registered": registered,
            }
            for (code, bucket_end), (name, (reporting, voters, registered)) in sums.items()
            if area_code is None or code == area_code
        ]
        rows.sort(key=lambda r: (r["area_code"], r["bucket_end"]))
        return [_turnout_row(row, tz, local) for row in rows]

    def visited_station_ids(self) -> set[int]:
        """The stations with a counted visit that meets the narrowing (for the map)."""
        sql, params = aggregate_sql.station_rows_select(
            aggregate_sql.COVERAGE, self.mission, narrow=self.narrow, remainder=self.remainder
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT q.station_id FROM ({sql}) q WHERE q.visits > 0", params)  # noqa: S608
            return {station_id for (station_id,) in cursor.fetchall()}

    def _sums(self, kind, level: str) -> dict[tuple, list]:
        """(area code, *keys) -> [area name, [values]] at ``level``, summed over the cells.

        The first call for a kind reads its cells and sums every level in one pass."""
        if level == AggregateLevel.DISTRICT and not self.districts:
            raise ValueError("These narrowed rows were read without districts.")
        if kind.name not in self._levels:
            turnout = kind is aggregate_sql.TURNOUT
            sql, params = aggregate_sql.area_cells_select(
                kind,
                self.mission,
                narrow=self.turnout_narrow if turnout else self.narrow,
                districts=self.districts,
                remainder=self.remainder and not turnout,
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cells = cursor.fetchall()
            self._levels[kind.name] = _cell_sums(kind, cells)
        return self._levels[kind.name][level]


def _cell_sums(kind, cells) -> dict[str, dict[tuple, list]]:
    """The cells of ``area_cells_select`` summed per level: level -> (area code, *keys) ->
    [area name, [values]]."""
    width = len(kind.keys)
    levels = {level: {} for level in LEVELS}
    national, regions, districts = (levels[level] for level in LEVELS)
    for row in cells:
        # region code, region name, district code, district name, their ids, keys, values
        keys = row[6 : 6 + width]
        values = [int(value or 0) for value in row[6 + width :]]
        for sums, code, name in (
            (national, NATIONAL_CODE, NATIONAL_CODE),
            (regions, row[0], row[1]),
            (districts, row[2], row[3]),
        ):
            if code is None:  # a station without a district counts in no district
                continue
            cell = sums.get((code, *keys))
            if cell is None:
                sums[(code, *keys)] = [name, values]
            else:
                cell[1] = [a + b for a, b in zip(cell[1], values)]
    return levels
