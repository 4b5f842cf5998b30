"""The live alert on every coordinator page: a template context processor.

A page under a mission (its URL names ``mission_id``) seen by the mission's coordinators or
analysts polls the mission's live figures (``static/js/live.js``): a new critical finding
shows a banner within seconds, with a sound for those who turned it on.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import ngettext

from common.plurals import script_plural
from missions.access import STAFF_ROLES, role_in


def _new_critical(n: int) -> str:
    return ngettext(
        "%(count)s new critical finding came in.", "%(count)s new critical findings came in.", n
    )


def live_poll_seconds() -> float:
    """How often open pages poll the live figures (3 s: a report shows within 5 s)."""
    return getattr(settings, "OPERATIONS_LIVE_POLL_SECONDS", 3)


def live_alert(request) -> dict:
    match = getattr(request, "resolver_match", None)
    mission_id = match.kwargs.get("mission_id") if match else None
    user = getattr(request, "user", None)
    if mission_id is None or user is None or not user.is_authenticated:
        return {}
    role = role_in(user=user, mission_id=mission_id)
    if role not in STAFF_ROLES:
        return {}
    return {
        "mission_role": role,
        "live_alert": {
            "live": reverse("mission-live", args=[mission_id]),
            "incidents": reverse("operations:incidents", args=[mission_id])
            + "?severity=CRITICAL&triage=NEW",
            "incidents_api": reverse("incident-list", args=[mission_id])
            + "?severity=CRITICAL&page_size=1",
            "poll": live_poll_seconds(),
            "texts": {"new_critical": script_plural(_new_critical)},
        },
    }
