"""The "Plan and actual" page: each team's deployment against the stations it visited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.parsing import day as parse_day
from missions.selectors import deployment_days
from reports.dashboard.views import is_coordinator, staff_mission
from reports.deployment.selectors import deployment_plan


@login_required
@require_GET
def deployment_page(request, mission_id):
    mission = staff_mission(request, mission_id)
    days = deployment_days(mission=mission)
    asked = request.GET.get("day")
    day = parse_day(asked) if asked else None
    if asked and day is None:  # 9999-12-31 (no next day to end on), ²⁰²²-11-20, "tomorrow"
        messages.error(request, _("Give the day as 2022-11-20."))
    if day is None:
        day = mission.election_date if mission.election_date in days or not days else days[0]
    plan = deployment_plan(mission=mission, day=day)
    return render(
        request,
        "missions/deployment.html",
        {
            "mission": mission,
            "is_coordinator": is_coordinator(request, mission),
            "plan": plan,
            "days": days,
        },
        status=400 if asked and parse_day(asked) is None else 200,
    )
