"""Browser pages of the statistics: the preliminary statement, the turnout estimate, the quick
count with its candidates, and the forensic views. Coordinators and analysts of the mission;
everyone else gets a 404, anonymous users the login page. Managing candidates is for
coordinators only.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.parsing import moment, whole_number
from missions.access import STAFF_ROLES, mission_for, object_or_404, role_in
from missions.models import MemberRole
from observation.models import Stage, VisitStatus
from reports import charts
from reports.charts import rendering
from reports.models import Candidate
from reports.statistics.selectors import (
    COUNTED_STATUSES,
    forensics,
    quick_count,
    turnout_estimate,
)
from reports.statistics.services import candidate_create, candidate_delete, candidate_update
from reports.statistics.statement import (
    StatementFilter,
    statement_figures,
    statement_markdown,
    statement_pdf,
)


def _local_datetime(value: str, tz) -> dt.datetime | None:
    """A ``datetime-local`` form value (``2022-11-20T14:00``) in the mission's time zone."""
    parsed = moment(value) if value else None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _statement_filter(request, mission) -> StatementFilter:
    statuses = tuple(s for s in request.GET.getlist("status") if s in COUNTED_STATUSES)
    return StatementFilter(
        statuses=statuses or COUNTED_STATUSES,
        start=_local_datetime(request.GET.get("from", ""), mission.tzinfo),
        end=_local_datetime(request.GET.get("to", ""), mission.tzinfo),
        current_only=request.GET.get("versions") == "current",
    )


