"""Reads for the dashboard's map: each region's figures and outline, the stations' places.

The region figures come from the same source as the dashboard's charts
(``dashboard.aggregate_source``: the aggregates, or the visits an organisation or time
window keeps), so the map and the bars agree. Four to six queries whatever the size.
"""

from __future__ import annotations

from django.db.models import FloatField
from django.db.models.functions import Cast
from django.urls import reverse

from missions.models import Area, AreaLevel, PollingStation
from reports.aggregates import selectors
from reports.dashboard import selectors as dashboard
from reports.models import StationCoverage

from .world import country_rings


def regions_map_arguments(*, mission, filters: dashboard.DashboardFilters) -> dict:
    """The arguments of ``figures.regions_map_spec`` (without ``measure``)."""
    regions = list(
        Area.objects.filter(mission=mission, level=AreaLevel.REGION, depth=1)
        .order_by("name", "id")
        .values("id", "code", "name", "geojson")
    )
    if filters.region_id:
        regions = [r for r in regions if r["id"] == filters.region_id]
    source = dashboard.aggregate_source(mission=mission, filters=filters)
    coverage = {r["area_code"]: r for r in source.coverage_rows(level="region")}
    latest: dict[str, dict] = {}
    for row in source.turnout_rows(level="region"):
        current = latest.get(row["area_code"])
        if current is None or str(row["bucket_end"]) > str(current["bucket_end"]):
            latest[row["area_code"]] = row
    stations = _stations(mission=mission, region_id=filters.region_id, source=source)
    return {
        "regions": [
            {
                "area_code": r["code"],
                "area_name": r["name"],
                "link": reverse("reports:area", args=[mission.pk, r["id"]]),
                "outline": r["geojson"],
                "stations_total": coverage.get(r["code"], {}).get("stations_total", 0),
                "stations_visited": coverage.get(r["code"], {}).get("stations_visited", 0),
                "visits": coverage.get(r["code"], {}).get("visits", 0),
                "turnout_pct": latest[r["code"]]["turnout_pct"] if r["code"] in latest else None,
            }
            for r in regions
        ],
        "stations": stations,
        "country": country_rings(mission.country),
    }


def _stations(*, mission, region_id, source) -> list[dict]:
    """Stations with coordinates: where they are, their region, visited or not (per the
    filters' source). Two queries."""
    stations = PollingStation.objects.filter(
        mission=mission, latitude__isnull=False, longitude__isnull=False
    )
    if region_id:
        stations = stations.filter(region_id=region_id)
    if isinstance(source, selectors.NarrowedAggregates):
        visited = source.visited_station_ids()
    else:
        counted = StationCoverage.objects.filter(mission=mission, visits__gt=0)
        if region_id:
            counted = counted.filter(station__region_id=region_id)
        visited = set(counted.values_list("station_id", flat=True))
    rows = stations.values_list(
        "id",
        "region__code",
        # As floats from the database: converting 10,000 Decimals costs more than the query.
        Cast("latitude", FloatField()),
        Cast("longitude", FloatField()),
    )
    return [
        {"region_code": code, "latitude": lat, "longitude": lon, "visited": pk in visited}
        for pk, code, lat, lon in rows
    ]
