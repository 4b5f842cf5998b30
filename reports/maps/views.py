"""The dashboard's map as JSON (loaded after the page, cached until the aggregates, the
outlines or the filters change)."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from .. import outlines, selectors
from ..forms import DashboardFilterForm
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
    key = ":".join(
        [
            "regions-map",
            str(mission.pk),
            measure,
            str(filters.region_id or 0),
            str(filters.organisation_id or 0),
            filters.since.isoformat() if filters.since else "-",
            filters.until.isoformat() if filters.until else "-",
            as_of.isoformat() if as_of else "-",
            str(outlines.outlines_version(mission_id=mission.pk)),
            get_language() or "",
        ]
    )
    body = cache.get(key)
    if body is None:
        arguments = regions_map_arguments(mission=mission, filters=filters)
        figure = figures.regions_map_spec(measure=measure, **arguments)
        body = json.dumps(
            {"figure": figure, "measure": measure, **figure["layout"]["meta"]},
            separators=(",", ":"),
        ).encode()
        cache.set(key, body, timeout=CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")
