"""The aggregates recomputed from scratch, in plain Python from the raw rows.

An oracle independent of the SQL in ``reports.aggregation``: the tests compare what the API
and the selectors answer with this.
"""

import datetime as dt
from collections import defaultdict

from missions.models import PollingStation
from observation.models import Finding, Stage, Visit
from reports.statistics import wilson_interval

LEVELS = ("national", "region", "district")


def bucket_end(arrived_at, tz):
    local = arrived_at.astimezone(tz)
    floor = local.replace(minute=0, second=0, microsecond=0)
    return floor if local == floor else floor + dt.timedelta(hours=1)


def _areas(station, level):
    if level == "national":
        return ("ALL", "ALL")
    area = station.region if level == "region" else station.district
    return None if area is None else (area.code, area.name)


def expected(mission, level):
    """{"turnout": rows, "assessments": rows, "findings": rows, "coverage": rows}."""
    tz = mission.tzinfo
    stations = {
        s.pk: s
        for s in PollingStation.objects.filter(mission=mission).select_related("region", "district")
    }
    visits = list(Visit.objects.filter(mission=mission).exclude(status="REJECTED"))

    latest = {}
    for visit in visits:
        if visit.voters_so_far is None:
            continue
        key = (visit.station_id, bucket_end(visit.arrived_at, tz))
        if key not in latest or (visit.arrived_at, visit.pk) > (
            latest[key].arrived_at,
            latest[key].pk,
        ):
            latest[key] = visit
    turnout = defaultdict(lambda: [0, 0, 0])
    for (station_id, end), visit in latest.items():
        area = _areas(stations[station_id], level)
        if area:
            cell = turnout[(*area, end)]
            cell[0] += 1
            cell[1] += visit.voters_so_far
            cell[2] += stations[station_id].registered_voters
    turnout_rows = [
        {
            "area_code": code,
            "area_name": name,
            "bucket_end": end,
            "stations_reporting": n,
            "voters": voters,
            "registered": registered,
            "turnout_pct": round(100 * voters / registered, 2),
        }
        for (code, name, end), (n, voters, registered) in sorted(turnout.items())
    ]

    ratings = defaultdict(lambda: {"VERY_GOOD": 0, "GOOD": 0, "BAD": 0, "VERY_BAD": 0})
    for visit in visits:
        area = _areas(stations[visit.station_id], level)
        if visit.assessment and area:
            ratings[(*area, visit.stage)][visit.assessment] += 1
    stage_order = list(Stage.values)
    assessment_rows = []
    for (code, name, stage), counts in sorted(
        ratings.items(), key=lambda item: (item[0][0], stage_order.index(item[0][2]))
    ):
        total = sum(counts.values())
        negative = counts["BAD"] + counts["VERY_BAD"]
        low, high = wilson_interval(negative, total)
        assessment_rows.append(
            {
                "area_code": code,
                "area_name": name,
                "stage": stage,
                "very_good": counts["VERY_GOOD"],
                "good": counts["GOOD"],
                "bad": counts["BAD"],
                "very_bad": counts["VERY_BAD"],
                "total": total,
                "negative_pct": round(100 * negative / total, 2),
                "ci_low": round(100 * low, 2),
                "ci_high": round(100 * high, 2),
            }
        )

    findings = defaultdict(int)
    for finding in (
        Finding.objects.filter(visit__mission=mission)
        .exclude(visit__status="REJECTED")
        .exclude(review_status="DISMISSED")
        .select_related("visit")
    ):
        area = _areas(stations[finding.visit.station_id], level)
        if area:
            findings[(*area, finding.category, finding.severity)] += 1
    from observation.models import FindingCategory, Severity

    categories, severities = list(FindingCategory.values), list(Severity.values)
    finding_rows = [
        {"area_code": c, "area_name": n, "category": cat, "severity": sev, "count": count}
        for (c, n, cat, sev), count in sorted(
            findings.items(),
            key=lambda i: (i[0][0], categories.index(i[0][2]), severities.index(i[0][3])),
        )
    ]

    coverage = defaultdict(lambda: [0, set(), 0])
    for station in stations.values():
        area = _areas(station, level)
        if area:
            coverage[area][0] += 1
    for visit in visits:
        area = _areas(stations[visit.station_id], level)
        if area:
            coverage[area][1].add(visit.station_id)
            coverage[area][2] += 1
    coverage_rows = [
        {
            "area_code": code,
            "area_name": name,
            "stations_total": total,
            "stations_visited": len(visited),
            "visits": n,
        }
        for (code, name), (total, visited, n) in sorted(coverage.items())
    ]
    return {
        "turnout": turnout_rows,
        "assessments": assessment_rows,
        "findings": finding_rows,
        "coverage": coverage_rows,
    }


def actual(mission, level):
    """The same four lists as the selectors answer them."""
    from reports.aggregates import selectors

    return {
        "turnout": selectors.turnout_rows(mission=mission, level=level),
        "assessments": selectors.assessment_rows(mission=mission, level=level),
        "findings": selectors.finding_rows(mission=mission, level=level),
        "coverage": selectors.coverage_rows(mission=mission, level=level),
    }


def assert_matches_recompute(mission):
    for level in LEVELS:
        got, want = actual(mission, level), expected(mission, level)
        for kind in want:
            assert got[kind] == want[kind], f"{kind} at {level} level differs from a recompute"
