"""Reads of the observation app: checklists, the visits a user may see, who may act on them."""

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.functional import empty

from common.parsing import object_id
from common.prepared import Statement
from missions.access import STAFF_ROLES, device_mission_id, roles_of
from missions.models import MemberRole, Mission, Observer, PollingStation, Team

from .models import Checklist, Finding, FindingPhoto, Question, Stage, Visit

STAGE_ORDER = Case(
    *[When(stage=stage, then=Value(i)) for i, stage in enumerate(Stage.values)],
    output_field=IntegerField(),
)


def checklists_for_mission(
    *, mission, all_versions: bool = False, version: int | None = None, stage: str | None = None
) -> QuerySet[Checklist]:
    """The mission's checklists with their questions: current ones unless asked otherwise."""
    checklists = Checklist.objects.filter(mission=mission)
    if version is not None:
        checklists = checklists.filter(version=version)
    elif not all_versions:
        checklists = checklists.filter(is_current=True)
    if stage:
        checklists = checklists.filter(stage=stage)
    return checklists.prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    ).order_by(STAGE_ORDER, "version", "id")


def _select_list(model, alias) -> tuple[str, list[str]]:
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{f.column}"' for f in fields), [f.attname for f in fields]


_OBSERVER_COLUMNS, _OBSERVER_NAMES = _select_list(Observer, "o")
_MISSION_COLUMNS, _MISSION_NAMES = _select_list(Mission, "m")
_TEAM_COLUMNS, _TEAM_NAMES = _select_list(Team, "t")
# In the model's field order: ``from_db`` with some fields deferred takes values in that order.
_STATION_NAMES = ["id", "mission_id", "code", "registered_voters"]
_PROFILES_SQL = f"""
SELECT {_OBSERVER_COLUMNS}, {_MISSION_COLUMNS}, {_TEAM_COLUMNS},
       s.id, s.mission_id, s.code, s.registered_voters
FROM {Observer._meta.db_table} o
JOIN {Mission._meta.db_table} m ON m.id = o.mission_id
LEFT JOIN {Team._meta.db_table} t ON t.id = o.team_id
LEFT JOIN {PollingStation._meta.db_table} s ON s.mission_id = o.mission_id AND {{station}}
WHERE o.user_id = %s
ORDER BY s.id IS NULL, o.id
LIMIT 2
"""  # noqa: S608 - table and column names from the models, values as parameters


_profiles_statements = {}


def _profile(row, *, user, db) -> tuple[Observer, PollingStation | None]:
    """An observer (``mission``, ``team`` and ``user`` cached) and the station from a row."""
    n_observer, n_mission, n_team = len(_OBSERVER_NAMES), len(_MISSION_NAMES), len(_TEAM_NAMES)
    observer = Observer.from_db(db, _OBSERVER_NAMES, row[:n_observer])
    mission = Mission.from_db(db, _MISSION_NAMES, row[n_observer : n_observer + n_mission])
    team_values = row[n_observer + n_mission : n_observer + n_mission + n_team]
    station_values = row[n_observer + n_mission + n_team :]
    Observer.mission.field.set_cached_value(observer, mission)
    team = Team.from_db(db, _TEAM_NAMES, team_values) if observer.team_id else None
    Observer.team.field.set_cached_value(observer, team)
    Observer.user.field.set_cached_value(observer, user)
    station = None
    if station_values[0] is not None:
        station = PollingStation.from_db(db, _STATION_NAMES, station_values)
        PollingStation.mission.field.set_cached_value(station, mission)
    return observer, station


def observer_for_submission(*, user, payload) -> tuple[Observer, PollingStation | None]:
    """The caller's observer profile in the mission of the station the payload names, and
    that station (``id``, ``code``, ``registered_voters``), in one query.

    PermissionDenied if the user is an observer of no mission at all (a 403: they may not
    submit visits). If the station is unknown or not in one of the user's missions, any of
    their profiles (the first) and no station: ``visit_submit`` then reports the station as
    a 400, as API.md asks for an unknown or other-mission station. A ``station_code`` that
    names a station in two of the user's missions is as good as unknown.

    The observer comes with ``mission``, ``team`` and ``user`` (the caller's ``user``
    itself, already loaded by authentication) in place.
    """
    if not isinstance(payload, dict):
        payload = {}
    wrapped = getattr(user, "_wrapped", empty)  # the User behind a session's lazy request.user
    if wrapped is not empty:
        user = wrapped
    station, code = payload.get("station"), payload.get("station_code")
    condition, params = "1 = 0", []
    if isinstance(station, int | str) and not isinstance(station, bool):
        station_id = object_id(station)
        if station_id is not None:
            condition, params = "s.id = %s", [station_id]
    elif station is None and isinstance(code, str) and code:
        condition, params = "s.code = %s", [code]
    db = router.db_for_read(Observer)
    if condition not in _profiles_statements:
        _profiles_statements[condition] = Statement(
            "submission_profiles", _PROFILES_SQL.format(station=condition)
        )
    with connections[db].cursor() as cursor:
        _profiles_statements[condition].execute(cursor, [*params, user.pk], using=db)
        rows = cursor.fetchall()
    profiles = [_profile(row, user=user, db=db) for row in rows]
    device_mission = device_mission_id(user)
    if device_mission is not None:  # a device token: its observer's profile only
        profiles = [p for p in profiles if p[0].mission_id == device_mission]
    if not profiles:
        raise PermissionDenied("Only observers of the station's mission submit visits.")
    matched = [profile for profile in profiles if profile[1] is not None]
    if len(matched) == 1:
        return matched[0]
    if not matched:
        return profiles[0][0], None
    # The code names a station in two of the user's missions: their first profile, no station.
    first = Observer.objects.filter(user=user).select_related("mission", "team").order_by("id")
    if device_mission is not None:
        first = first.filter(mission_id=device_mission)
    observer = first[0]
    Observer.user.field.set_cached_value(observer, user)
    return observer, None


