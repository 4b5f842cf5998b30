"""Browser pages of the coordinator dashboard: thin views over ``reports.dashboard`` (reads),
``reports.charts`` (figures) and the review services of ``observation.services`` (writes).

Access: anonymous users go to the login page; the mission's coordinators and analysts see the
pages; everyone else (observers, press, other missions' staff, outsiders) gets a 404. Review
and the outline upload are for coordinators; an analyst sees the pages without the buttons
and gets a 403 when posting anyway.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from missions.access import STAFF_ROLES, mission_for, role_in
from missions.models import MemberRole
from observation import services as observation_services
from observation.models import Finding, Visit
from reports import charts
from reports.aggregates import selectors
from reports.dashboard import selectors as dashboard
from reports.dashboard import services as outlines
from reports.dashboard.forms import (
    DashboardFilterForm,
    FindingReviewForm,
    OutlinesUploadForm,
    VisitReviewForm,
)

REVIEW_PAGE_SIZE = 25
STATIONS_PAGE_SIZE = 100
MAP_CACHE_SECONDS = 600


def _staff_mission(request, mission_id):
    return mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)


def _is_coordinator(request, mission) -> bool:
    return role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR


def _filters(request, mission, areas, organisations):
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
    mission = _staff_mission(request, mission_id)
    areas = dashboard.mission_areas(mission=mission)
    organisations = dashboard.mission_organisations(mission=mission)
    form, filters = _filters(request, mission, areas, organisations)

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
            "feed": feed,
            "query": query,
            "map_url": _map_url(request, mission, data),
            "feed_poll_seconds": getattr(settings, "DASHBOARD_FEED_POLL_SECONDS", 15),
            "feed_url": reverse("reports:dashboard-feed", args=[mission.pk])
            + (f"?{query}" if query else ""),
            "is_coordinator": _is_coordinator(request, mission),
            "now": timezone.now(),
        },
    )


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
    by_area = _("by district") if data.region else _("by region")
    return [
        {"name": "turnout_day", "title": _("Turnout through the day"), "wide": True},
        {"name": "turnout_by_area", "title": _("Turnout %(by)s") % {"by": by_area}},
        {"name": "coverage_by_area", "title": _("Coverage %(by)s") % {"by": by_area}},
        {
            "name": "assessments",
            "title": _("Assessments per stage")
            if data.charts["assessments"]["by"] == "stage"
            else _("Assessments %(by)s") % {"by": by_area},
        },
        {"name": "findings_by_category", "title": _("Findings by category and severity")},
        {
            "name": "findings_heatmap",
            "title": _("Findings %(by)s and category") % {"by": by_area},
            "wide": True,
        },
    ]


@login_required
@require_GET
def dashboard_feed(request, mission_id):
    """The feed of critical and serious findings: an HTML fragment the page polls."""
    mission = _staff_mission(request, mission_id)
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
    """The coverage map figure as JSON (loaded after the page: it has a point per station).

    Cached until the aggregates or the outlines change: a point per station is 10,000 points
    for a national election, and every coordinator's page asks for it.
    """
    mission = _staff_mission(request, mission_id)
    filters = DashboardFilterForm(request.GET or None, mission=mission).filters()
    region_id = filters.region_id or None
    as_of = selectors.aggregates_as_of(mission=mission)
    key = ":".join(
        [
            "dashboard-map",
            str(mission.pk),
            str(region_id or 0),
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
        arguments = dashboard.coverage_map_arguments(
            mission=mission, region_id=region_id, filters=filters
        )
        body = json.dumps(
            {
                "figure": charts.coverage_map_spec(**arguments),
                "outlines": len(arguments["outlines"]),
                "stations": len(arguments["stations"]),
            },
            separators=(",", ":"),
        ).encode()
        cache.set(key, body, timeout=MAP_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@login_required
@require_http_methods(["GET", "POST"])
def outlines_upload(request, mission_id):
    mission = _staff_mission(request, mission_id)
    is_coordinator = _is_coordinator(request, mission)
    if request.method == "POST" and not is_coordinator:
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
            "is_coordinator": is_coordinator,
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
    mission = _staff_mission(request, mission_id)
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
    mission = _staff_mission(request, mission_id)
    station = dashboard.station_for(mission=mission, station_id=station_id)
    if station is None:
        raise Http404

    visits = dashboard.station_visits(station=station)

    return render(
        request, "reports/station.html", {"mission": mission, "station": station, "visits": visits}
    )


@login_required
@require_GET
def visit_page(request, mission_id, visit_id):
    mission = _staff_mission(request, mission_id)
    visit = dashboard.visit_for(mission=mission, visit_id=visit_id)
    if visit is None:
        raise Http404

    answers = dashboard.visit_answers(visit=visit)
    audit = dashboard.visit_audit(visit=visit)

    return render(
        request,
        "reports/visit.html",
        {
            "mission": mission,
            "visit": visit,
            "answers": answers,
            "audit": audit,
            "is_coordinator": _is_coordinator(request, mission),
            "visit_form": VisitReviewForm(),
            "finding_form": FindingReviewForm(),
            "next": request.get_full_path(),
        },
    )


# --- review ---------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request, mission_id):
    mission = _staff_mission(request, mission_id)
    areas = dashboard.mission_areas(mission=mission)
    organisations = dashboard.mission_organisations(mission=mission)
    form, filters = _filters(request, mission, areas, organisations)

    page = Paginator(
        dashboard.review_queue(mission=mission, filters=filters), REVIEW_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    findings = dashboard.review_queue_findings(visits=page.object_list)

    return render(
        request,
        "reports/review.html",
        {
            "mission": mission,
            "form": form,
            "page": page,
            "rows": [(visit, findings.get(visit.pk, [])) for visit in page.object_list],
            "query": _without_page(request),
            "is_coordinator": _is_coordinator(request, mission),
            "visit_form": VisitReviewForm(),
            "finding_form": FindingReviewForm(),
            "next": request.get_full_path(),
        },
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _back(request, mission, fallback: str):
    target = request.POST.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(f"/missions/{mission.pk}/")
    ):
        return redirect(target)
    return redirect(fallback)


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


@login_required
@require_POST
def visit_review(request, mission_id, visit_id):
    mission = _staff_mission(request, mission_id)
    visit = Visit.objects.filter(mission=mission, pk=visit_id).first()
    if visit is None:
        raise Http404
    if not _is_coordinator(request, mission):
        raise PermissionDenied
    form = VisitReviewForm(request.POST)
    fallback = reverse("reports:visit", args=[mission.pk, visit.pk])
    if not form.is_valid():
        messages.error(request, _("Give a reason and choose verify or reject."))
        return _back(request, mission, fallback)

    try:
        observation_services.visit_review(
            visit=visit,
            actor=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request, mission, fallback)

    messages.success(
        request,
        _("Visit %(visit)s is now %(status)s.")
        % {
            "visit": f"{visit.station.code} {visit.get_stage_display()}",
            "status": visit.get_status_display(),
        },
    )
    return _back(request, mission, fallback)


@login_required
@require_POST
def finding_review(request, mission_id, finding_id):
    mission = _staff_mission(request, mission_id)
    finding = (
        Finding.objects.filter(visit__mission=mission, pk=finding_id)
        .select_related("visit__station")
        .first()
    )
    if finding is None:
        raise Http404
    if not _is_coordinator(request, mission):
        raise PermissionDenied
    form = FindingReviewForm(request.POST)
    fallback = reverse("reports:visit", args=[mission.pk, finding.visit_id])
    if not form.is_valid():
        messages.error(request, _("Give a reason and choose confirm or dismiss."))
        return _back(request, mission, fallback)

    try:
        observation_services.finding_review(
            finding=finding,
            actor=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request, mission, fallback)

    messages.success(
        request,
        _("Finding %(finding)s is now %(status)s.")
        % {
            "finding": finding.get_category_display(),
            "status": finding.get_review_status_display(),
        },
    )
    return _back(request, mission, fallback)
