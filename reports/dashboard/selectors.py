"""Reads for the coordinator dashboard and its drill-down pages (selectors: they only read).

Unfiltered, the dashboard reads the aggregate rows of ``reports.aggregates.selectors``, not the
visits, apart from small bounded lists (the latest findings of the feed, the visits of one
station) and counts served by an index (flagged visits, teams with a visit).
Every function costs a fixed number of queries whatever the number of areas or visits.

Filters: ``region`` narrows every panel (a region shows its districts); ``stage`` every panel
but turnout (ballots issued so far are counted whatever the form), through the narrowed source
below like the organisation. The aggregate tables keep no organisation, stage or hour (apart
from turnout's hours), so when the organisation, the stage or the time window is chosen the
coverage, assessment, finding and turnout rows and the map's visited stations are counted
from the visits instead (``selectors.NarrowedAggregates``: the station rows computed with
reconciliation's own SQL, four grouped queries), keeping only the visits of that stage and of
that organisation's observers that arrived within the window.
Turnout is per clock hour: the window keeps the whole hours that overlap it (as without an
organisation, from the aggregates), the organisation its visits. A filter that keeps most
visits subtracts those it leaves out from the aggregates instead (coverage, assessments and
findings add up over visits): the cost follows the smaller side. The key figures about
people, the flagged count, the feed and the review queue filter the visits.
Both sources give the same rows for the same visits (tests/reports/dashboard/test_filters.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, Q
from django.urls import reverse

from missions.models import Area, AreaLevel, Deployment, Observer, Organisation, PollingStation
from observation.models import (
    Finding,
    FindingCategory,
    ReviewStatus,
    Severity,
    Stage,
    Visit,
    VisitStatus,
)
from reports.aggregates import selectors
from reports.charts import turnout_buckets

FEED_SEVERITIES = (Severity.CRITICAL, Severity.SERIOUS)
FEED_LIMIT = 25


@dataclass(frozen=True)
class DashboardFilters:
    stage: str = ""
    region_id: int | None = None
    organisation_id: int | None = None
    since: dt.datetime | None = None  # aware; None: from the start of the day
    until: dt.datetime | None = None  # aware; None: to the end of the day
    hour: str = ""  # "HH:00": the bucket of the turnout-by-area panel; "" the latest

    @property
    def narrows_time(self) -> bool:
        return self.since is not None or self.until is not None

    def visit_narrowing(self) -> tuple[str, list] | None:
        """SQL keeping the visits of the organisation and the window; None: every visit."""
        return selectors.visit_narrowing(
            organisation_id=self.organisation_id,
            since=self.since,
            until=self.until,
            stage=self.stage,
        )


@dataclass
class AreaIndex:
    """The mission's regions and districts, read once per page (a few hundred rows at most)."""

    areas: dict[int, dict] = field(default_factory=dict)

    @property
    def regions(self) -> list[dict]:
        return sorted(
            (a for a in self.areas.values() if a["depth"] == 1),
            key=lambda a: (a["name"].casefold(), a["id"]),
        )

    def by_code(self, depth: int) -> dict[str, dict]:
        return {a["code"]: a for a in self.areas.values() if a["depth"] == depth}

    def children(self, area_id: int) -> list[dict]:
        return sorted(
            (a for a in self.areas.values() if a["parent_id"] == area_id),
            key=lambda a: (a["name"].casefold(), a["id"]),
        )


def mission_areas(*, mission) -> AreaIndex:
    rows = (
        Area.objects.filter(mission=mission, depth__lte=2)
        .order_by("depth", "name", "id")
        .values("id", "code", "name", "parent_id", "depth", "level")
    )
    return AreaIndex({row["id"]: row for row in rows})


def mission_organisations(*, mission) -> list[dict]:
    return list(
        Organisation.objects.filter(mission=mission).order_by("name", "id").values("id", "name")
    )


