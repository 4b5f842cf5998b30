"""Writes to the missions app."""

from django.db import transaction

from observation.services import checklists_create_default

from .access import forget_roles
from .audit import audit_record
from .models import MemberRole, Membership, Mission


@transaction.atomic
def mission_create(*, user, data: dict, now=None) -> Mission:
    """Create a mission with its default checklists; the creator becomes its coordinator."""
    mission = Mission(**data)
    mission.full_clean()
    mission.save()
    Membership.objects.create(user=user, mission=mission, role=MemberRole.COORDINATOR)
    forget_roles(user)
    checklists_create_default(mission=mission)
    audit_record(
        actor=user,
        mission=mission,
        action="mission.create",
        obj=mission,
        after=data_of(mission),
        at=now,
    )
    return mission


def data_of(mission: Mission) -> dict:
    return {
        "name": mission.name,
        "country": mission.country,
        "election_date": str(mission.election_date),
        "timezone": mission.timezone,
        "polls_open": str(mission.polls_open)[:5],
        "polls_close": str(mission.polls_close)[:5],
        "registered_voters": mission.registered_voters,
    }
