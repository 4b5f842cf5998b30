"""The dashboard's map as JSON (loaded after the page, cached until the aggregates, the
outlines or the filters change)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import get_language

from reports.aggregates import selectors
from reports.dashboard import services as outlines
from reports.dashboard.forms import DashboardFilterForm
from reports.operations.caching import cache_key, shared_body

from . import figures
from .selectors import regions_map_arguments

CACHE_SECONDS = 600


def regions_map(request, mission) -> HttpResponse:
    """``?measure=coverage|turnout`` and the dashboard's own filters (region, organisation,
    time window)."""
    filters = DashboardFilterForm(request.GET or None, mission=mission).filters()
    measure = request.GET.get("measure")
    measure = measure if measure in figures.MEASURES else "coverage"
    as_of = selectors.aggregates_as_of(mission=mission)
    key = cache_key(
        "regions-map",
        str(mission.pk),
        measure,
        str(filters.region_id or 0),
        str(filters.organisation_id or 0),
        filters.stage,
        filters.since.isoformat() if filters.since else "-",
        filters.until.isoformat() if filters.until else "-",
        get_language() or "",
    )

    def compute() -> bytes:
        arguments = regions_map_arguments(mission=mission, filters=filters)
        figure = figures.regions_map_spec(measure=measure, **arguments)
        return json.dumps(
            {
                "figure": figure,
                "measure": measure,
                "as_of": as_of.isoformat() if as_of else None,
                **figure["layout"]["meta"],
            },
            separators=(",", ":"),
        ).encode()

    body = shared_body(
        key=key,
        version=":".join(
            [
                as_of.isoformat() if as_of else "-",
                str(outlines.outlines_version(mission_id=mission.pk)),
            ]
        ),
        compute=compute,
        timeout=CACHE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")