def _in_window(moment: dt.datetime, filters: DashboardFilters) -> bool:
    """Whether the clock hour that ends at ``moment`` overlaps the filter's time window."""
    if filters.since is not None and moment <= filters.since:
        return False
    return not (filters.until is not None and moment - dt.timedelta(hours=1) >= filters.until)


def _at_in_window(moment: dt.datetime, filters: DashboardFilters) -> bool:
    if filters.since is not None and moment < filters.since:
        return False
    return not (filters.until is not None and moment > filters.until)


def visits_in_window(visits, filters: DashboardFilters, prefix: str = ""):
    if filters.since is not None:
        visits = visits.filter(**{f"{prefix}arrived_at__gte": filters.since})
    if filters.until is not None:
        visits = visits.filter(**{f"{prefix}arrived_at__lte": filters.until})
    return visits


def dashboard_key_figures(*, mission, filters: DashboardFilters, coverage, findings) -> dict:
    """Observers, states, organisations, teams, coverage, findings, the review backlog.

    ``coverage`` and ``findings`` are the aggregate rows (national, or of the chosen region)
    the page already read.
    Observers deployed are those in a team deployed on election day; teams in the field
    are those teams. Until a mission records any deployment for the day, every observer in a
    team counts (so the figures are not zero on a mission that does not use deployments).
    """
    deployed = Deployment.objects.filter(mission=mission, day=mission.election_date)
    observers = Observer.objects.filter(mission=mission, team__isnull=False).filter(
        Q(team_id__in=deployed.values("team_id")) | ~Exists(deployed)
    )
    flagged = Visit.objects.filter(mission=mission, status=VisitStatus.FLAGGED)
    if filters.organisation_id:
        observers = observers.filter(organisation_id=filters.organisation_id)
        flagged = flagged.filter(observer__organisation_id=filters.organisation_id)
    if filters.region_id:
        flagged = flagged.filter(station__region_id=filters.region_id)
    if filters.stage:
        flagged = flagged.filter(stage=filters.stage)
    flagged = visits_in_window(flagged, filters)
    people = observers.aggregate(
        observers=Count("id"),
        countries=Count("nationality", distinct=True),
        organisations=Count("organisation", distinct=True),
        teams_in_field=Count("team", distinct=True),
    )
    national = coverage[0] if coverage else {}
    by_severity = {severity: 0 for severity in reversed(Severity.values)}
    for row in findings:
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["count"]
    return {
        **people,
        "stations_total": national.get("stations_total", 0),
        "stations_visited": national.get("stations_visited", 0),
        "visits": national.get("visits", 0),
        "findings_by_severity": [
            {"severity": severity, "label": Severity(severity).label, "count": count}
            for severity, count in by_severity.items()
        ],
        "findings_total": sum(by_severity.values()),
        "flagged": flagged.count(),
    }


def aggregate_source(*, mission, filters: DashboardFilters):
    """Where the coverage, assessment, finding and turnout rows come from: the aggregate
    tables, or, when the organisation or the time window narrows the visits, the same rows
    counted from those visits (``selectors.NarrowedAggregates``)."""
    narrow = filters.visit_narrowing()
    if narrow is None:
        return selectors.StoredAggregates(mission=mission)
    # Turnout is per clock hour: the window keeps whole hours of it (``_in_window``).
    turnout_narrow = selectors.visit_narrowing(organisation_id=filters.organisation_id)
    # Districts are shown (and so read) only within a chosen region.
    return selectors.NarrowedAggregates(
        mission=mission,
        narrow=narrow,
        turnout_narrow=turnout_narrow,
        districts=filters.region_id or False,
        remainder=_kept_share(mission=mission, filters=filters) > REMAINDER_ABOVE,
    )


# Above this share of the visits kept, count the visits left out and subtract them from the
# aggregates (``NarrowedAggregates``' remainder): the same figures, from fewer visits.
REMAINDER_ABOVE = 0.5


