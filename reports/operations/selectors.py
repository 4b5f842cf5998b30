"""Reads of the operations room: who has not reported, incidents, messages, live figures.

Every function costs a fixed number of queries whatever the number of teams, visits or
findings (asserted in tests/reports/operations/). The live figures read the aggregate tables
(``reports.models.CoverageAggregate`` and ``FindingAggregate``, national rows) plus one
count of the incidents nobody has triaged; the answer is cached for ``LIVE_CACHE_SECONDS``
per mission, so 200 dashboards polling every few seconds cost one computation a second
(BENCHMARKS.md, "Live figures").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from missions.languages import mission_language, observer_languages
from missions.models import Area, Deployment, MemberRole, Membership, Mission, Observer, Team
from missions.report_due import report_due_at
from observation.models import Finding, Severity, Visit, VisitStatus

from ..models import (
    NATIONAL_CODE,
    AggregateState,
    CoverageAggregate,
    FindingAggregate,
    IncidentNote,
    IncidentTriage,
    MessageRecipient,
    ObserverMessage,
    TeamContact,
    Triage,
)

INCIDENT_SEVERITIES = (Severity.SERIOUS, Severity.CRITICAL)
OK, PENDING, MISSING = "OK", "PENDING", "MISSING"
REPORTING_STATUSES = (MISSING, PENDING, OK)
LIVE_CACHE_SECONDS = 1
# A NEW incident older than this is highlighted: nobody has looked at it for too long.
STALE_NEW_MINUTES = 15


# --- where teams are deployed ------------------------------------------------------------------


def team_area_ids(*, mission) -> dict[int, set[int]]:
    """For each team deployed on election day, every area it covers: the deployment's area
    and the areas above it, and for station deployments each station's region, district and
    leaf area. Three queries."""
    parents = dict(Area.objects.filter(mission=mission).values_list("id", "parent_id"))
    deployed = Deployment.objects.filter(mission=mission, day=mission.election_date)
    covered: dict[int, set[int]] = {}
    for team_id, area_id in deployed.exclude(area=None).values_list("team_id", "area_id"):
        areas = covered.setdefault(team_id, set())
        while area_id is not None and area_id not in areas:
            areas.add(area_id)
            area_id = parents.get(area_id)
    stations = Deployment.stations.through.objects.filter(deployment__in=deployed).values_list(
        "deployment__team_id",
        "pollingstation__region_id",
        "pollingstation__district_id",
        "pollingstation__area_id",
    )
    for team_id, *area_ids in stations:
        covered.setdefault(team_id, set()).update(a for a in area_ids if a is not None)
    return covered


def areas_by_code(*, mission) -> dict[str, dict]:
    return {
        a["code"]: a
        for a in Area.objects.filter(mission=mission).values("id", "code", "name", "depth")
    }


# --- reporting status ---------------------------------------------------------------------------


@dataclass
class ReportingStatus:
    stage: str
    due_at: dt.datetime
    as_of: dt.datetime
    rows: list[dict]
    counts: dict[str, int]


def reporting_status(
    *,
    mission,
    stage: str,
    now: dt.datetime,
    with_contacts: bool,
    region_id: int | None = None,
    organisation_id: int | None = None,
) -> ReportingStatus:
    """Every team's reports of ``stage``: OK, PENDING (none yet, not due) or MISSING (none,
    due), its observers, the last contact; teams with no report first. Six queries.

    ``with_contacts``: the observers' phone and e-mail (coordinators); None otherwise.
    """
    due_at = report_due_at(mission=mission, stage=stage)
    late = now >= due_at
    teams = Team.objects.filter(mission=mission)
    if region_id:
        covered = team_area_ids(mission=mission)
        teams = teams.filter(pk__in=[t for t, areas in covered.items() if region_id in areas])
    if organisation_id:
        teams = teams.filter(observers__organisation_id=organisation_id).distinct()
    teams = list(teams.order_by("code", "id").values("id", "code"))
    team_ids = [t["id"] for t in teams]
    counted = Visit.objects.filter(mission=mission, stage=stage, team_id__in=team_ids).exclude(
        status=VisitStatus.REJECTED
    )
    stats = {
        row["team_id"]: row
        for row in counted.values("team_id").annotate(reports=Count("id"), last=Max("arrived_at"))
    }
    last_station = dict(
        counted.order_by("team_id", "-arrived_at", "-id")
        .distinct("team_id")
        .values_list("team_id", "station__code")
    )
    observers: dict[int, list[dict]] = {}
    for o in (
        Observer.objects.filter(mission=mission, team_id__in=team_ids)
        .order_by("full_name", "id")
        .values("id", "full_name", "phone", "email", "team_id")
    ):
        observers.setdefault(o["team_id"], []).append(
            {
                "id": o["id"],
                "full_name": o["full_name"],
                "phone": (o["phone"] or None) if with_contacts else None,
                "email": (o["email"] or None) if with_contacts else None,
            }
        )
    contacts = {
        c["team_id"]: {"at": c["at"], "by": c["by__username"], "note": c["note"]}
        for c in TeamContact.objects.filter(mission=mission, stage=stage, team_id__in=team_ids)
        .order_by("team_id", "-at", "-id")
        .distinct("team_id")
        .values("team_id", "at", "by__username", "note")
    }
    tz = mission.tzinfo
    rows = []
    for team in teams:
        stat = stats.get(team["id"])
        reports = stat["reports"] if stat else 0
        status = OK if reports else (MISSING if late else PENDING)
        contact = contacts.get(team["id"])
        rows.append(
            {
                "team": team["code"],
                "team_id": team["id"],
                "status": status,
                "reports": reports,
                "last_report_at": stat["last"].astimezone(tz) if stat else None,
                "last_station": last_station.get(team["id"]),
                "observers": observers.get(team["id"], []),
                "last_contact": {**contact, "at": contact["at"].astimezone(tz)}
                if contact
                else None,
            }
        )
    rows.sort(key=lambda r: (r["reports"] > 0, r["team"]))
    counts = {status: 0 for status in REPORTING_STATUSES}
    for row in rows:
        counts[row["status"]] += 1
    return ReportingStatus(
        stage=stage, due_at=due_at, as_of=now.astimezone(tz), rows=rows, counts=counts
    )


# --- incidents ----------------------------------------------------------------------------------


def incidents(
    *,
    mission,
    triage: str | None = None,
    severity: str | None = None,
    region_code: str | None = None,
):
    """Every serious and critical finding of the mission, newest first, each once (findings of
    rejected visits left out; dismissed ones stay). A queryset: the caller paginates it and
    ``incidents_load`` fills one page in."""
    findings = (
        Finding.objects.filter(visit__mission=mission, severity__in=INCIDENT_SEVERITIES)
        .exclude(visit__status=VisitStatus.REJECTED)
        .select_related("visit__station__region", "visit__team", "triage__assignee")
    )
    if severity:
        findings = findings.filter(severity=severity)
    if region_code:
        findings = findings.filter(visit__station__region__code=region_code)
    if triage == Triage.NEW:
        findings = findings.filter(Q(triage__isnull=True) | Q(triage__status=Triage.NEW))
    elif triage:
        findings = findings.filter(triage__status=triage)
    return findings.order_by("-created_at", "-id")


def incidents_load(findings) -> list[Finding]:
    """One page of incidents with their notes and photo counts (two queries more)."""
    findings = list(findings)
    ids = [f.pk for f in findings]
    notes: dict[int, list] = {}
    for note in (
        IncidentNote.objects.filter(finding_id__in=ids)
        .select_related("author")
        .order_by("at", "id")
    ):
        notes.setdefault(note.finding_id, []).append(note)
    photos = dict(
        Finding.objects.filter(pk__in=ids).annotate(n=Count("photos")).values_list("id", "n")
    )
    labels = dict(Triage.choices)
    for finding in findings:
        finding.notes_list = notes.get(finding.pk, [])
        finding.photo_count = photos.get(finding.pk, 0)
        state = getattr(finding, "triage", None) if _has_triage(finding) else None
        finding.triage_status = state.status if state else Triage.NEW
        finding.triage_label = labels[finding.triage_status]
        finding.assignee_name = state.assignee.username if state and state.assignee else None
    return findings


def _has_triage(finding) -> bool:
    try:
        finding.triage  # noqa: B018
    except IncidentTriage.DoesNotExist:
        return False
    return True


def incident_for(*, mission, finding_id) -> Finding | None:
    """One incident of the mission (a serious or critical finding of a visit not rejected)."""
    found = incidents(mission=mission).filter(pk=finding_id)
    loaded = incidents_load(found)
    return loaded[0] if loaded else None


def incident_assignees(*, mission) -> list[str]:
    """Usernames an incident may be assigned to: the mission's coordinators."""
    return list(
        Membership.objects.filter(mission=mission, role=MemberRole.COORDINATOR)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def incidents_new_count(*, mission) -> int:
    """Incidents nobody has triaged yet (the badge on every coordinator page)."""
    triaged = IncidentTriage.objects.filter(finding=OuterRef("pk")).exclude(status=Triage.NEW)
    return (
        Finding.objects.filter(visit__mission=mission, severity__in=INCIDENT_SEVERITIES)
        .exclude(visit__status=VisitStatus.REJECTED)
        .exclude(Exists(triaged))
        .count()
    )


# --- live figures -------------------------------------------------------------------------------


def live_cache_key(mission_id: int) -> str:
    return f"ops-live:{mission_id}"


def live_figures(*, mission_id: int) -> dict | None:
    """``{"as_of", "visits", "stations_visited", "findings": {...}, "incidents_new"}`` from the
    national aggregate rows, cached for a second per mission (five queries when not; None when
    the mission does not exist). The caller has checked who may see it."""
    key = live_cache_key(mission_id)
    cached = cache.get(key)
    if cached is not None:
        return cached
    mission = Mission.objects.filter(pk=mission_id).only("id", "timezone").first()
    if mission is None:
        return None
    as_of = AggregateState.objects.filter(mission=mission).values_list("as_of", flat=True).first()
    coverage = (
        CoverageAggregate.objects.filter(mission=mission, level="national", area_code=NATIONAL_CODE)
        .values("visits", "stations_visited", "stations_total")
        .first()
    ) or {"visits": 0, "stations_visited": 0, "stations_total": 0}
    findings = {severity: 0 for severity in reversed(Severity.values)}
    for severity, count in (
        FindingAggregate.objects.filter(mission=mission, level="national")
        .values_list("severity")
        .annotate(n=Sum("count"))
    ):
        findings[severity] = count
    answer = {
        "as_of": as_of.astimezone(mission.tzinfo).isoformat() if as_of else None,
        "visits": coverage["visits"],
        "stations_visited": coverage["stations_visited"],
        "stations_total": coverage["stations_total"],
        "findings": findings,
        "incidents_new": incidents_new_count(mission=mission),
    }
    cache.set(key, answer, timeout=LIVE_CACHE_SECONDS)
    return answer


# --- messages -----------------------------------------------------------------------------------


def mission_messages(*, mission):
    """The mission's messages, newest first, each with how many of its recipients read it."""
    return (
        ObserverMessage.objects.filter(mission=mission)
        .select_related("sent_by")
        .annotate(read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)))
        .order_by("-sent_at", "-id")
    )


