"""Reads of the missions app: samples, teams, deployments and the audit log."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Prefetch

from .models import (
    Area,
    AuditEvent,
    Deployment,
    Observer,
    PollingStation,
    SampleStation,
    Team,
)


def sample_stations(*, sample):
    """The sampled stations, stratum by stratum, with what an estimator needs."""
    return (
        SampleStation.objects.filter(sample=sample)
        .select_related("station__region", "station__district")
        .order_by("stratum", "station__code", "id")
    )


def deployment_list(*, mission, **filters):
    """The mission's deployments with their team, area and stations (by code)."""
    return (
        Deployment.objects.filter(mission=mission, **filters)
        .select_related("team", "area")
        .prefetch_related(
            Prefetch(
                "stations",
                queryset=PollingStation.objects.order_by("code", "id").only("id", "code", "name"),
            )
        )
        .order_by("day", "team__code", "id")
    )


@dataclass
class TeamCard:
    team: Team
    observers: list = field(default_factory=list)
    deployments: list = field(default_factory=list)


def teams_overview(*, mission) -> tuple[list[TeamCard], list[Observer]]:
    """Every team with its observers and deployments, and the observers in no team.

    Four queries whatever the size of the mission.
    """
    cards = {
        t.pk: TeamCard(team=t) for t in Team.objects.filter(mission=mission).order_by("code", "id")
    }
    unassigned = []
    observers = (
        Observer.objects.filter(mission=mission)
        .select_related("user", "organisation")
        .order_by("full_name", "id")
    )
    for observer in observers:
        if observer.team_id in cards:
            cards[observer.team_id].observers.append(observer)
        else:
            unassigned.append(observer)
    for deployment in deployment_list(mission=mission):
        cards[deployment.team_id].deployments.append(deployment)
    return list(cards.values()), unassigned


def deployment_areas(*, mission) -> list[Area]:
    """Regions and districts for the deployment form, each region followed by its districts."""
    areas = list(Area.objects.filter(mission=mission, depth__lte=2).order_by("depth", "name", "id"))
    children = defaultdict(list)
    for area in areas:
        if area.depth == 2:
            children[area.parent_id].append(area)
    ordered = []
    for area in areas:
        if area.depth == 1:
            ordered.append(area)
            ordered.extend(children[area.pk])
    return ordered


def deployment_days(*, mission) -> list[dt.date]:
    return list(
        Deployment.objects.filter(mission=mission)
        .order_by("day")
        .values_list("day", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------------------------------------
# The audit log


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is narrowed to; empty values filter nothing."""

    action: str = ""
    object_type: str = ""
    actor: str = ""  # a username
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive


def audit_events(*, mission, filters: AuditFilters):
    """The mission's audit events, newest first, with their actors."""
    events = AuditEvent.objects.filter(mission=mission)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.actor:
        events = events.filter(actor__username=filters.actor)
    if filters.since is not None:
        events = events.filter(at__gte=filters.since)
    if filters.until is not None:
        events = events.filter(at__lt=filters.until)
    return events.select_related("actor").order_by("-at", "-id")


# The filter choices take one pass over the mission's audit rows (about 0.6 s at a million
# events): kept for a minute, so a new kind of event shows up in the menus within one.
AUDIT_CHOICES_SECONDS = 60


def audit_filter_choices(*, mission) -> dict:
    """The actions, object types and actors that occur in the mission's audit log."""
    key = f"missions:audit-choices:{mission.pk}"
    choices = cache.get(key)
    if choices is not None:
        return choices
    events = AuditEvent.objects.filter(mission=mission)
    pairs = list(events.order_by().values_list("action", "object_type").distinct())
    choices = {
        "actions": sorted({action for action, _ in pairs}),
        "object_types": sorted({object_type for _, object_type in pairs}),
        "actors": list(
            get_user_model()
            .objects.filter(pk__in=events.filter(actor__isnull=False).values("actor_id"))
            .order_by("username")
            .values_list("username", flat=True)
        ),
    }
    cache.set(key, choices, AUDIT_CHOICES_SECONDS)
    return choices


def audit_changes(*, before: dict | None, after: dict | None) -> list[dict]:
    """The keys whose values differ between ``before`` and ``after``, in the order they come.

    A created object (no ``before``) shows every key of ``after``; a deleted one (no
    ``after``) every key of ``before``. A value that is not a dict (an old event, a list) is
    shown whole under the key ``""``.
    """
    if before is not None and not isinstance(before, dict):
        before = {"": before}
    if after is not None and not isinstance(after, dict):
        after = {"": after}
    old, new = before or {}, after or {}
    keys = list(old) + [key for key in new if key not in old]
    return [
        {
            "key": key,
            "before": old.get(key),
            "after": new.get(key),
            "had_before": key in old,
            "has_after": key in new,
        }
        for key in keys
        if key not in old or key not in new or old[key] != new[key]
    ]