def _kept_share(*, mission, filters: DashboardFilters) -> float:
    """A rough share of the visits the filters keep: the organisation's share of the
    observers times the window's share of the polling hours. It only chooses how to count."""
    share = 1.0
    if filters.organisation_id is not None:
        counts = Observer.objects.filter(mission=mission).aggregate(
            everyone=Count("id"),
            members=Count("id", filter=Q(organisation_id=filters.organisation_id)),
        )
        share *= counts["members"] / counts["everyone"] if counts["everyone"] else 0.0
    if filters.narrows_time:
        day, tz = mission.election_date, mission.tzinfo
        opens = dt.datetime.combine(day, mission.polls_open, tzinfo=tz)
        closes = dt.datetime.combine(day, mission.polls_close, tzinfo=tz)
        start = max(filters.since or opens, opens)
        end = min(filters.until or closes, closes)
        share *= max((end - start) / (closes - opens), 0.0)
    return share


@dataclass
class DashboardData:
    key_figures: dict
    charts: dict[str, dict]  # chart name -> keyword arguments of its figure function
    as_of: dt.datetime | None
    level: str  # "region", or "district" when a region is chosen
    region: dict | None
    buckets: list[str]  # ISO times of the turnout buckets present
    area_rows: list[dict]  # one row per area of ``level``: what the table under the charts shows


def dashboard_data(*, mission, filters: DashboardFilters, areas: AreaIndex) -> DashboardData:
    """Everything the dashboard draws, as chart arguments for ``reports.charts``."""
    region = areas.areas.get(filters.region_id) if filters.region_id else None
    if region is not None and region["depth"] != 1:
        region = None
    level = "district" if region else "region"
    keep = {a["code"] for a in areas.children(region["id"])} if region else None

    def within(rows):
        return rows if keep is None else [r for r in rows if r["area_code"] in keep]

    def in_time(rows):
        if not filters.narrows_time:
            return rows
        tz = mission.tzinfo
        return [r for r in rows if _in_window(_aware(r["bucket_end"], tz), filters)]

    source = aggregate_source(mission=mission, filters=filters)
    # National coverage and findings are the sums of the region rows (every station is in a
    # region): two queries fewer than asking for them.
    region_coverage = source.coverage_rows(level="region")
    region_findings = source.finding_rows(level="region")
    national_coverage = _coverage_total(region_coverage)
    national_findings = _findings_total(region_findings)
    turnout_national = in_time(source.turnout_rows(level="national"))
    turnout_areas = in_time(within(source.turnout_rows(level=level)))
    official = [
        row
        for row in selectors.official_turnout_rows(mission=mission)
        if _at_in_window(row["at"], filters)
    ]
    if region:
        coverage = within(source.coverage_rows(level=level))
        findings = within(source.finding_rows(level=level))
    else:
        coverage, findings = region_coverage, region_findings
    if filters.stage:
        assessments = within(source.assessment_rows(level=level, stage=filters.stage))
        assessment_arguments = {"rows": assessments, "by": "area"}
    else:
        scope = "region" if region else "national"
        assessments = source.assessment_rows(level=scope)
        if region:
            assessments = [r for r in assessments if r["area_code"] == region["code"]]
        assessment_arguments = {"rows": assessments, "by": "stage"}
    if region:
        region_turnout = in_time(source.turnout_rows(level="region", area_code=region["code"]))
    else:
        region_turnout = []
    timezone = mission.timezone
    buckets = turnout_buckets(turnout_areas, timezone=timezone)
    bucket = ""
    if filters.hour:
        bucket = next((b for b in buckets if b[11:16] == filters.hour), "")
        if not bucket:
            # An hour with no reports: an empty panel for that hour, not the latest one.
            bucket = _hour_iso(mission, filters.hour)
    charts = {
        "turnout_day": {
            "national_rows": turnout_national,
            "official_rows": [r for r in official if r["level"] == "national"],
            "region_rows": region_turnout,
            "region_official_rows": [
                r for r in official if region and r["area_code"] == region["code"]
            ],
            "region_name": region["name"] if region else "",
            "timezone": timezone,
        },
        "turnout_by_area": {"rows": turnout_areas, "bucket_end": bucket, "timezone": timezone},
        "coverage_by_area": {"rows": coverage},
        "assessments": assessment_arguments,
        "findings_by_category": {
            "rows": findings if region else national_findings,
        },
        "findings_heatmap": {"rows": findings},
    }
    # Drill-down: a click on an area's bar or row opens its page.
    links = {
        code: reverse("reports:area", args=[mission.pk, area["id"]])
        for code, area in areas.by_code(2 if region else 1).items()
    }
    for name in ("turnout_by_area", "coverage_by_area", "findings_heatmap"):
        charts[name]["links"] = links
    if assessment_arguments["by"] == "area":
        assessment_arguments["links"] = links
    if region:  # the key figures of the chosen region
        key_coverage = [r for r in region_coverage if r["area_code"] == region["code"]]
        key_findings = [r for r in region_findings if r["area_code"] == region["code"]]
    else:
        key_coverage, key_findings = national_coverage, national_findings
    key_figures = dashboard_key_figures(
        mission=mission, filters=filters, coverage=key_coverage, findings=key_findings
    )
    return DashboardData(
        key_figures=key_figures,
        charts=charts,
        as_of=selectors.aggregates_as_of(mission=mission),
        level=level,
        region=region,
        buckets=buckets,
        area_rows=_area_table(coverage, findings, links),
    )