def message_text(*, message, languages: list[str], default_language: str) -> str:
    """The message in the first of ``languages`` it has (its ``text`` is in the mission's
    default language)."""
    for language in languages:
        if language == default_language:
            return message.text
        translated = (message.text_i18n or {}).get(language)
        if translated:
            return translated
    return message.text


def observer_messages(*, user, mission_id: int | None = None):
    """The user's deliveries (as an observer of any mission), newest message first."""
    # The account's language comes along ("" without a profile): no query per message.
    deliveries = (
        MessageRecipient.objects.filter(observer__user=user)
        .select_related("message__mission", "observer")
        .annotate(account_language=Coalesce(F("observer__user__profile__language"), Value("")))
    )
    if mission_id is not None:
        deliveries = deliveries.filter(message__mission_id=mission_id)
    return deliveries.order_by("-message__sent_at", "-message_id")


def delivery_text(delivery) -> str:
    mission = delivery.message.mission
    return message_text(
        message=delivery.message,
        languages=observer_languages(
            observer=delivery.observer,
            account=getattr(delivery, "account_language", None),
            mission=mission,
        ),
        default_language=mission_language(mission=mission),
    )


def observer_unread_count(*, observer) -> int:
    return MessageRecipient.objects.filter(observer=observer, read_at__isnull=True).count()
