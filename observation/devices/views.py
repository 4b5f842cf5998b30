"""Coordinators hand observers their device codes: a list of observers and a QR page each.

Analysts see the list (read-only, without the codes) and get a 403 on a QR page: showing
it hands out a device token. Everyone else gets a 404.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from missions.access import STAFF_ROLES, coordinator_mission_for, mission_for, role_in
from missions.models import MemberRole, Observer

from .services import (
    device_login_url,
    device_qr_svg,
    observer_device_token,
    observer_token_issue,
)

COORDINATORS = (MemberRole.COORDINATOR,)


@login_required
@require_GET
def observer_list(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    observers = (
        Observer.objects.filter(mission=mission)
        .select_related("user", "team", "organisation")
        .order_by("team__code", "full_name", "id")
    )
    return render(
        request,
        "observation/observer_list.html",
        {
            "mission": mission,
            "observers": observers,
            "can_manage": role_in(user=request.user, mission_id=mission.pk) in COORDINATORS,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def observer_qr(request, mission_id, observer_id):
    """The observer's device code. GET says whether one was issued (its key is not stored, so
    it cannot be shown again); POST issues a new one, replacing the old (a lost phone: it stops
    working at once), and shows its QR code in this answer only.
    """
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    observer = get_object_or_404(
        Observer.objects.select_related("user", "team", "organisation"),
        pk=observer_id,
        mission=mission,
    )
    coordinator_mission_for(user=request.user, mission_id=mission.pk)  # analysts: 403
    observer.mission = mission
    context = {"mission": mission, "observer": observer}
    status = 200
    if request.method == "POST" and request.POST.get("action") != "issue":
        status = 400  # only the page's own button makes a code
    elif request.method == "POST":
        # The same service as POST /api/v1/observers/{id}/token/: a new token, audited.
        token = observer_token_issue(observer=observer, actor=request.user, now=timezone.now())
        url = device_login_url(server=request.build_absolute_uri("/"), token=token)
        context.update(url=url, svg=device_qr_svg(url=url, title=_("Device QR code")))
    if "svg" not in context:
        context["current"] = observer_device_token(observer=observer)
    return render(request, "observation/observer_qr.html", context, status=status)
