"""Reads behind the statistics pages: the turnout estimate, the quick
count and the forensic views.

Every function costs a fixed number of queries, whatever the number of questions, stations or
visits (set-based SQL: conditional aggregates, window functions). Every interval comes from
``reports.statistics``. The SQL is the ORM's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from missions.models import Sample, SampleStation
from observation.models import (
    Stage,
    Visit,
    VisitStatus,
)
from reports.aggregates.selectors import official_turnout_rows
from reports.models import PVT_BALLOTS, PVT_INVALID, Candidate, StationTurnout
from reports.statistics import ratio_estimate, share_interval

# Every status but REJECTED counts; a rejected report never does, whatever the filter says.
COUNTED_STATUSES = (VisitStatus.SUBMITTED, VisitStatus.FLAGGED, VisitStatus.VERIFIED)
CONFIDENCES = (0.95, 0.99)
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}


# --- the sample ---------------------------------------------------------------------------------


def sample_in_use(*, mission) -> Sample | None:
    """The sample of stations the mission's estimates use (``Sample.in_use``), or None."""
    return Sample.objects.filter(mission=mission, in_use=True).select_related("created_by").first()


def sample_stations_reporting(*, sample) -> int:
    """How many of the sample's stations have sent a count the estimates read: ballots issued
    so far (turnout) or a counting form (the quick count), in a report that is not rejected.
    More than none locks the sample in its place (``missions.sampling``)."""
    return (
        Visit.objects.filter(
            station_id__in=SampleStation.objects.filter(sample=sample).values("station_id"),
            status__in=COUNTED_STATUSES,
        )
        .filter(Q(voters_so_far__isnull=False) | Q(stage=Stage.COUNTING))
        .values("station_id")
        .distinct()
        .count()
    )


def sample_reporting_answer(sender, *, sample, **kwargs) -> int:
    """The ``missions.signals.sample_reporting`` receiver (connected in ``ReportsConfig``)."""
    return sample_stations_reporting(sample=sample)


@dataclass
class SampleFrame:
    """The sampled stations: each one's stratum, its stratum's size, and its region."""

    sample: Sample | None
    stations: dict[int, dict] = field(default_factory=dict)

    @property
    def stratum_sizes(self) -> dict[str, int]:
        return {s["stratum"]: s["stratum_population"] for s in self.stations.values()}

    def nested_in_regions(self) -> bool:
        """True when every stratum lies within one region (so a region's estimate is stratified)."""
        regions: dict[str, set] = defaultdict(set)
        for station in self.stations.values():
            regions[station["stratum"]].add(station["region_code"])
        return all(len(codes) == 1 for codes in regions.values())


def sample_frame(*, mission) -> SampleFrame:
    sample = sample_in_use(mission=mission)
    if sample is None:
        return SampleFrame(sample=None)
    rows = (
        SampleStation.objects.filter(sample=sample)
        .order_by("id")
        .values(
            "station_id",
            "stratum",
            "stratum_population",
            "station__code",
            "station__registered_voters",
            region_code=F("station__region__code"),
            region_name=F("station__region__name"),
        )
    )
    return SampleFrame(sample=sample, stations={row["station_id"]: row for row in rows})


def _estimate(y, x, *, strata=None, sizes=None) -> dict | None:
    """The ratio in percent, its 95% and 99% margins (in points); None when x sums to 0."""
    if not y or sum(x) == 0:
        return None
    result = {}
    for confidence in CONFIDENCES:
        estimate, margin = ratio_estimate(
            y, x, strata=strata, stratum_sizes=sizes, confidence=confidence
        )
        key = f"{round(confidence * 100)}"
        result["estimate_pct"] = 100 * estimate
        result[f"margin{key}"] = 100 * margin
        result[f"low{key}"] = 100 * (estimate - margin)
        result[f"high{key}"] = 100 * (estimate + margin)
    return result