def _visible(*, user) -> Q | None:
    """A filter for the visits the user may read, or None for everything (platform staff)."""
    if user.is_superuser:
        return None
    roles = roles_of(user=user)
    condition = Q(mission_id__in=[m for m, role in roles.items() if role in STAFF_ROLES])
    if MemberRole.OBSERVER in roles.values():
        missions = [m for m, role in roles.items() if role == MemberRole.OBSERVER]
        profiles = list(
            Observer.objects.filter(user=user, mission_id__in=missions).values_list("id", "team_id")
        )
        teams = [team for _, team in profiles if team is not None]
        condition |= Q(team_id__in=teams) | Q(observer_id__in=[pk for pk, _ in profiles])
    return condition


def visits_visible_to(*, user) -> QuerySet[Visit]:
    """Observers see their team's visits; coordinators and analysts their missions'."""
    if not user.is_authenticated:
        return Visit.objects.none()
    condition = _visible(user=user)
    visits = Visit.objects.all() if condition is None else Visit.objects.filter(condition)
    return (
        visits.select_related("mission", "station", "team", "observer")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.order_by("id").prefetch_related(
                    Prefetch("photos", queryset=FindingPhoto.objects.order_by("id"))
                ),
            )
        )
        .order_by("-arrived_at", "-id")
    )


def visit_for_review(*, user, visit_id) -> Visit:
    """A visit the user may review: Http404 if they cannot see it, PermissionDenied if they
    can see it but are not a coordinator of its mission."""
    visit = visits_visible_to(user=user).filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    _require_role(user=user, mission_id=visit.mission_id, roles=(MemberRole.COORDINATOR,))
    return visit


def _require_role(*, user, mission_id, roles) -> None:
    if user.is_superuser:
        return
    if roles_of(user=user).get(mission_id) not in roles:
        raise PermissionDenied("Your role in this mission may not do this.")


def finding_for_action(*, user, finding_id, team_may: bool) -> Finding:
    """A finding of a visit the user can see, for a coordinator (or, with ``team_may``, an
    observer of the visit's team). Http404 if invisible, PermissionDenied if read-only."""
    visible = _visible(user=user) if user.is_authenticated else Q(pk__in=[])
    findings = Finding.objects.select_related("visit__mission")
    if visible is not None:
        findings = findings.filter(visit__in=Visit.objects.filter(visible).values("id"))
    finding = findings.filter(pk=finding_id).first()
    if finding is None:
        raise Http404
    role = None if user.is_superuser else roles_of(user=user).get(finding.visit.mission_id)
    if user.is_superuser or role == MemberRole.COORDINATOR:
        return finding
    if team_may and role == MemberRole.OBSERVER and _in_team(user=user, visit=finding.visit):
        return finding
    raise PermissionDenied("Your role in this mission may not do this.")


def _in_team(*, user, visit) -> bool:
    profiles = Observer.objects.filter(user=user, mission_id=visit.mission_id)
    if visit.team_id is not None:
        return profiles.filter(team_id=visit.team_id).exists()
    return profiles.filter(pk=visit.observer_id).exists()


def photo_for_download(*, user, photo_id) -> FindingPhoto:
    """A finding photo, for the coordinators and analysts of its mission only (else Http404)."""
    photo = (
        FindingPhoto.objects.select_related("finding__visit").filter(pk=photo_id).first()
        if user.is_authenticated
        else None
    )
    if photo is None:
        raise Http404
    if (
        not user.is_superuser
        and roles_of(user=user).get(photo.finding.visit.mission_id) not in STAFF_ROLES
    ):
        raise Http404
    return photo


def observer_for_coordinator(*, user, observer_id) -> Observer:
    """An observer of a mission the user coordinates. Http404 unless the user can see the
    mission's observers; PermissionDenied for an analyst (who sees them read-only)."""
    observer = (
        Observer.objects.select_related("mission", "user").filter(pk=observer_id).first()
        if user.is_authenticated
        else None
    )
    if observer is None:
        raise Http404
    if user.is_superuser:
        return observer
    role = roles_of(user=user).get(observer.mission_id)
    if role not in STAFF_ROLES:
        raise Http404
    if role != MemberRole.COORDINATOR:
        raise PermissionDenied("Only the mission's coordinators manage device tokens.")
    return observer
