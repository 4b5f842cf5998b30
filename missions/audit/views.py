"""The mission's audit log: who changed what, when, and why.

Coordinators and analysts read it; everyone else gets a 404, anonymous users the login page.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..access import STAFF_ROLES, mission_for
from ..forms import AuditFilterForm
from .phrasing import (
    action_label,
    audit_diff,
    audit_names,
    event_sentence,
    object_label,
    object_type_label,
)

AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_page(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    form = AuditFilterForm(request.GET or None, mission=mission)

    page = Paginator(
        selectors.audit_events(mission=mission, filters=form.filters()), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))

    # A filter from a link stays visible even if the (cached) menus do not have it yet.
    choices = selectors.audit_filter_choices(mission=mission)
    values = {
        key: sorted({*values, *([form[field].value()] if form[field].value() else [])})
        for key, field, values in (
            ("actions", "action", choices["actions"]),
            ("object_types", "object_type", choices["object_types"]),
            ("actors", "actor", choices["actors"]),
        )
    }
    events = list(page.object_list)
    names = audit_names(events)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "missions/audit.html",
        {
            "mission": mission,
            "form": form,
            "choices": {
                "actions": _labelled(values["actions"], action_label),
                "object_types": _labelled(values["object_types"], object_type_label),
                "actors": values["actors"],
            },
            "page": page,
            "rows": [
                {
                    "event": event,
                    "sentence": event_sentence(event, names),
                    "object": object_label(event),
                    "created": event.before is None,
                    "changes": audit_diff(before=event.before, after=event.after),
                }
                for event in events
            ],
            "query": query.urlencode(),
        },
    )


def _labelled(values, label) -> list[tuple[str, str]]:
    """Menu options ``(value, label)`` in the order of their labels."""
    return sorted(((value, label(value)) for value in values), key=lambda o: o[1].casefold())