def _single_strata(strata, sizes) -> int:
    """Strata with a single report out of more stations: their variance cannot be estimated."""
    counts: dict = defaultdict(int)
    for label in strata:
        counts[label] += 1
    return sum(1 for label, n in counts.items() if n == 1 and sizes[label] > 1)


# --- the turnout estimate ------------------------------------------------------------------------


def _bucket_of(moment: dt.datetime, tz) -> dt.datetime:
    """The end of the clock hour holding ``moment``: (09:00, 10:00] -> 10:00."""
    local = moment.astimezone(tz)
    floor = local.replace(minute=0, second=0, microsecond=0)
    return floor if local == floor else floor + dt.timedelta(hours=1)


def turnout_estimate(*, mission) -> dict:
    """Turnout at each hour, national and per region, estimated from the sample in use.

    For each clock hour, every sampled station with a (not rejected) count of ballots issued in
    that hour contributes its latest one (the turnout aggregate's station rows). The estimate is
    the combined ratio estimator over the sample's strata (``ratio_estimate``) with margins at
    95% and 99%. A region's estimate is stratified when the strata lie within regions (as the
    sample draw makes them), and otherwise the simple ratio over the region's stations. Each
    official figure (``OfficialTurnout``) is set beside the estimate of its hour; one outside the
    95% interval is called out, unless the hour is ``partial``: fewer than half the area's
    sampled stations reported in it (an hour the sample was not asked to report, whose few
    reports come from other visits). ``single_strata`` counts strata with one report (of more
    stations): they add no variance, so the margin is understated.
    """
    tz = mission.tzinfo
    frame = sample_frame(mission=mission)
    official = official_turnout_rows(mission=mission)
    result = {
        "sample": frame.sample,
        "sample_size": len(frame.stations),
        "strata": len(set(frame.stratum_sizes)),
        "sample_reporting": 0,
        "rows": [],
        "official": official,
        "outside": [],
    }
    if frame.sample is None:
        return result
    result["sample_reporting"] = sample_stations_reporting(sample=frame.sample)
    station_rows = (
        StationTurnout.objects.filter(
            mission=mission,
            station_id__in=SampleStation.objects.filter(sample=frame.sample).values("station_id"),
        )
        .order_by("bucket_end", "station_id")
        .values("station_id", "bucket_end", "voters", "registered")
    )
    sizes = frame.stratum_sizes
    nested = frame.nested_in_regions()
    sampled = defaultdict(int)
    for station in frame.stations.values():
        sampled[("national", "ALL")] += 1
        sampled[("region", station["region_code"])] += 1
    groups: dict[tuple, list] = defaultdict(list)
    names = {"ALL": _("National")}
    for row in station_rows:
        station = frame.stations[row["station_id"]]
        bucket = row["bucket_end"].astimezone(tz)
        item = (row["voters"], row["registered"], station["stratum"])
        groups[("national", "ALL", bucket)].append(item)
        groups[("region", station["region_code"], bucket)].append(item)
        names[station["region_code"]] = station["region_name"]
    official_by_key = {}
    for figure in official:
        key = (figure["level"], figure["area_code"], _bucket_of(figure["at"], tz))
        official_by_key[key] = figure

    rows = []
    for (level, code, bucket), items in groups.items():
        y = [i[0] for i in items]
        x = [i[1] for i in items]
        strata = [i[2] for i in items]
        stratified = level == "national" or nested
        estimate = _estimate(
            y,
            x,
            strata=strata if stratified else None,
            sizes={s: sizes[s] for s in set(strata)} if stratified else None,
        )
        if estimate is None:
            continue
        figure = official_by_key.get((level, code, bucket))
        partial = 2 * len(items) < sampled[(level, code)]
        row = {
            "level": level,
            "area_code": code,
            "area_name": names[code],
            "bucket_end": bucket,
            "stations_reporting": len(items),
            "strata_reporting": len(set(strata)),
            "sample_stations": sampled[(level, code)],
            "partial": partial,
            "single_strata": _single_strata(strata, sizes) if stratified else 0,
            "stratified": stratified,
            "voters": sum(y),
            "registered": sum(x),
            **estimate,
            "official_pct": figure["turnout_pct"] if figure else None,
            "official_at": figure["at"] if figure else None,
            "official_outside95": bool(
                figure
                and not partial
                and not estimate["low95"] <= figure["turnout_pct"] <= estimate["high95"]
            ),
        }
        rows.append(row)
    rows.sort(key=lambda r: (r["level"] != "national", r["area_code"], r["bucket_end"]))
    result["rows"] = rows
    result["outside"] = [r for r in rows if r["official_outside95"]]
    return result


