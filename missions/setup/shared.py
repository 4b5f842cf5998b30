"""What the set-up pages share: the mission a staff member opens, and a service's errors
shown on the form."""

from django.core.exceptions import PermissionDenied, ValidationError

from ..access import STAFF_ROLES, mission_for, role_in
from ..models import MemberRole


def staff_mission(request, mission_id):
    """The mission for its coordinators and analysts (else 404), and whether the user
    coordinates it; an analyst's POST is a 403."""
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    is_coordinator = role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR
    if request.method == "POST" and not is_coordinator:
        raise PermissionDenied
    return mission, is_coordinator


def form_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: under its field where the form has one, else
    above the form (a list-style error too)."""
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in problems.items():
        form.add_error(name if name in form.fields else None, messages)
