"""The "Plan and actual" page: each team's deployment against the stations it visited."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from missions.selectors import deployment_days
from reports.dashboard.views import is_coordinator, staff_mission
from reports.deployment.selectors import deployment_plan


@login_required
@require_GET
def deployment_page(request, mission_id):
    mission = staff_mission(request, mission_id)
    days = deployment_days(mission=mission)
    try:
        day = dt.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
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
    )