# --- the quick count -----------------------------------------------------------------------------


def count_check(*, answers: dict, candidate_codes: list[str]) -> dict:
    """One count's figures and its reconciliation: candidate votes + invalid = ballots in box.

    ``complete`` is False when a candidate's votes are missing; ``reconciles`` is None when the
    invalid ballots or the ballots in the box are missing, else whether the sum holds.
    """
    votes = {}
    for code in candidate_codes:
        value = answers.get("PVT_" + code)
        votes[code] = value if isinstance(value, int) and not isinstance(value, bool) else None
    invalid = answers.get(PVT_INVALID)
    ballots = answers.get(PVT_BALLOTS)
    invalid = invalid if isinstance(invalid, int) and not isinstance(invalid, bool) else None
    ballots = ballots if isinstance(ballots, int) and not isinstance(ballots, bool) else None
    complete = bool(candidate_codes) and all(v is not None for v in votes.values())
    valid = sum(votes.values()) if complete else None
    if complete and invalid is not None and ballots is not None:
        difference = valid + invalid - ballots
        reconciles = difference == 0
    else:
        difference = None
        reconciles = None
    return {
        "votes": votes,
        "valid": valid,
        "invalid": invalid,
        "ballots": ballots,
        "complete": complete,
        "difference": difference,
        "reconciles": reconciles,
    }


def _latest_per_station(queryset):
    """The latest visit per station (by arrival, then id) of ``queryset``: a window function."""
    return queryset.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("station_id")],
            order_by=[F("arrived_at").desc(), F("id").desc()],
        )
    ).filter(rank=1)


CONVERGENCE_POINTS = 60


