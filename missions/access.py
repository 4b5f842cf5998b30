"""Who may see what. Every view and endpoint decides access through these functions.

Access is per mission, from Membership rows; Django superusers are platform staff and see
everything. What a caller may not see does not exist for them: a 404, never a 403 that
would confirm the object is there.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from common.parsing import object_id

from .models import MemberRole, Membership, Mission

STAFF_ROLES = (MemberRole.COORDINATOR, MemberRole.ANALYST)
ALL_ROLES = tuple(MemberRole.values)


def role_in(*, user, mission_id) -> str | None:
    """The user's role in the mission, or None. Superusers count as coordinators."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return MemberRole.COORDINATOR
    cache = getattr(user, "_mission_roles", None)
    if cache is None:
        memberships = Membership.objects.filter(user=user)
        device_mission = device_mission_id(user)
        if device_mission is not None:
            memberships = memberships.filter(mission_id=device_mission, role=MemberRole.OBSERVER)
        cache = dict(memberships.values_list("mission_id", "role"))
        user._mission_roles = cache
    return cache.get(int(mission_id))


def device_mission_id(user) -> int | None:
    """The one mission a user signed in with a device token acts in: as that mission's
    observer, and nothing else of the account (common/authentication.py). None: the account."""
    return getattr(user, "device_mission_id", None)


def missions_for(*, user, roles=ALL_ROLES):
    """The missions in which the user holds one of ``roles``."""
    if not user.is_authenticated:
        return Mission.objects.none()
    if user.is_superuser:
        return Mission.objects.all()
    device_mission = device_mission_id(user)
    if device_mission is not None:
        if MemberRole.OBSERVER not in roles:
            return Mission.objects.none()
        roles, only = [MemberRole.OBSERVER], {"pk": device_mission}
    else:
        only = {}
    return Mission.objects.filter(
        memberships__user=user, memberships__role__in=roles, **only
    ).distinct()


def mission_for(*, user, mission_id, roles=ALL_ROLES) -> Mission:
    """The mission if the user holds one of ``roles`` in it; otherwise Http404."""
    mission_id = object_id(mission_id)
    if mission_id is None:
        raise Http404
    if role_in(user=user, mission_id=mission_id) not in roles:
        raise Http404
    try:
        return Mission.objects.get(pk=mission_id)
    except Mission.DoesNotExist:
        raise Http404 from None


def forget_roles(user) -> None:
    """Drop the per-request role cache after memberships change."""
    if hasattr(user, "_mission_roles"):
        del user._mission_roles


def coordinator_mission_for(*, user, mission_id) -> Mission:
    """The mission if the user coordinates it.

    Analysts see the mission but change nothing: PermissionDenied (403). Anyone else gets
    Http404, as for every other object they may not see.
    """
    mission = mission_for(user=user, mission_id=mission_id, roles=STAFF_ROLES)
    if role_in(user=user, mission_id=mission.pk) != MemberRole.COORDINATOR:
        raise PermissionDenied
    return mission


def may_create_missions(*, user) -> bool:
    """Platform staff and whoever coordinates a mission may set a new one up."""
    if not user.is_authenticated or device_mission_id(user) is not None:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return MemberRole.COORDINATOR in roles_of(user=user).values()


def roles_of(*, user) -> dict[int, str]:
    """Every mission the user holds a role in, as ``{mission_id: role}`` (cached per request).

    Superusers get an empty dict: callers check ``user.is_superuser`` for platform staff.
    """
    if not user.is_authenticated or user.is_superuser:
        return {}
    role_in(user=user, mission_id=0)  # fills the per-request cache
    return user._mission_roles


def object_or_404(queryset, pk):
    """``queryset.get(pk=pk)``, or Http404 when there is none or ``pk`` is not a whole number.

    For ids that arrive in a form or a query string: ``get_object_or_404(..., pk="abc")``
    would raise ValueError, a 500, on a client's typo.
    """
    pk = object_id(pk)
    if pk is None:
        raise Http404
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None