def _coverage_total(rows) -> list[dict]:
    if not rows:
        return []
    return [
        {
            "area_code": "ALL",
            "area_name": "ALL",
            **{
                key: sum(r[key] for r in rows)
                for key in ("stations_total", "stations_visited", "visits")
            },
        }
    ]


def _findings_total(rows) -> list[dict]:
    totals: dict[tuple[str, str], int] = {}
    for r in rows:
        totals[(r["category"], r["severity"])] = (
            totals.get((r["category"], r["severity"]), 0) + r["count"]
        )
    return [
        {"area_code": "ALL", "area_name": "ALL", "category": c, "severity": s, "count": n}
        for (c, s), n in totals.items()
    ]


def _aware(value, tz):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _hour_iso(mission, hour: str) -> str:
    hours = int(hour[:2])
    day = dt.datetime.combine(mission.election_date, dt.time(0), tzinfo=mission.tzinfo)
    return (day + dt.timedelta(hours=hours)).isoformat()


def _area_table(coverage, findings, links) -> list[dict]:
    """Coverage and serious findings per area, for the table of areas under the charts."""
    serious: dict[str, int] = {}
    for row in findings:
        if row["severity"] in FEED_SEVERITIES:
            serious[row["area_code"]] = serious.get(row["area_code"], 0) + row["count"]
    return [
        {
            **row,
            "coverage_pct": round(100 * row["stations_visited"] / row["stations_total"], 1)
            if row["stations_total"]
            else None,
            "serious_findings": serious.get(row["area_code"], 0),
            "link": links.get(row["area_code"], ""),
        }
        for row in sorted(coverage, key=lambda r: (r["area_name"].casefold(), r["area_code"]))
    ]


# --- the feed and the review queue ----------------------------------------------------------


