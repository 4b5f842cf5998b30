"""Browser pages for setting a mission up: imports, members, teams, deployment, data.

Coordinators and analysts see these pages; only coordinators change anything (an analyst's
POST is a 403). Everyone else gets a 404, as for everything they may not see.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import deployment as deployment_services
from .. import imports, selectors
from ..access import object_or_404
from ..forms import (
    DeploymentForm,
    ImportUploadForm,
    MemberForm,
    TeamAssignForm,
    TeamCreateForm,
    TeamFilterForm,
)
from ..models import (
    Deployment,
    ImportJob,
    ImportKind,
    MemberRole,
    Membership,
    Observer,
)
from ..services import member_add, member_remove
from ..tasks import import_job_run
from .shared import form_errors, staff_mission

IMPORT_KINDS = {"stations": ImportKind.STATIONS, "observers": ImportKind.OBSERVERS}
IMPORT_COLUMNS = {
    ImportKind.STATIONS: (imports.STATION_REQUIRED, imports.STATION_OPTIONAL),
    ImportKind.OBSERVERS: (imports.OBSERVER_REQUIRED, imports.OBSERVER_OPTIONAL),
}


# ---------------------------------------------------------------------------------------------
# Members


@login_required
@require_http_methods(["GET", "POST"])
def members_page(request, mission_id):
    mission, is_coordinator = staff_mission(request, mission_id)
    if request.method == "POST" and request.POST.get("action") == "remove":
        return _member_remove(request, mission)
    form = MemberForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership, created = member_add(
                    mission=mission,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    role=form.cleaned_data["role"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                if created:
                    text = _("%(user)s is now %(role)s in this mission.")
                else:
                    text = _("%(user)s's role is now %(role)s.")
                user, role = membership.user.username, membership.get_role_display()
                messages.success(request, text % {"user": user, "role": role})
                return redirect("missions:members", mission.pk)
        status = 400
    members = (
        Membership.objects.filter(mission=mission)
        .exclude(role=MemberRole.OBSERVER)
        .select_related("user")
        .order_by("role", "user__username", "id")
    )
    observers = Membership.objects.filter(mission=mission, role=MemberRole.OBSERVER).count()
    return render(
        request,
        "missions/members.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "form": form,
            "members": members,
            "observers": observers,
        },
        status=status,
    )


def _member_remove(request, mission):
    membership = object_or_404(
        Membership.objects.filter(mission=mission).select_related("user"),
        request.POST.get("membership"),
    )
    try:
        member_remove(
            mission=mission, membership=membership, actor=request.user, now=timezone.now()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(user)s is no longer %(role)s in this mission.")
            % {"user": membership.user.username, "role": membership.get_role_display()},
        )
    return redirect("missions:members", mission.pk)


# ---------------------------------------------------------------------------------------------
# Imports


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request, mission_id, kind):
    mission, is_coordinator = staff_mission(request, mission_id)
    if kind not in IMPORT_KINDS:
        raise Http404
    job_kind = IMPORT_KINDS[kind]
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = imports.import_job_create(
                    mission=mission,
                    kind=job_kind,
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                    now=timezone.now(),
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                if imports.import_job_runs_in_worker(job):
                    import_job_run.delay_on_commit(
                        job_id=job.pk, step="check", language=get_language()
                    )
                else:
                    imports.import_job_check(job=job, now=timezone.now())
                return redirect("missions:import-job", mission.pk, job.pk)
        status = 400
    jobs = (
        ImportJob.objects.filter(mission=mission, kind=job_kind)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:10]
    )
    required, optional = IMPORT_COLUMNS[job_kind]
    return render(
        request,
        "missions/import.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "form": form,
            "kind": kind,
            "jobs": jobs,
            "required": required,
            "optional": optional,
            "max_mb": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}",
            "async_rows": settings.IMPORT_ASYNC_ROWS,
        },
        status=status,
    )


# What an import creates besides its rows, as "3 areas", "1 organisation" (issue 20: "1 areas").
ALSO_CREATED = {
    "areas": lambda n: ngettext("%(count)s area", "%(count)s areas", n),
    "users": lambda n: ngettext("%(count)s user account", "%(count)s user accounts", n),
    "organisations": lambda n: ngettext("%(count)s organisation", "%(count)s organisations", n),
    "teams": lambda n: ngettext("%(count)s team", "%(count)s teams", n),
}


def _also_created(counts: dict) -> list[str]:
    return [
        ALSO_CREATED[name](count) % {"count": count}
        for name, count in (counts or {}).items()
        if name in ALSO_CREATED
    ]


def _shown(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value


def _job(mission, job_id) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("created_by", "confirmed_by"), mission=mission, pk=job_id
    )


@login_required
@require_GET
def import_job_page(request, mission_id, job_id):
    mission, is_coordinator = staff_mission(request, mission_id)
    job = _job(mission, job_id)
    result = job.result or {}
    kind = "stations" if job.kind == ImportKind.STATIONS else "observers"
    required, optional = IMPORT_COLUMNS[job.kind]
    columns = [*required, *optional]
    preview = result.get("preview", [])
    for row in preview:
        row["cells"] = [_shown(row["values"].get(column)) for column in columns]
    return render(
        request,
        "missions/import_job.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "job": job,
            "kind": kind,
            "state": imports.import_job_state(job=job),
            "result": result,
            "preview": preview,
            "preview_errors": sum(1 for row in preview if row["errors"]),
            "also_created": _also_created(result.get("also_created")),
            "columns": columns,
            "file_errors": [e for e in result.get("errors", []) if e.get("row") in (None, 1)],
            "status_url": reverse("missions:import-job-status", args=[mission.pk, job.pk]),
        },
    )


@login_required
@require_POST
def import_job_confirm(request, mission_id, job_id):
    mission, _is_coordinator = staff_mission(request, mission_id)
    job = _job(mission, job_id)
    try:
        imports.import_job_confirm(job=job, actor=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("missions:import-job", mission.pk, job.pk)
    if imports.import_job_runs_in_worker(job):
        import_job_run.delay_on_commit(job_id=job.pk, step="apply", language=get_language())
    else:
        imports.import_job_apply(job=job, now=timezone.now())
    return redirect("missions:import-job", mission.pk, job.pk)


@login_required
@require_GET
def import_job_status(request, mission_id, job_id):
    mission, _is_coordinator = staff_mission(request, mission_id)
    return JsonResponse(imports.import_job_state(job=_job(mission, job_id)))


# ---------------------------------------------------------------------------------------------
# Teams and deployment


@login_required
@require_http_methods(["GET", "POST"])
def teams_page(request, mission_id):
    mission, is_coordinator = staff_mission(request, mission_id)
    areas = selectors.deployment_areas(mission=mission)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    create_form = TeamCreateForm(data if action == "create" else None, prefix="create")
    assign_form = TeamAssignForm(
        data if action == "assign" else None, prefix="assign", mission=mission
    )
    deploy_form = DeploymentForm(
        data if action == "deploy" else None, prefix="deploy", mission=mission, areas=areas
    )
    now = timezone.now()
    if request.method == "POST":
        try:
            done = _teams_action(
                request, mission, action, create_form, assign_form, deploy_form, now
            )
        except ValidationError as error:
            form = {"create": create_form, "assign": assign_form, "deploy": deploy_form}.get(action)
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(_teams_url(mission, request.POST.get("query", "")))
            form_errors(form, error)
            done = None
        if done:
            messages.success(request, done)
            return redirect(_teams_url(mission, request.POST.get("query", "")))
    # The search and filters come from the address (GET), also when a POST failed and the page
    # shows its forms again: the query the page was opened with rides along in "query".
    query = request.GET if request.method == "GET" else QueryDict(request.POST.get("query", ""))
    choices = selectors.team_filter_choices(mission=mission)
    filter_form = TeamFilterForm(query, **choices)
    filters = filter_form.filters()
    page = Paginator(selectors.teams_matching(mission=mission, filters=filters), TEAMS_PER_PAGE)
    page = page.get_page(query.get("page"))
    unassigned = selectors.observers_unassigned(mission=mission, filters=filters)
    unassigned_count = unassigned.count()
    return render(
        request,
        "missions/teams.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "filter_form": filter_form,
            "filtered": filters.active,
            "page": page,
            "cards": selectors.team_cards(mission=mission, teams=page.object_list),
            "unassigned": unassigned[:UNASSIGNED_SHOWN] if unassigned_count else [],
            "unassigned_count": unassigned_count,
            "query": _teams_query(query, page=False),
            "this_query": _teams_query(query, page=True),
            "create_form": create_form,
            "assign_form": assign_form,
            "deploy_form": deploy_form,
            "action": action,
        },
        status=400 if request.method == "POST" else 200,
    )


TEAMS_PER_PAGE = 24
UNASSIGNED_SHOWN = 200  # observers in no team named on the page; search narrows the rest
TEAM_QUERY_KEYS = ("q", "region", "organisation", "page")


def _teams_query(query, *, page: bool) -> str:
    """The page's search and filters (and page number) as a query string, nothing else."""
    keys = TEAM_QUERY_KEYS if page else TEAM_QUERY_KEYS[:-1]
    kept = QueryDict(mutable=True)
    for key in keys:
        if query.get(key):
            kept[key] = query.get(key)
    return kept.urlencode()


