"""The mission's audit log: who changed what, when, and why.

Coordinators and analysts read it; everyone else gets a 404, anonymous users the login page.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import STAFF_ROLES, mission_for
from .forms import AuditFilterForm

AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_page(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    form = AuditFilterForm(request.GET or None, mission=mission)

    page = Paginator(
        selectors.audit_events(mission=mission, filters=form.filters()), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))

    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "missions/audit.html",
        {
            "mission": mission,
            "form": form,
            "choices": selectors.audit_filter_choices(mission=mission),
            "page": page,
            "rows": [
                (event, selectors.audit_changes(before=event.before, after=event.after))
                for event in page.object_list
            ],
            "query": query.urlencode(),
        },
    )
