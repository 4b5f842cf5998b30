"""Pages of the operations room: reporting status and the call list, incidents and their
triage, messages to observers (and the observer's phone page of them), the wall display, and
the JSON the dashboard and the wall poll to update themselves.

Access as everywhere: the mission's coordinators and analysts see the pages (analysts without
the buttons, and a 403 when posting anyway); the messages page is the coordinators'; everyone
else gets a 404.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.csv_export import bom_wanted, csv_chunks
from missions.access import STAFF_ROLES, coordinator_mission_for, mission_for, role_in
from missions.languages import languages_clean, mission_languages
from missions.models import MemberRole
from missions.report_due import report_due_times
from missions.services import mission_update
from observation.observe.selectors import observer_for
from observation.observe.views import page_config
from reports import charts
from reports.aggregates.selectors import aggregates_as_of
from reports.dashboard import selectors as dashboard
from reports.dashboard.forms import DashboardFilterForm

from . import selectors, services
from .caching import cache_key, shared_body
from .context import live_poll_seconds
from .forms import (
    AcknowledgeForm,
    ContactForm,
    IncidentFilterForm,
    MessageForm,
    ReportingFilterForm,
    ReportingSettingsForm,
    TriageForm,
)
from .wall import wall_panels

INCIDENTS_PAGE_SIZE = 50
# The figures the dashboard and the wall redraw are cached until the aggregates change.
FIGURES_CACHE_SECONDS = 600


def _staff_mission(request, mission_id):
    return mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)


def _is_coordinator(request, mission) -> bool:
    return role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR


def _errors(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for ms in error.message_dict.values() for m in ms)
    return " ".join(error.messages)


def _back(request, fallback: str):
    """Back to the page the form was on (its path and query), never elsewhere."""
    target = request.POST.get("next") or ""
    if target.startswith(fallback.split("?")[0]) and "//" not in target:
        return redirect(target)
    return redirect(fallback)


# --- reporting status ---------------------------------------------------------------------------


def _reporting(request, mission):
    areas = dashboard.mission_areas(mission=mission)
    form = ReportingFilterForm(
        request.GET or None,
        regions=areas.regions,
        organisations=dashboard.mission_organisations(mission=mission),
    )
    values = form.values()
    report = selectors.reporting_status(
        mission=mission,
        stage=values["stage"],
        now=timezone.now(),
        with_contacts=_is_coordinator(request, mission),
        region_id=values["region_id"],
        organisation_id=values["organisation_id"],
    )
    return form, report


@login_required
@require_GET
def reporting_page(request, mission_id):
    mission = _staff_mission(request, mission_id)
    form, report = _reporting(request, mission)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/operations/reporting.html",
        {
            "mission": mission,
            "form": form,
            "report": report,
            "due_times": report_due_times(mission=mission),
            "query": query,
            "is_coordinator": _is_coordinator(request, mission),
            "contact_form": ContactForm(),
            "next": request.get_full_path(),
        },
    )


@login_required
@require_GET
def reporting_calls_csv(request, mission_id):
    """The call list: the teams without a report first, their observers' phones and e-mails
    (coordinators; analysts get the list without them)."""
    mission = _staff_mission(request, mission_id)
    _form, report = _reporting(request, mission)
    header = [
        "team",
        "status",
        "reports",
        "last_report_at",
        "last_station",
        "observer",
        "phone",
        "email",
        "last_contact_at",
        "last_contact_by",
        "last_contact_note",
    ]
    rows = [
        [
            row["team"],
            row["status"],
            row["reports"],
            row["last_report_at"].isoformat() if row["last_report_at"] else "",
            row["last_station"] or "",
            observer.get("full_name", ""),
            observer.get("phone") or "",
            observer.get("email") or "",
            contact["at"].isoformat() if contact else "",
            contact.get("by") or "",
            contact.get("note") or "",
        ]
        for row in report.rows
        for contact in [row["last_contact"] or {}]
        for observer in row["observers"] or [{}]
    ]
    # The one CSV writer guards every cell (names and notes are free text).
    response = HttpResponse(
        b"".join(csv_chunks(header, rows, bom=bom_wanted(request.GET))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="call-list-{mission.pk}-{report.stage.lower()}.csv"'
    )
    return response


@login_required
@require_POST
def reporting_contact(request, mission_id):
    mission = _staff_mission(request, mission_id)
    if not _is_coordinator(request, mission):
        raise PermissionDenied
    fallback = reverse("operations:reporting", args=[mission.pk])
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose a team and a stage; a note has at most 1,000 characters.")
        )
        return _back(request, fallback)
    try:
        services.team_contact_record(
            mission=mission,
            team_code=form.cleaned_data["team"],
            stage=form.cleaned_data["stage"],
            note=form.cleaned_data["note"],
            actor=request.user,
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return _back(request, fallback)
    messages.success(
        request, _("Contact with team %(team)s recorded.") % {"team": form.cleaned_data["team"]}
    )
    return _back(request, fallback)


@login_required
@require_http_methods(["GET", "POST"])
def reporting_settings(request, mission_id):
    """When each stage's report is due, and the mission's languages (the mission's settings
    for the operations room; ``PATCH /api/v1/missions/<id>/`` changes the same fields)."""
    mission = _staff_mission(request, mission_id)
    is_coordinator = _is_coordinator(request, mission)
    if request.method == "POST" and not is_coordinator:
        raise PermissionDenied
    form = ReportingSettingsForm(request.POST or None, mission=mission)
    if request.method == "POST":
        if form.is_valid():
            try:
                mission_update(
                    mission=mission,
                    actor=request.user,
                    data={
                        "report_due": form.report_due(),
                        "languages": _languages(form),
                        "required_languages": form.cleaned_data["required_languages"],
                    },
                    now=timezone.now(),
                )
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("operations:reporting-settings", mission_id=mission.pk)
    return render(
        request,
        "reports/operations/settings.html",
        {"mission": mission, "form": form, "is_coordinator": is_coordinator},
        status=400 if request.method == "POST" else 200,
    )


def _languages(form) -> list[str]:
    return languages_clean(form.language_list())


# --- incidents ----------------------------------------------------------------------------------


@login_required
@require_GET
def incidents_page(request, mission_id):
    mission = _staff_mission(request, mission_id)
    areas = dashboard.mission_areas(mission=mission)
    form = IncidentFilterForm(request.GET or None, regions=areas.regions)
    values = form.values()
    findings = selectors.incidents(
        mission=mission,
        triage=values["triage"],
        severity=values["severity"],
        region_code=values["region"],
    )
    page = Paginator(findings, INCIDENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.incidents_load(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/operations/incidents.html",
        {
            "mission": mission,
            "form": form,
            "page": page,
            "rows": rows,
            "now": timezone.now(),
            "stale_minutes": selectors.STALE_NEW_MINUTES,
            "query": query.urlencode(),
            "is_coordinator": _is_coordinator(request, mission),
            "next": request.get_full_path(),
        },
    )


@login_required
@require_GET
def incident_page(request, mission_id, finding_id):
    mission = _staff_mission(request, mission_id)
    incident = selectors.incident_for(mission=mission, finding_id=finding_id)
    if incident is None:
        raise Http404
    assignees = selectors.incident_assignees(mission=mission)
    form = TriageForm(
        initial={"assignee": incident.assignee_name or ""},
        assignees=assignees,
    )
    return render(
        request,
        "reports/operations/incident.html",
        {
            "mission": mission,
            "incident": incident,
            "form": form,
            "now": timezone.now(),
            "stale_minutes": selectors.STALE_NEW_MINUTES,
            "is_coordinator": _is_coordinator(request, mission),
            "photos": list(incident.photos.order_by("id").values_list("id", flat=True)),
        },
    )


@login_required
@require_POST
def incident_triage(request, mission_id, finding_id):
    mission = _staff_mission(request, mission_id)
    incident = selectors.incident_for(mission=mission, finding_id=finding_id)
    if incident is None:
        raise Http404
    if not _is_coordinator(request, mission):
        raise PermissionDenied
    fallback = reverse("operations:incident", args=[mission.pk, incident.pk])
    form = TriageForm(request.POST, assignees=selectors.incident_assignees(mission=mission))
    if not form.is_valid() or not (
        form.cleaned_data["status"] or form.cleaned_data["note"] or "assignee" in request.POST
    ):
        messages.error(request, _("Choose a status, an assignee or write a note."))
        return _back(request, fallback)
    try:
        services.incident_triage(
            finding=incident,
            actor=request.user,
            status=form.cleaned_data["status"] or None,
            assignee=form.cleaned_data["assignee"] if "assignee" in request.POST else services.KEEP,
            note=form.cleaned_data["note"],
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return _back(request, fallback)
    messages.success(request, _("Incident updated."))
    return _back(request, fallback)


@login_required
@require_POST
def incidents_acknowledge(request, mission_id):
    mission = _staff_mission(request, mission_id)
    if not _is_coordinator(request, mission):
        raise PermissionDenied
    fallback = reverse("operations:incidents", args=[mission.pk])
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the incidents to acknowledge."))
        return _back(request, fallback)
    try:
        count = services.incidents_acknowledge(
            mission=mission,
            finding_ids=form.cleaned_data["findings"],
            actor=request.user,
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return _back(request, fallback)
    messages.success(
        request,
        ngettext("%(count)s incident acknowledged.", "%(count)s incidents acknowledged.", count)
        % {"count": count},
    )
    return _back(request, fallback)


# --- messages -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def messages_page(request, mission_id):
    mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
    areas = dashboard.mission_areas(mission=mission)
    languages = mission_languages(mission=mission)
    form = MessageForm(request.POST or None, regions=areas.regions, languages=languages)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.message_send(
                    mission=mission,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    text_i18n=form.text_i18n(),
                    regions=form.cleaned_data["regions"],
                    teams=form.team_codes(),
                    now=timezone.now(),
                )
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Message sent to %(count)s observer.",
                        "Message sent to %(count)s observers.",
                        message.recipients,
                    )
                    % {"count": message.recipients},
                )
                return redirect("operations:messages", mission_id=mission.pk)
        status = 400
    page = Paginator(selectors.mission_messages(mission=mission), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/operations/messages.html",
        {"mission": mission, "form": form, "page": page, "languages": languages},
        status=status,
    )


@login_required
@require_GET
def observe_messages(request, mission_id):
    """The observer's messages on the phone (kept offline by the service worker; the script
    marks each read when it is opened and fetches new ones when the network returns)."""
    observer = observer_for(user=request.user, mission_id=mission_id)
    deliveries = list(
        selectors.observer_messages(user=request.user, mission_id=observer.mission_id)
    )
    for delivery in deliveries:
        delivery.text = selectors.delivery_text(delivery)
    return render(
        request,
        "reports/operations/observe_messages.html",
        {
            "observer": observer,
            "mission": observer.mission,
            "deliveries": deliveries,
            "page_config": page_config(request, observer),
        },
    )


# --- live: the dashboard's and the wall's figures -------------------------------------------------


def _version(mission) -> str:
    as_of = aggregates_as_of(mission=mission)
    return as_of.isoformat() if as_of else "-"


@login_required
@require_GET
def dashboard_live(request, mission_id):
    """What the dashboard redraws when the live figures change: every chart with the page's
    filters, the key figures, the table of areas and the feed (computed once per change of
    the aggregates for everyone: ``caching.shared_body``)."""
    mission = _staff_mission(request, mission_id)
    query = request.GET.urlencode()

    def compute() -> bytes:
        areas = dashboard.mission_areas(mission=mission)
        organisations = dashboard.mission_organisations(mission=mission)
        form = DashboardFilterForm(
            request.GET or None, mission=mission, regions=areas.regions, organisations=organisations
        )
        filters = form.filters()
        data = dashboard.dashboard_data(mission=mission, filters=filters, areas=areas)
        feed = dashboard.critical_findings_feed(mission=mission, filters=filters)
        return json.dumps(
            {
                "as_of": data.as_of.isoformat() if data.as_of else None,
                "figures": {
                    name: charts.CHARTS[name].spec(**kwargs) for name, kwargs in data.charts.items()
                },
                "key_figures": data.key_figures,
                "areas": data.area_rows,
                # Rendered with autoescaping, as the page's own feed.
                "feed": render_to_string(
                    "reports/_feed.html",
                    {"mission": mission, "feed": feed, "now": timezone.now()},
                    request=request,
                ),
            },
            separators=(",", ":"),
            default=str,
        ).encode()

    body = shared_body(
        key=cache_key("dashboard-live", str(mission.pk), query, get_language() or ""),
        version=_version(mission),
        compute=compute,
        timeout=FIGURES_CACHE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")


@login_required
@require_GET
def wall_page(request, mission_id):
    """The wall display for the centre's big screen: full screen, large type, no navigation,
    rotating panels, updating itself."""
    mission = _staff_mission(request, mission_id)
    return render(
        request,
        "reports/operations/wall.html",
        {
            "mission": mission,
            "config": {
                "data": reverse("operations:wall-data", args=[mission.pk]),
                "live": reverse("mission-live", args=[mission.pk]),
                "poll": live_poll_seconds(),
                "rotate": getattr(settings, "OPERATIONS_WALL_ROTATE_SECONDS", 12),
                "timezone": mission.timezone,
            },
        },
    )


@login_required
@require_GET
def wall_data(request, mission_id):
    mission = _staff_mission(request, mission_id)
    # Reporting status moves with the clock as well as with reports: a version per poll period.
    period = int(timezone.now().timestamp() // max(live_poll_seconds(), 1))
    body = shared_body(
        key=cache_key("wall", str(mission.pk), get_language() or ""),
        version=f"{_version(mission)}:{period}",
        compute=lambda: json.dumps(
            wall_panels(mission=mission, now=timezone.now()), separators=(",", ":"), default=str
        ).encode(),
        timeout=FIGURES_CACHE_SECONDS,
    )
    return HttpResponse(body, content_type="application/json")