def quick_count(*, mission, reconciled_only: bool = False) -> dict:
    """The quick count: each candidate's share of valid votes over the sample in use.

    Each sampled station's latest counting visit that is not rejected counts, if it has every
    candidate's votes. Estimates are the combined ratio estimator (votes for the candidate over
    valid votes, stratified by the sample's strata) with 95% and 99% margins; ``convergence``
    gives them after each report as reports arrived (``created_at``, the server's receipt).
    ``reconciliation`` checks every counting visit of the mission (not only the sample's).
    With ``reconciled_only`` counts that do not reconcile are left out of the estimates.
    """
    candidates = list(
        Candidate.objects.filter(mission=mission)
        .order_by("position", "code", "id")
        .values("code", "name", "position")
    )
    codes = [c["code"] for c in candidates]
    frame = sample_frame(mission=mission)
    result = {
        "candidates": candidates,
        "sample": frame.sample,
        "sample_size": len(frame.stations),
        "strata": len(set(frame.stratum_sizes)),
        "sample_reporting": 0,
        "reconciled_only": reconciled_only,
        "stations_reporting": 0,
        "incomplete": 0,
        "not_reconciled_in_sample": 0,
        "single_strata": 0,
        "estimates": [],
        "invalid": None,
        "turnout": None,
        "convergence": [],
        "reconciliation": {"checked": 0, "reconciles": 0, "flagged": [], "incomplete": 0},
    }
    if not candidates:
        return result

    counting = Visit.objects.filter(mission=mission, stage=Stage.COUNTING).exclude(
        status=VisitStatus.REJECTED
    )
    # Reconciliation of every count of the mission (one query).
    checks = result["reconciliation"]
    for visit in counting.order_by("station__code", "arrived_at", "id").values(
        "id", "arrived_at", "status", "answers", "station__code", "station__name", "team__code"
    ):
        check = count_check(answers=visit["answers"] or {}, candidate_codes=codes)
        if not check["complete"] and check["ballots"] is None:
            continue  # no quick count figures on this form at all
        checks["checked"] += 1
        if check["reconciles"]:
            checks["reconciles"] += 1
        elif check["reconciles"] is None:
            checks["incomplete"] += 1
            checks["flagged"].append({**visit, **check, "problem": "incomplete"})
        else:
            checks["flagged"].append({**visit, **check, "problem": "sum"})

    if frame.sample is None:
        return result
    result["sample_reporting"] = sample_stations_reporting(sample=frame.sample)
    latest = _latest_per_station(
        counting.filter(
            station_id__in=SampleStation.objects.filter(sample=frame.sample).values("station_id")
        )
    ).values("id", "station_id", "answers", "created_at")
    reports = []
    for visit in latest:
        check = count_check(answers=visit["answers"] or {}, candidate_codes=codes)
        if not check["complete"]:
            result["incomplete"] += 1
            continue
        if check["reconciles"] is False:
            result["not_reconciled_in_sample"] += 1
            if reconciled_only:
                continue
        station = frame.stations[visit["station_id"]]
        reports.append(
            {
                "station_id": visit["station_id"],
                "received_at": visit["created_at"],
                "stratum": station["stratum"],
                "registered": station["station__registered_voters"],
                **check,
            }
        )
    reports.sort(key=lambda r: (r["received_at"], r["station_id"]))
    result["stations_reporting"] = len(reports)
    if not reports:
        return result
    sizes = frame.stratum_sizes

    def estimates(subset):
        strata = [r["stratum"] for r in subset]
        used = {s: sizes[s] for s in set(strata)}
        valid = [r["valid"] for r in subset]
        rows = []
        for candidate in candidates:
            votes = [r["votes"][candidate["code"]] for r in subset]
            estimate = _estimate(votes, valid, strata=strata, sizes=used)
            rows.append({**candidate, "votes": sum(votes), **(estimate or {})})
        return rows

    result["estimates"] = estimates(reports)
    result["single_strata"] = _single_strata([r["stratum"] for r in reports], sizes)
    with_box = [r for r in reports if r["ballots"] is not None and r["invalid"] is not None]
    if with_box:
        strata = [r["stratum"] for r in with_box]
        used = {s: sizes[s] for s in set(strata)}
        result["invalid"] = _estimate(
            [r["invalid"] for r in with_box],
            [r["ballots"] for r in with_box],
            strata=strata,
            sizes=used,
        )
        result["turnout"] = _estimate(
            [r["ballots"] for r in with_box],
            [r["registered"] for r in with_box],
            strata=strata,
            sizes=used,
        )
    step = max(1, math.ceil(len(reports) / CONVERGENCE_POINTS))
    marks = list(range(step, len(reports) + 1, step))
    if marks[-1] != len(reports):
        marks.append(len(reports))
    for mark in marks:
        subset = reports[:mark]
        for row in estimates(subset):
            if "estimate_pct" in row:
                result["convergence"].append(
                    {
                        "received_at": subset[-1]["received_at"].astimezone(mission.tzinfo),
                        "stations": mark,
                        "code": row["code"],
                        "name": row["name"],
                        "estimate_pct": row["estimate_pct"],
                        "low95": row["low95"],
                        "high95": row["high95"],
                    }
                )
    return result


# --- forensic views ------------------------------------------------------------------------------


