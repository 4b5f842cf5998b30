"""Browser pages of the missions app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Membership, Mission


@login_required
@require_GET
def home(request):
    """The user's missions, each with the pages their role opens."""
    if request.user.is_superuser:
        rows = [
            (mission, "COORDINATOR") for mission in Mission.objects.order_by("-election_date", "id")
        ]
    else:
        memberships = (
            Membership.objects.filter(user=request.user)
            .select_related("mission")
            .order_by("-mission__election_date", "mission_id")
        )
        rows = [(m.mission, m.role) for m in memberships]
    return render(request, "missions/home.html", {"rows": rows})