@login_required
@require_GET
def statement(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    filter = _statement_filter(request, mission)
    figures = statement_figures(mission=mission, filter=filter)
    tz = mission.tzinfo
    return render(
        request,
        "reports/statement.html",
        {
            "mission": mission,
            "figures": figures,
            "filter": filter,
            "statuses": [VisitStatus(status) for status in COUNTED_STATUSES],
            "from_value": filter.start.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
            if filter.start
            else "",
            "to_value": filter.end.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if filter.end else "",
            "query": request.GET.urlencode(),
        },
    )


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def statement_download(request, mission_id, fmt):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    figures = statement_figures(mission=mission, filter=_statement_filter(request, mission))
    now = timezone.now()
    stem = f"statement-mission-{mission.pk}-{now.astimezone(mission.tzinfo):%Y%m%d-%H%M}"
    if fmt == "md":
        text = statement_markdown(mission=mission, figures=figures, generated_at=now)
        return _download(
            text.encode(), content_type="text/markdown; charset=utf-8", filename=f"{stem}.md"
        )
    try:
        pdf = statement_pdf(mission=mission, figures=figures, generated_at=now)
    except rendering.ChromiumUnavailable:
        return HttpResponse(rendering.INSTALL_HINT, status=503, content_type="text/plain")
    except rendering.RenderFailed:
        response = HttpResponse(
            _("The PDF could not be printed just now; try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "5"
        return response
    return _download(pdf, content_type="application/pdf", filename=f"{stem}.pdf")


def _official_points(rows, official, *, level, area_code):
    """Official figures of one area, marked when outside the 95% interval of their hour."""
    outside = {r["official_at"] for r in rows if r["official_outside95"]}
    return [
        {"at": f["at"], "turnout_pct": f["turnout_pct"], "outside95": f["at"] in outside}
        for f in official
        if f["level"] == level and f["area_code"] == area_code
    ]


@login_required
@require_GET
def turnout_estimate_page(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    estimate = turnout_estimate(mission=mission)
    rows = estimate["rows"]
    regions = sorted(
        {(r["area_code"], r["area_name"]) for r in rows if r["level"] == "region"},
        key=lambda pair: (pair[1].casefold(), pair[0]),
    )
    region = request.GET.get("region", "")
    if region not in {code for code, _name in regions}:
        region = ""
    level, code = ("region", region) if region else ("national", "ALL")
    area_rows = [r for r in rows if r["level"] == level and r["area_code"] == code]
    area_name = dict(regions).get(region, "")  # the chart says "national" itself
    # The chart draws the hours the sample reported; the table lists every hour.
    figure = charts.turnout_estimate_spec(
        rows=[r for r in area_rows if not r["partial"]],
        official_rows=_official_points(
            area_rows, estimate["official"], level=level, area_code=code
        ),
        area_name=area_name,
        timezone=mission.timezone,
    )
    return render(
        request,
        "reports/turnout_estimate.html",
        {
            "mission": mission,
            "estimate": estimate,
            "area_rows": area_rows,
            "area_name": area_name,
            "regions": regions,
            "region": region,
            "figure": charts.figure_json(figure),
        },
    )


@login_required
@require_GET
def quick_count_page(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    reconciled_only = request.GET.get("reconciled_only") == "1"
    result = quick_count(mission=mission, reconciled_only=reconciled_only)
    figures = {}
    if result["estimates"]:
        figures["estimates"] = charts.figure_json(
            charts.quick_count_spec(estimates=result["estimates"])
        )
        figures["convergence"] = charts.figure_json(
            charts.quick_count_convergence_spec(
                rows=result["convergence"], timezone=mission.timezone
            )
        )
    return render(
        request,
        "reports/quick_count.html",
        {
            "mission": mission,
            "result": result,
            "figures": figures,
            "is_coordinator": role_in(user=request.user, mission_id=mission.pk)
            == MemberRole.COORDINATOR,
            "flagged": result["reconciliation"]["flagged"][:FLAGGED_SHOWN],
            "flagged_shown": FLAGGED_SHOWN,
        },
    )


FLAGGED_SHOWN = 200


@login_required
@require_GET
def forensics_page(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    result = forensics(mission=mission)
    figures = {
        "distribution": charts.figure_json(
            charts.turnout_distribution_spec(values=[r["turnout_pct"] for r in result["turnout"]])
        )
    }
    if result["fingerprint"]:
        figures["fingerprint"] = charts.figure_json(
            charts.election_fingerprint_spec(
                points=result["fingerprint"], winner_name=result["winner"]["name"]
            )
        )
    return render(
        request,
        "reports/forensics.html",
        {"mission": mission, "result": result, "figures": figures},
    )


def _position(value) -> int:
    position = whole_number(value)
    if position is None:
        message = _("Give the place on the ballot as a number.")
        raise ValidationError({"position": [message]})
    if not 1 <= position <= 999:
        raise ValidationError({"position": [_("The place on the ballot is between 1 and 999.")]})
    return position


@login_required
@require_http_methods(["GET", "POST"])
def candidates_page(request, mission_id):
    """The mission's candidates: add, rename, reorder, remove (coordinators; analysts read)."""
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    may_edit = role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR
    errors = {}
    form = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        now = timezone.now()
        form = {k: request.POST.get(k, "") for k in ("code", "name", "position")}
        try:
            if action == "add":
                candidate_create(
                    mission=mission,
                    actor=request.user,
                    code=form["code"],
                    name=form["name"],
                    position=_position(form["position"]),
                    now=now,
                )
                messages.success(
                    request, _("Candidate added: the counting form asks for their votes.")
                )
            elif action in ("update", "delete"):
                candidate = object_or_404(
                    Candidate.objects.filter(mission=mission), request.POST.get("candidate")
                )
                if action == "update":
                    candidate_update(
                        candidate=candidate,
                        actor=request.user,
                        name=form["name"],
                        position=_position(form["position"]),
                        now=now,
                    )
                    messages.success(request, _("Candidate saved."))
                else:
                    candidate_delete(candidate=candidate, actor=request.user, now=now)
                    messages.success(request, _("Candidate removed."))
            else:
                raise ValidationError(_("Choose add, update or delete."))
            return redirect("statistics:candidates", mission_id=mission.pk)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    candidates = Candidate.objects.filter(mission=mission).order_by("position", "code", "id")
    return render(
        request,
        "reports/candidates.html",
        {
            "mission": mission,
            "candidates": candidates,
            "errors": errors,
            "form": form,
            "next_position": len(candidates) + 1,
            "stage": Stage.COUNTING,
            "may_edit": may_edit,
        },
        status=400 if errors else 200,
    )