def _teams_url(mission, query: str) -> str:
    """Back to the teams page as it was (search, filters, page) after a change."""
    kept = _teams_query(QueryDict(query), page=True)
    url = reverse("missions:teams", args=[mission.pk])
    return f"{url}?{kept}" if kept else url


def _teams_action(request, mission, action, create_form, assign_form, deploy_form, now):
    """Run one POSTed action; a message when done, None when a form has errors."""
    actor = request.user
    if action == "create":
        if not create_form.is_valid():
            return None
        team = deployment_services.team_create(
            mission=mission, code=create_form.cleaned_data["code"], actor=actor, now=now
        )
        return _("Team %(code)s created.") % {"code": team.code}
    if action == "assign":
        if not assign_form.is_valid():
            return None
        team = assign_form.cleaned_data["team"]
        count = deployment_services.team_assign(
            mission=mission,
            team=team,
            usernames=deployment_services.split_list(assign_form.cleaned_data["usernames"]),
            actor=actor,
            now=now,
        )
        return ngettext(
            "%(count)s observer now in team %(code)s.",
            "%(count)s observers now in team %(code)s.",
            count,
        ) % {"count": count, "code": team.code}
    if action == "unassign":
        observer = object_or_404(
            Observer.objects.filter(mission=mission), request.POST.get("observer")
        )
        deployment_services.observer_unassign(
            mission=mission, observer=observer, actor=actor, now=now
        )
        return _("%(name)s left their team.") % {"name": observer.full_name}
    if action == "deploy":
        if not deploy_form.is_valid():
            return None
        data = deploy_form.cleaned_data
        deployment = deployment_services.deployment_create(
            mission=mission,
            team=data["team"],
            day=data["day"],
            area=data["area"],
            station_codes=deployment_services.split_list(data["stations"]),
            notes=data["notes"],
            actor=actor,
            now=now,
        )
        return _("Team %(code)s deployed on %(day)s.") % {
            "code": deployment.team.code,
            "day": deployment.day,
        }
    if action == "undeploy":
        deployment = object_or_404(
            Deployment.objects.select_related("team", "area").filter(mission=mission),
            request.POST.get("deployment"),
        )
        deployment_services.deployment_delete(
            mission=mission, deployment=deployment, actor=actor, now=now
        )
        return _("Deployment removed.")
    raise ValidationError(_("Unknown action."))


# ---------------------------------------------------------------------------------------------
# Data downloads


@login_required
@require_GET
def downloads_page(request, mission_id):
    mission, is_coordinator = staff_mission(request, mission_id)
    datasets = [
        ("visits", _("Visits: one row per visit, one column per question")),
        ("findings", _("Findings: one row per finding")),
        ("stations", _("Polling stations (the import's columns)")),
        ("observers", _("Observers (the import's columns)")),
    ]
    return render(
        request,
        "missions/downloads.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator,
            "datasets": [
                (
                    name,
                    label,
                    reverse(
                        "mission-export",
                        kwargs={"mission_id": mission.pk, "dataset": name, "fmt": "csv"},
                    ),
                    reverse(
                        "mission-export",
                        kwargs={"mission_id": mission.pk, "dataset": name, "fmt": "xlsx"},
                    ),
                )
                for name, label in datasets
            ],
        },
    )