def critical_findings_feed(
    *, mission, filters: DashboardFilters, limit: int = FEED_LIMIT
) -> list[Finding]:
    """The latest critical and serious findings (not dismissed, not of rejected visits)."""
    findings = (
        Finding.objects.filter(visit__mission=mission, severity__in=FEED_SEVERITIES)
        .exclude(review_status=ReviewStatus.DISMISSED)
        .exclude(visit__status=VisitStatus.REJECTED)
    )
    if filters.region_id:
        findings = findings.filter(visit__station__region_id=filters.region_id)
    if filters.organisation_id:
        findings = findings.filter(visit__observer__organisation_id=filters.organisation_id)
    if filters.stage:
        findings = findings.filter(visit__stage=filters.stage)
    findings = visits_in_window(findings, filters, prefix="visit__")
    # The newest of each severity through the (severity, created_at) index, merged: a few
    # dozen rows read, where one query over both severities sorts them all.
    newest = [
        findings.filter(severity=severity)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at")[:limit]
        for severity in FEED_SEVERITIES
    ]
    latest = newest[0].union(*newest[1:], all=True).order_by("-created_at", "-id")[:limit]
    ids = [pk for pk, _created_at in latest]
    by_id = Finding.objects.select_related("visit__station__region", "visit__team").in_bulk(ids)
    feed = [by_id[pk] for pk in ids if pk in by_id]
    # Labels looked up once per request: get_FOO_display() rebuilds its choices each call.
    severities, categories = dict(Severity.choices), dict(FindingCategory.choices)
    reviews = dict(ReviewStatus.choices)
    for finding in feed:
        finding.severity_label = severities.get(finding.severity, finding.severity)
        finding.category_label = categories.get(finding.category, finding.category)
        finding.review_status_label = reviews.get(finding.review_status, finding.review_status)
    return feed


# --- drill-down -----------------------------------------------------------------------------


def area_for(*, mission, area_id: int) -> Area | None:
    return Area.objects.filter(mission=mission, pk=area_id).select_related("parent").first()


def area_children_rows(*, mission, area: Area) -> tuple[list[dict], list[str]]:
    """The child areas of a region with their aggregate coverage, findings and assessments
    (one cell per stage that any of them has), and those stages."""
    children = list(
        Area.objects.filter(mission=mission, parent=area)
        .order_by("name", "id")
        .values("id", "code", "name")
    )
    if not children:
        return [], []
    codes = {c["code"] for c in children}
    coverage = {
        r["area_code"]: r
        for r in selectors.coverage_rows(mission=mission, level="district")
        if r["area_code"] in codes
    }
    findings: dict[str, dict[str, int]] = {}
    for r in selectors.finding_rows(mission=mission, level="district"):
        if r["area_code"] in codes:
            counts = findings.setdefault(r["area_code"], {})
            counts[r["severity"]] = counts.get(r["severity"], 0) + r["count"]
    negative: dict[str, dict] = {}
    for r in selectors.assessment_rows(mission=mission, level="district"):
        if r["area_code"] in codes:
            negative.setdefault(r["area_code"], {})[r["stage"]] = r
    seen = {stage for stages in negative.values() for stage in stages}
    stages = [{"value": s.value, "label": s.label} for s in Stage if s.value in seen]
    rows = [
        {
            **child,
            "coverage": coverage.get(child["code"]),
            "findings": findings.get(child["code"], {}),
            "assessments": [negative.get(child["code"], {}).get(s["value"]) for s in stages],
        }
        for child in children
    ]
    return rows, stages


def district_stations(*, mission, area: Area):
    """The stations of a district with their visit counts (a queryset: the view paginates)."""
    counted = ~Q(visits__status=VisitStatus.REJECTED)
    return (
        PollingStation.objects.filter(mission=mission, area=area)
        .annotate(
            visit_count=Count("visits", filter=counted),
            flagged_count=Count("visits", filter=Q(visits__status=VisitStatus.FLAGGED)),
            last_visit=Max("visits__arrived_at"),
        )
        .order_by("code", "id")
    )


def station_for(*, mission, station_id: int) -> PollingStation | None:
    return (
        PollingStation.objects.filter(mission=mission, pk=station_id)
        .select_related("region", "district")
        .first()
    )


def station_visits(*, station) -> list[Visit]:
    return list(
        Visit.objects.filter(station=station)
        .select_related("team", "observer__organisation")
        .annotate(finding_count=Count("findings"))
        .order_by("arrived_at", "id")
    )


def regions_with_outline(*, mission) -> set[int]:
    return set(
        Area.objects.filter(
            mission=mission, level=AreaLevel.REGION, geojson__isnull=False
        ).values_list("id", flat=True)
    )
