"""Writes for deployment planning: teams, who is in them, and where they go on which day."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Area, Deployment, Observer, PollingStation, Team

SEPARATORS = re.compile(r"[\s,;]+")


def split_list(text: str) -> list[str]:
    """``"a, b\\nc"`` -> ``["a", "b", "c"]``, duplicates dropped, order kept."""
    seen, items = set(), []
    for item in SEPARATORS.split(text or ""):
        if item and item not in seen:
            seen.add(item)
            items.append(item)
    return items


@transaction.atomic
def team_create(*, mission, code: str, actor, now=None) -> Team:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": [_("Give the team a code, such as T042.")]})
    if len(code) > 64:
        raise ValidationError({"code": [_("At most 64 characters.")]})
    if Team.objects.filter(mission=mission, code__iexact=code).exists():
        raise ValidationError(
            {"code": [_("The mission already has a team %(code)s.") % {"code": code}]}
        )
    team = Team.objects.create(mission=mission, code=code)
    audit_record(
        actor=actor, mission=mission, action="team.create", obj=team, after={"code": code}, at=now
    )
    return team


@transaction.atomic
def team_assign(*, mission, team: Team, usernames: list[str], actor, now=None) -> int:
    """Move the observers with these usernames into ``team``; all of them or none."""
    if team.mission_id != mission.pk:
        raise ValidationError({"team": [_("Unknown team.")]})
    if not usernames:
        raise ValidationError({"usernames": [_("Name at least one observer.")]})
    observers = list(
        Observer.objects.filter(mission=mission, user__username__in=usernames)
        .select_related("user", "team")
        .order_by("id")
    )
    found = {o.user.username for o in observers}
    missing = [u for u in usernames if u not in found]
    if missing:
        raise ValidationError(
            {
                "usernames": [
                    _("No observer of this mission has the username: %(names)s.")
                    % {"names": ", ".join(missing)}
                ]
            }
        )
    before = {o.user.username: (o.team.code if o.team else None) for o in observers}
    Observer.objects.filter(pk__in=[o.pk for o in observers]).update(team=team)
    audit_record(
        actor=actor,
        mission=mission,
        action="team.assign",
        obj=team,
        before={"teams": before},
        after={"team": team.code, "observers": sorted(found)},
        at=now,
    )
    return len(observers)


@transaction.atomic
def observer_unassign(*, mission, observer: Observer, actor, now=None) -> None:
    if observer.mission_id != mission.pk:
        raise ValidationError({"observer": [_("Unknown observer.")]})
    before = observer.team.code if observer.team else None
    observer.team = None
    observer.save(update_fields=["team"])
    audit_record(
        actor=actor,
        mission=mission,
        action="team.unassign",
        obj=observer,
        before={"team": before},
        after={"team": None},
        at=now,
    )


@transaction.atomic
def deployment_create(
    *,
    mission,
    team: Team,
    day: dt.date,
    area: Area | None = None,
    station_codes: list[str] = (),
    notes: str = "",
    actor,
    now=None,
) -> Deployment:
    """Send ``team`` to an area, or to a list of stations (by code), or both, on ``day``."""
    errors = {}
    if team is None or team.mission_id != mission.pk:
        errors["team"] = [_("Choose one of the mission's teams.")]
    if area is not None and area.mission_id != mission.pk:
        errors["area"] = [_("Choose one of the mission's areas.")]
    if area is None and not station_codes:
        errors["stations"] = [_("Choose an area or list the stations' codes.")]
    stations = list(PollingStation.objects.filter(mission=mission, code__in=station_codes))
    missing = sorted(set(station_codes) - {s.code for s in stations})
    if missing:
        errors["stations"] = [
            _("No polling station of this mission has the code: %(codes)s.")
            % {"codes": ", ".join(missing)}
        ]
    if errors:
        raise ValidationError(errors)
    deployment = Deployment.objects.create(
        mission=mission, team=team, day=day, area=area, notes=notes.strip()
    )
    deployment.stations.set(stations)
    audit_record(
        actor=actor,
        mission=mission,
        action="deployment.create",
        obj=deployment,
        after={
            "team": team.code,
            "day": str(day),
            "area": area.code if area else None,
            "stations": sorted(s.code for s in stations),
        },
        at=now,
    )
    return deployment


@transaction.atomic
def deployment_delete(*, mission, deployment: Deployment, actor, now=None) -> None:
    if deployment.mission_id != mission.pk:
        raise ValidationError({"deployment": [_("Unknown deployment.")]})
    before = {
        "team": deployment.team.code,
        "day": str(deployment.day),
        "area": deployment.area.code if deployment.area else None,
        "stations": sorted(deployment.stations.values_list("code", flat=True)),
    }
    audit_record(
        actor=actor,
        mission=mission,
        action="deployment.delete",
        obj=deployment,
        before=before,
        at=now,
    )
    deployment.delete()
