"""Reads of the aggregate tables: plain rows for the API, dashboards, charts and briefings.

Each function costs one query whatever the number of visits; rows are plain dicts with the
keys of API.md (Aggregates), ordered by area code, then time, stage or category.
"""

import datetime as dt

from observation.models import FindingCategory, Severity, Stage

from .models import (
    NATIONAL_CODE,
    AggregateLevel,
    AggregateState,
    AssessmentAggregate,
    CoverageAggregate,
    FindingAggregate,
    OfficialTurnout,
    TurnoutAggregate,
)
from .statistics import wilson_interval

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
        {
            "area_code": row["area_code"],
            "area_name": row["area_name"],
            "bucket_end": local.get(row["bucket_end"])
            or local.setdefault(row["bucket_end"], row["bucket_end"].astimezone(tz)),
            "stations_reporting": row["stations_reporting"],
            "voters": row["voters"],
            "registered": row["registered"],
            "turnout_pct": _percent(row["voters"], row["registered"]),
        }
        for row in rows.order_by("area_code", "bucket_end", "id").values(
            "area_code", "area_name", "bucket_end", "stations_reporting", "voters", "registered"
        )
    ]


def assessment_rows(*, mission, level: str = "region", stage: str | None = None) -> list[dict]:
    """Overall assessments per area and stage, with the share negative and its 95% interval."""
    rows = AssessmentAggregate.objects.filter(mission=mission, level=level)
    if stage is not None:
        rows = rows.filter(stage=stage)
    result = []
    for row in rows.values(
        "area_code", "area_name", "stage", "very_good", "good", "bad", "very_bad"
    ):
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
    rows = [
        row
        for row in FindingAggregate.objects.filter(
            mission=mission, level=level, count__gt=0
        ).values("area_code", "area_name", "category", "severity", "count")
    ]
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
