"""Browser pages of the coordinator dashboard and its drill-down: thin views over
``reports.dashboard.selectors`` (reads), ``reports.charts`` (figures) and the outline upload
(``reports.dashboard.services``). Review pages are in ``reports.review``.

Access: anonymous users go to the login page; the mission's coordinators and analysts see the
pages; everyone else (observers, press, other missions' staff, outsiders) gets a 404. Review
and the outline upload are for coordinators; an analyst sees the pages without the buttons
and gets a 403 when posting anyway.
"""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, npgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.numbers import figure_text
from common.plurals import script_plural
from missions.access import STAFF_ROLES, mission_for, role_in
from missions.models import MemberRole
from observation.models import Severity
from reports import charts
from reports.aggregates import selectors
from reports.dashboard import selectors as dashboard
from reports.dashboard import services as outlines
from reports.dashboard.forms import (
    DashboardFilterForm,
    OutlinesUploadForm,
)
from reports.maps.selectors import regions_map_arguments
from reports.operations.caching import cache_key, shared_body

STATIONS_PAGE_SIZE = 100
MAP_CACHE_SECONDS = 600
# The findings key figure's badges, "3 critical": the count and the severity in one text with
# its plural forms, here and in static/js/dashboard_live.js, which redraws them.
SEVERITY_COUNTS = {
    Severity.CRITICAL: lambda n: npgettext(
        "findings of this severity", "%(count)s critical", "%(count)s critical", n
    ),
    Severity.SERIOUS: lambda n: npgettext(
        "findings of this severity", "%(count)s serious", "%(count)s serious", n
    ),
    Severity.MINOR: lambda n: npgettext(
        "findings of this severity", "%(count)s minor", "%(count)s minor", n
    ),
}


def staff_mission(request, mission_id):
    return mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)


def is_coordinator(request, mission) -> bool:
    return role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR


def dashboard_filters(request, mission, areas, organisations):
    form = DashboardFilterForm(
        request.GET or None,
        mission=mission,
        regions=areas.regions,
        organisations=organisations,
    )
    return form, form.filters()


@login_required
@require_GET
def dashboard_page(request, mission_id):
    mission = staff_mission(request, mission_id)
    areas = dashboard.mission_areas(mission=mission)
    organisations = dashboard.mission_organisations(mission=mission)
    form, filters = dashboard_filters(request, mission, areas, organisations)

    data = dashboard.dashboard_data(mission=mission, filters=filters, areas=areas)

    figures = {name: charts.CHARTS[name].spec(**kwargs) for name, kwargs in data.charts.items()}
    feed = dashboard.critical_findings_feed(mission=mission, filters=filters)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/dashboard.html",
        {
            "mission": mission,
            "form": form,
            "filters": filters,
            "data": data,
            "figures": figures,
            "panels": _panels(data),
            "severity_badges": _severity_badges(data.key_figures["findings_by_severity"]),
            "severity_texts": {key: script_plural(text) for key, text in SEVERITY_COUNTS.items()},
            "feed": feed,
            "query": query,
            "map_url": _map_url(request, mission, data),
            "feed_poll_seconds": getattr(settings, "DASHBOARD_FEED_POLL_SECONDS", 15),
            "feed_url": reverse("reports:dashboard-feed", args=[mission.pk])
            + (f"?{query}" if query else ""),
            "is_coordinator": is_coordinator(request, mission),
            "now": timezone.now(),
        },
    )


def _severity_badges(rows: list[dict]) -> list[dict]:
    return [
        {
            "severity": row["severity"],
            "text": SEVERITY_COUNTS[row["severity"]](row["count"])
            % {"count": figure_text(row["count"], kind="count")},
        }
        for row in rows
    ]


def _map_url(request, mission, data: dashboard.DashboardData) -> str:
    """The map's URL with the filters that narrow it: the region, the organisation, the time
    window (as given: the map's own form ignores what does not validate, as the page does)."""
    query = QueryDict(mutable=True)
    if data.region:
        query["region"] = str(data.region["id"])
    for name in ("organisation", "since", "until"):
        if request.GET.get(name):
            query[name] = request.GET[name]
    url = reverse("reports:dashboard-map", args=[mission.pk])
    return f"{url}?{query.urlencode()}" if query else url


def _panels(data: dashboard.DashboardData) -> list[dict]:
    # Whole titles: a region's page shows its districts, the mission's page its regions.
    if data.region:
        turnout, coverage = _("Turnout by district"), _("Coverage by district")
        assessments, heatmap = _("Assessments by district"), _("Findings by district and category")
    else:
        turnout, coverage = _("Turnout by region"), _("Coverage by region")
        assessments, heatmap = _("Assessments by region"), _("Findings by region and category")
    if data.charts["assessments"]["by"] == "stage":
        assessments = _("Assessments per stage")
    return [
        {"name": "turnout_day", "title": _("Turnout through the day"), "wide": True},
        {"name": "turnout_by_area", "title": turnout},
        {"name": "coverage_by_area", "title": coverage},
        {"name": "assessments", "title": assessments},
        {"name": "findings_by_category", "title": _("Findings by category and severity")},
        {"name": "findings_heatmap", "title": heatmap, "wide": True},
    ]


