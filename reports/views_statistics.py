"""Browser pages of the statistics: the preliminary statement, the turnout estimate, the quick
count with its candidates, and the forensic views. Coordinators and analysts of the mission;
everyone else gets a 404, anonymous users the login page. Managing candidates is for
coordinators only.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from missions.access import STAFF_ROLES, mission_for

from .selectors_statistics import COUNTED_STATUSES, StatementFilter, statement_figures
from .statement_export import statement_markdown, statement_pdf


def _local_datetime(value: str, tz) -> dt.datetime | None:
    """A ``datetime-local`` form value (``2022-11-20T14:00``) in the mission's time zone."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _statement_filter(request, mission) -> StatementFilter:
    statuses = tuple(s for s in request.GET.getlist("status") if s in COUNTED_STATUSES)
    return StatementFilter(
        statuses=statuses or COUNTED_STATUSES,
        start=_local_datetime(request.GET.get("from", ""), mission.tzinfo),
        end=_local_datetime(request.GET.get("to", ""), mission.tzinfo),
        current_only=request.GET.get("versions") == "current",
    )


@login_required
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
            "statuses": COUNTED_STATUSES,
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
    pdf = statement_pdf(mission=mission, figures=figures, generated_at=now)
    return _download(pdf, content_type="application/pdf", filename=f"{stem}.pdf")