def whole_percentage(*, voters: int, registered: int) -> bool:
    """True when 100 * voters / registered is a whole number (e.g. 600 of 1000: 60%)."""
    return registered > 0 and (100 * voters) % registered == 0


def whole_percentage_chance(*, registered: int) -> float:
    """The chance that a count of voters at a station of this size gives a whole percentage.

    100 v / R is whole exactly when v is a multiple of R / gcd(100, R), so among counts spread
    evenly over a stretch of R values, gcd(100, R) / R of them are whole percentages.
    """
    return math.gcd(100, registered) / registered if registered > 0 else 0.0


# The forms whose ballots issued are a station's final figure: at the close, and at the count.
FINAL_STAGES = (Stage.CLOSING, Stage.COUNTING)


def forensics(*, mission) -> dict:
    """Turnout of the observed stations, the turnout x winner's share histogram and the whole-
    percentage test. Two queries.

    Turnout: each station's final count of ballots issued, over its registered voters: the
    latest (not rejected) closing or counting form that gives one (``FINAL_STAGES``). A
    mid-day figure is not a turnout: mixed in, the stations visited at 10:00 made a second hump
    at a quarter of the final one (issue 20). The whole-percentage test reads the same
    figures. Fingerprint (Klimek, Yegorov, Hanel and Thurner, PNAS 2012): each station's latest
    counting visit with every candidate's votes; turnout is ballots in the box (or votes plus
    invalid when the box figure is missing) over registered voters, the winner the candidate with
    the most votes over all these stations, their share that of the station's valid votes.
    """
    reported = _latest_per_station(
        Visit.objects.filter(
            mission=mission, stage__in=FINAL_STAGES, voters_so_far__isnull=False
        ).exclude(status=VisitStatus.REJECTED)
    ).values("station_id", "voters_so_far", "stage", "station__registered_voters")
    turnout = []
    whole = chance = 0.0
    counted = 0
    for row in reported:
        registered = row["station__registered_voters"]
        voters = row["voters_so_far"]
        if not registered:
            continue
        turnout.append({"turnout_pct": 100 * voters / registered, "stage": row["stage"]})
        if voters > 0:
            counted += 1
            whole += whole_percentage(voters=voters, registered=registered)
            chance += whole_percentage_chance(registered=registered)
    share = share_interval(int(whole), counted)
    expected_pct = 100 * chance / counted if counted else None
    result = {
        "turnout": turnout,
        "whole": {
            "share": share,
            "expected_pct": expected_pct,
            "excess": bool(counted and expected_pct < share.low),
        },
        "fingerprint": [],
        "winner": None,
    }

    codes = list(
        Candidate.objects.filter(mission=mission)
        .order_by("position", "code", "id")
        .values_list("code", "name")
    )
    if not codes:
        return result
    counts = _latest_per_station(
        Visit.objects.filter(mission=mission, stage=Stage.COUNTING).exclude(
            status=VisitStatus.REJECTED
        )
    ).values("station_id", "answers", "station__registered_voters")
    stations, totals = [], defaultdict(int)
    for row in counts:
        check = count_check(answers=row["answers"] or {}, candidate_codes=[c for c, _n in codes])
        registered = row["station__registered_voters"]
        if not check["complete"] or not registered or not check["valid"]:
            continue
        for code, votes in check["votes"].items():
            totals[code] += votes
        ballots = check["ballots"]
        if ballots is None:
            ballots = check["valid"] + (check["invalid"] or 0)
        stations.append((ballots / registered, check))
    if not stations:
        return result
    winner = max(codes, key=lambda c: (totals[c[0]], c[0]))
    result["winner"] = {"code": winner[0], "name": winner[1], "votes": totals[winner[0]]}
    result["fingerprint"] = [
        {
            "turnout_pct": 100 * rate,
            "winner_pct": 100 * check["votes"][winner[0]] / check["valid"],
        }
        for rate, check in stations
    ]
    return result