@login_required
@require_GET
def dashboard_feed(request, mission_id):
    """The feed of critical and serious findings: an HTML fragment the page polls."""
    mission = staff_mission(request, mission_id)
    filters = DashboardFilterForm(request.GET or None, mission=mission).filters()

    feed = dashboard.critical_findings_feed(mission=mission, filters=filters)

    return render(
        request,
        "reports/_feed.html",
        {"mission": mission, "feed": feed, "now": timezone.now()},
    )


@login_required
@require_GET
def dashboard_map(request, mission_id):
    """The map as JSON (loaded after the page): regions coloured by ``?measure=coverage`` or
    ``turnout``, the stations as hexagons, with the dashboard's own filters (region,
    organisation, stage, time window). Computed once per change of the aggregates or the
    outlines for every page that asks (``reports.operations.caching.shared_body``)."""
    mission = staff_mission(request, mission_id)
    filters = DashboardFilterForm(request.GET or None, mission=mission).filters()
    measure = request.GET.get("measure")
    measure = measure if measure in charts.maps.MEASURES else "coverage"
    as_of = selectors.aggregates_as_of(mission=mission)

    def compute() -> bytes:
        figure = charts.regions_map_spec(
            measure=measure, **regions_map_arguments(mission=mission, filters=filters)
        )
        return json.dumps(
            {
                "figure": figure,
                "as_of": as_of.isoformat() if as_of else None,
                **figure["layout"]["meta"],
            },
            separators=(",", ":"),
        ).encode()

    body = shared_body(
        key=cache_key(
            "dashboard-map",
            str(mission.pk),
            measure,
            str(filters.region_id or 0),
            str(filters.organisation_id or 0),
            filters.stage,
            filters.since.isoformat() if filters.since else "-",
            filters.until.isoformat() if filters.until else "-",
            get_language() or "",
        ),
        version=":".join(
            [
                as_of.isoformat() if as_of else "-",
                str(outlines.outlines_version(mission_id=mission.pk)),
            ]
        ),
        compute=compute,
        timeout=MAP_CACHE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")


@login_required
@require_http_methods(["GET", "POST"])
def outlines_upload(request, mission_id):
    mission = staff_mission(request, mission_id)
    coordinator = is_coordinator(request, mission)
    if request.method == "POST" and not coordinator:
        raise PermissionDenied
    result = None
    limit_message = _("The file is larger than %(limit)s MB.") % {
        "limit": outlines.max_bytes() // (1024 * 1024)
    }
    refused = ""
    if request.method == "POST" and _declared_length(request) > outlines.max_bytes() + 65536:
        refused = limit_message  # refused before the body is read (and spooled to disk)
        form = OutlinesUploadForm()
    else:
        form = OutlinesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_bound:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > outlines.max_bytes():
                form.add_error("file", limit_message)
            else:
                try:
                    result = outlines.area_outlines_upload(
                        mission=mission,
                        actor=request.user,
                        data=upload.read(),
                        property_name=form.cleaned_data["property"],
                        now=timezone.now(),
                    )
                except ValidationError as error:
                    form.add_error("file", error)
    regions = dashboard.mission_areas(mission=mission).regions
    with_outline = dashboard.regions_with_outline(mission=mission)
    status = 400 if request.method == "POST" and result is None else 200
    return render(
        request,
        "reports/outlines.html",
        {
            "mission": mission,
            "form": form,
            "result": result,
            "refused": refused,
            "regions": regions,
            "with_outline": with_outline,
            "is_coordinator": coordinator,
            "max_mb": outlines.max_bytes() // (1024 * 1024),
        },
        status=status,
    )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# --- drill-down -----------------------------------------------------------------------------


@login_required
@require_GET
def area_page(request, mission_id, area_id):
    mission = staff_mission(request, mission_id)
    area = dashboard.area_for(mission=mission, area_id=area_id)
    if area is None:
        raise Http404
    context = {"mission": mission, "area": area}
    children, stages = dashboard.area_children_rows(mission=mission, area=area)
    if children:
        context.update({"children": children, "stages": stages})
    else:
        page = Paginator(
            dashboard.district_stations(mission=mission, area=area), STATIONS_PAGE_SIZE
        )
        context["page"] = page.get_page(request.GET.get("page"))
    return render(request, "reports/area.html", context)


@login_required
@require_GET
def station_page(request, mission_id, station_id):
    mission = staff_mission(request, mission_id)
    station = dashboard.station_for(mission=mission, station_id=station_id)
    if station is None:
        raise Http404

    visits = dashboard.station_visits(station=station)

    return render(
        request, "reports/station.html", {"mission": mission, "station": station, "visits": visits}
    )
