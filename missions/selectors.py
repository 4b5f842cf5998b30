"""Reads of the missions app: samples, teams, deployments and the audit log."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Prefetch, Q

from .models import (
    Area,
    AuditEvent,
    Deployment,
    Observer,
    Organisation,
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


@dataclass(frozen=True)
class TeamFilters:
    """What the teams page is narrowed to; empty values filter nothing."""

    search: str = ""  # part of a team's code, or of an observer's name or username
    region_id: int | None = None  # teams deployed there (an area in it, or its stations)
    organisation_id: int | None = None  # teams with an observer of it

    @property
    def active(self) -> bool:
        return bool(self.search or self.region_id or self.organisation_id)


def _areas_within(*, mission, area_id: int) -> set[int]:
    """``area_id`` and every area below it, at any depth. One query."""
    children = defaultdict(list)
    for pk, parent_id in Area.objects.filter(mission=mission).values_list("id", "parent_id"):
        children[parent_id].append(pk)
    found, todo = set(), [area_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children[pk])
    return found


def teams_matching(*, mission, filters: TeamFilters):
    """The mission's teams that ``filters`` keep, by code: a queryset to paginate."""
    teams = Team.objects.filter(mission=mission)
    if filters.search:
        text = filters.search
        teams = teams.filter(
            Q(code__icontains=text)
            | Q(observers__full_name__icontains=text)
            | Q(observers__user__username__icontains=text)
        )
    if filters.organisation_id:
        teams = teams.filter(observers__organisation_id=filters.organisation_id)
    if filters.region_id:
        areas = _areas_within(mission=mission, area_id=filters.region_id)
        teams = teams.filter(
            Q(deployments__area_id__in=areas)
            | Q(deployments__stations__region_id=filters.region_id)
        )
    if filters.active:  # the joins above repeat a team once per matching row
        teams = Team.objects.filter(pk__in=teams.values("pk"))
    return teams.order_by("code", "id")


def team_cards(*, mission, teams) -> list[TeamCard]:
    """``teams`` (a page of them) with their observers and deployments. Three queries."""
    cards = {team.pk: TeamCard(team=team) for team in teams}
    observers = (
        Observer.objects.filter(mission=mission, team_id__in=list(cards))
        .select_related("user", "organisation")
        .order_by("full_name", "id")
    )
    for observer in observers:
        cards[observer.team_id].observers.append(observer)
    for deployment in deployment_list(mission=mission, team_id__in=list(cards)):
        cards[deployment.team_id].deployments.append(deployment)
    return list(cards.values())


def observers_unassigned(*, mission, filters: TeamFilters):
    """The observers in no team that ``filters`` keep, by name (none when narrowed to a
    region: who is in no team is deployed nowhere)."""
    observers = Observer.objects.filter(mission=mission, team=None)
    if filters.region_id:
        return observers.none()
    if filters.search:
        observers = observers.filter(
            Q(full_name__icontains=filters.search) | Q(user__username__icontains=filters.search)
        )
    if filters.organisation_id:
        observers = observers.filter(organisation_id=filters.organisation_id)
    return observers.select_related("user", "organisation").order_by("full_name", "id")


def team_filter_choices(*, mission) -> dict:
    """The regions and organisations the teams page filters by."""
    return {
        "regions": list(
            Area.objects.filter(mission=mission, depth=1)
            .order_by("name", "id")
            .values("id", "name")
        ),
        "organisations": list(
            Organisation.objects.filter(mission=mission).order_by("name", "id").values("id", "name")
        ),
    }


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
