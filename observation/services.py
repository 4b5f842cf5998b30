"""Writes to the observation app: checklists, visit submission, review, photos, device tokens.

Every mutation runs in one transaction with its revision and audit rows, and every change to
visits or findings calls ``reports.pipeline.visits_changed`` in that transaction so the
aggregates follow after commit. Callers compute
``now`` at the edge (view, task) and pass it in. Permission checks belong to the caller
(``missions.access``), except that the review services refuse anyone but a coordinator of
the visit's mission as a last line of defence.
"""

import datetime as dt
import hashlib
import json
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from rest_framework.authtoken.models import Token

from common.prepared import Statement
from missions.access import role_in
from missions.audit import audit_record
from missions.models import AuditEvent, MemberRole, PollingStation
from reports.pipeline import pending_mark_sql, visits_changed

from .checklist_schema import answers_check, checklist_schema, checklist_schema_invalidate
from .default_checklists import DEFAULT_CHECKLISTS
from .models import (
    Assessment,
    Checklist,
    Finding,
    FindingCategory,
    FindingPhoto,
    FindingRevision,
    Question,
    ReviewStatus,
    Severity,
    Stage,
    Visit,
    VisitRevision,
    VisitStatus,
)
from .photos import photo_check

__all__ = [
    "VisitConflict",
    "VisitInvalid",
    "checklist_schema_invalidate",
    "checklists_create_default",
    "finding_photo_add",
    "finding_review",
    "observer_token_issue",
    "observer_token_revoke",
    "visit_delete",
    "visit_review",
    "visit_submit",
]

MAX_FINDINGS_PER_VISIT = 50
MAX_DESCRIPTION_LENGTH = 5000
MAX_NOTES_LENGTH = 10000
MAX_VOTERS = 1_000_000
MAX_PHOTOS_PER_FINDING = 3
# Counting and tabulation often run past midnight: a visit of those stages may end up to
# this hour of the day after the election (local time). Every other time must fall on the day.
LATE_STAGES = (Stage.COUNTING, Stage.TABULATION)
LATE_STAGE_END = dt.time(12, 0)


def checklists_create_default(*, mission) -> list[Checklist]:
    """Give a mission its default checklist for every stage (version 1, current)."""
    checklists = Checklist.objects.bulk_create(
        [Checklist(mission=mission, stage=stage, version=1) for stage in DEFAULT_CHECKLISTS]
    )
    Question.objects.bulk_create(
        [
            Question(checklist=checklist, position=position, **spec)
            for checklist in checklists
            for position, spec in enumerate(DEFAULT_CHECKLISTS[checklist.stage], start=1)
        ]
    )
    return checklists


# --- Visit submission -------------------------------------------------------------------


class VisitInvalid(Exception):
    """The payload breaks a rule. ``errors`` is DRF-shaped: ``{"field": ["message", ...]}``;
    ``answers`` holds ``{"<code>": [...]}`` and ``findings`` a list with one dict per finding."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


class VisitConflict(Exception):
    """The ``client_uuid`` was already used for a different visit."""


def _text(value, *, field, max_length, errors, required=False) -> str:
    if value is None:
        if required:
            errors[field] = [f"{field} is required."]
        return ""
    if not isinstance(value, str):
        errors[field] = [f"{field} must be text."]
        return ""
    if len(value) > max_length:
        errors[field] = [f"{field} is {len(value)} characters long; shorten it to {max_length}."]
    elif "\x00" in value:
        errors[field] = [f"{field} contains a NUL character; remove it."]
    return value


def _integer(value):
    """An int from JSON (a whole number, or a string of digits as form posts send); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _time(value, *, field, errors) -> dt.datetime | None:
    if not isinstance(value, str):
        errors[field] = [
            f"{field} must be an ISO 8601 time with its UTC offset, "
            "such as 2022-11-20T10:05:00+06:00."
        ]
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        errors[field] = [
            f"{field} {value!r} is not an ISO 8601 time; send it as 2022-11-20T10:05:00+06:00."
        ]
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        errors[field] = [
            f"{field} {value!r} has no UTC offset; add it, as in 2022-11-20T10:05:00+06:00."
        ]
        return None
    return parsed


def _on_election_day(*, mission, stage, field, at, errors) -> None:
    local = at.astimezone(mission.tzinfo)
    day = mission.election_date
    if local.date() == day:
        return
    late_ok = (
        field == "departed_at"
        and stage in LATE_STAGES
        and local.date() == day + dt.timedelta(days=1)
        and local.time() <= LATE_STAGE_END
    )
    if not late_ok:
        errors[field] = [
            f"{field} is {local:%Y-%m-%d %H:%M} in {mission.timezone} time, outside the "
            f"election day {day:%Y-%m-%d}; correct the date or the time."
        ]


def _station(*, mission, payload, errors, known=None) -> PollingStation | None:
    """The payload's station in the mission (by id or code). ``known``, a station already
    loaded with ``code`` and ``registered_voters``, saves the query when it is that one."""
    raw_id, code = payload.get("station"), payload.get("station_code")
    if known is not None and known.mission_id != mission.pk:
        known = None

    def lookup(**where):
        return (
            PollingStation.objects.filter(mission_id=mission.pk, **where)
            .only("id", "code", "registered_voters", "mission_id")
            .first()
        )

    if raw_id is not None:
        station_id = _integer(raw_id)
        if station_id is None:
            errors["station"] = ["station must be the id (a whole number) of a polling station."]
            return None
        if known is not None and known.pk == station_id:
            station = known
        else:
            station = lookup(pk=station_id)
        if station is None:
            errors["station"] = [
                f"There is no polling station {station_id} in your mission; check the id "
                "or send station_code instead."
            ]
        elif code is not None and code != station.code:
            errors["station_code"] = [
                f"station_code {code!r} is not station {station_id} ({station.code}); "
                "send only one of them."
            ]
        return station
    if code is not None:
        if not isinstance(code, str) or not code:
            errors["station_code"] = ["station_code must be the code of a polling station."]
            return None
        if known is not None and known.code == code:
            station = known
        else:
            station = lookup(code=code)
        if station is None:
            errors["station_code"] = [
                f"There is no polling station with code {code!r} in your mission; check the code."
            ]
        return station
    errors["station"] = ["Send station (the station id) or station_code."]
    return None


def _findings(value, *, errors) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors["findings"] = ["findings must be a list of {category, severity, description}."]
        return []
    if len(value) > MAX_FINDINGS_PER_VISIT:
        errors["findings"] = [
            f"{len(value)} findings in one visit; send at most {MAX_FINDINGS_PER_VISIT}."
        ]
        return []
    cleaned, item_errors = [], []
    for item in value:
        problems = {}
        if not isinstance(item, dict):
            item_errors.append({"non_field_errors": ["Each finding must be an object."]})
            continue
        category, severity = item.get("category"), item.get("severity")
        if category not in FindingCategory.values:
            problems["category"] = [
                f"category must be one of {', '.join(FindingCategory.values)}; got {category!r}."
            ]
        if severity not in Severity.values:
            problems["severity"] = [
                f"severity must be one of {', '.join(Severity.values)}; got {severity!r}."
            ]
        description = _text(
            item.get("description"),
            field="description",
            max_length=MAX_DESCRIPTION_LENGTH,
            errors=problems,
        )
        item_errors.append(problems)
        cleaned.append({"category": category, "severity": severity, "description": description})
    if any(item_errors):
        errors["findings"] = item_errors
    return cleaned


def _visit_clean(*, observer, payload, station=None) -> dict:
    """Check a submission against every rule of API.md; raise VisitInvalid listing them all."""
    if not isinstance(payload, dict):
        raise VisitInvalid({"non_field_errors": ["Send the visit as a JSON object."]})
    mission = observer.mission
    errors: dict = {}

    raw_uuid = payload.get("client_uuid")
    client_uuid = None
    try:
        client_uuid = uuid.UUID(raw_uuid) if isinstance(raw_uuid, str) else None
    except ValueError:
        pass
    if client_uuid is None:
        errors["client_uuid"] = [
            "client_uuid is required: a UUID the phone makes once per visit, "
            "such as 6f1c2a3e-8d4b-4c51-9a7e-2b1d0c9e8f70."
        ]

    station = _station(mission=mission, payload=payload, errors=errors, known=station)

    schema = None
    checklist_id = _integer(payload.get("checklist"))
    if checklist_id is None:
        errors["checklist"] = ["checklist is required: the id of the checklist answered."]
    else:
        schema = checklist_schema(checklist_id)
        if schema is None or schema["mission_id"] != mission.pk:
            errors["checklist"] = [
                f"There is no checklist {checklist_id} in your mission; see "
                f"/api/v1/missions/{mission.pk}/checklists/."
            ]
            schema = None
    stage = schema["stage"] if schema else None

    arrived = departed = None
    if payload.get("arrived_at") is None:
        errors["arrived_at"] = ["arrived_at is required, such as 2022-11-20T10:05:00+06:00."]
    else:
        arrived = _time(payload["arrived_at"], field="arrived_at", errors=errors)
    if payload.get("departed_at") is not None:
        departed = _time(payload["departed_at"], field="departed_at", errors=errors)
    for field, at in (("arrived_at", arrived), ("departed_at", departed)):
        if at is not None:
            _on_election_day(mission=mission, stage=stage, field=field, at=at, errors=errors)
    if arrived and departed and departed < arrived and "departed_at" not in errors:
        errors["departed_at"] = [
            "departed_at is before arrived_at; the visit must end after it starts."
        ]

    voters = payload.get("voters_so_far")
    if voters is not None:
        voters = _integer(voters)
        if voters is None or voters < 0 or voters > MAX_VOTERS:
            errors["voters_so_far"] = [
                "voters_so_far must be a whole number of 0 or more (ballots issued so far), "
                "or null when not counted."
            ]
            voters = None

    assessment = payload.get("assessment")
    if assessment is not None and assessment not in Assessment.values:
        errors["assessment"] = [
            f"assessment must be one of {', '.join(Assessment.values)}, or null; "
            f"got {assessment!r}."
        ]

    answers = payload.get("answers")
    cleaned_answers = {}
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        errors["answers"] = ['answers must be an object of question codes, {"V01": true, ...}.']
    elif schema is not None:
        cleaned_answers, answer_errors = answers_check(schema=schema, answers=answers)
        if answer_errors:
            errors["answers"] = answer_errors

    findings = _findings(payload.get("findings"), errors=errors)
    notes = _text(payload.get("notes"), field="notes", max_length=MAX_NOTES_LENGTH, errors=errors)

    if errors:
        raise VisitInvalid(errors)
    return {
        "client_uuid": client_uuid,
        "station": station,
        "checklist_id": checklist_id,
        "stage": stage,
        "arrived_at": arrived,
        "departed_at": departed,
        "voters_so_far": voters,
        "assessment": assessment,
        "answers": cleaned_answers,
        "findings": findings,
        "notes": notes,
    }


def _local(at, mission) -> str:
    return f"{at.astimezone(mission.tzinfo):%H:%M}"


_VISITS_AROUND_SQL = """
SELECT o.id, o.station_id, o.arrived_at, o.ends_at, o.voters_so_far, s.code
FROM (
    SELECT id, station_id, arrived_at, COALESCE(departed_at, arrived_at) AS ends_at,
           voters_so_far
    FROM {visit}
    WHERE mission_id = %(mission)s AND status <> %(rejected)s AND (
        ({team_column} = %(team)s AND station_id <> %(station)s
         AND (arrived_at = %(arrived)s
              OR (arrived_at < %(ends)s AND COALESCE(departed_at, arrived_at) > %(arrived)s)))
        {count_condition}
    )
    ORDER BY arrived_at, id
    LIMIT 10
) o
JOIN {station} s ON s.id = o.station_id
ORDER BY o.arrived_at, o.id
"""
_COUNT_CONDITION = (
    "OR (station_id = %(station)s AND arrived_at < %(arrived)s AND voters_so_far > %(voters)s)"
)


_visits_around_statements = {}


def _visits_around(*, mission_id, team_id, observer_id, station_id, arrived, ends, voters):
    """The first 10 (by arrival) of the mission's visits that are not REJECTED and either
    overlap ``arrived``..``ends`` at another station by the same team (by the same observer
    when there is no team), or (when ``voters`` is given) arrived earlier at this station
    with more ballots issued, each with its station's code.

    One raw statement: the ORM spent ~2 ms of CPU building this query on every visit POST
    (BENCHMARKS.md, Ingest). ``tests/observation/test_visit_submit.py`` holds the flags."""
    adapt = connection.ops.adapt_datetimefield_value
    key = (bool(team_id), voters is not None)
    if key not in _visits_around_statements:
        _visits_around_statements[key] = Statement(
            "visits_around",
            _VISITS_AROUND_SQL.format(
                visit=Visit._meta.db_table,
                station=PollingStation._meta.db_table,
                team_column="team_id" if team_id else "observer_id",
                count_condition=_COUNT_CONDITION if voters is not None else "",
            ),
        )
    params = {
        "mission": mission_id,
        "rejected": VisitStatus.REJECTED.value,
        "team": team_id or observer_id,
        "station": station_id,
        "arrived": adapt(arrived),
        "ends": adapt(ends),
        "voters": voters,
    }
    with connection.cursor() as cursor:
        _visits_around_statements[key].execute(cursor, params)
        rows = cursor.fetchall()
    return [
        {
            "id": pk,
            "station_id": other_station,
            "arrived_at": other_arrived,
            "ends_at": other_ends,
            "voters_so_far": other_voters,
            "code": code,
        }
        for pk, other_station, other_arrived, other_ends, other_voters, code in rows
    ]


def _visit_flags(*, observer, data) -> list[dict]:
    """Reasons a possible but suspicious visit needs a coordinator's eye (at most one query)."""
    mission, station = observer.mission, data["station"]
    arrived, departed, voters = data["arrived_at"], data["departed_at"], data["voters_so_far"]
    flags = []
    if voters is not None and voters > station.registered_voters:
        flags.append(
            {
                "code": "VOTERS_ABOVE_REGISTERED",
                "message": f"{voters} ballots issued, more than the {station.registered_voters} "
                f"voters registered at {station.code}.",
            }
        )
    if departed is not None:
        day = mission.election_date
        polls_hours = dt.datetime.combine(day, mission.polls_close) - dt.datetime.combine(
            day, mission.polls_open
        )
        if departed - arrived > polls_hours:
            flags.append(
                {
                    "code": "VISIT_LONGER_THAN_POLLS",
                    "message": f"The visit lasted {departed - arrived}, longer than the polls are "
                    f"open ({mission.polls_open:%H:%M}-{mission.polls_close:%H:%M}).",
                }
            )

    others = _visits_around(
        mission_id=mission.pk,
        team_id=observer.team_id,
        observer_id=observer.pk,
        station_id=station.pk,
        arrived=arrived,
        ends=departed or arrived,
        voters=voters,
    )
    team_label = observer.team.code if observer.team_id else observer.full_name
    overlap_seen = count_seen = False
    for other in others:
        if other["station_id"] != station.pk and not overlap_seen:
            overlap_seen = True
            flags.append(
                {
                    "code": "TEAM_IN_TWO_PLACES",
                    "message": f"Team {team_label} also reported being at {other['code']} "
                    f"from {_local(other['arrived_at'], mission)} to "
                    f"{_local(other['ends_at'], mission)} (visit {other['id']}), "
                    "overlapping this visit.",
                }
            )
        elif other["station_id"] == station.pk and not count_seen:
            count_seen = True
            flags.append(
                {
                    "code": "COUNT_DECREASED",
                    "message": f"{voters} ballots issued is lower than the "
                    f"{other['voters_so_far']} reported at {station.code} at "
                    f"{_local(other['arrived_at'], mission)} (visit {other['id']}).",
                }
            )
    return flags


def _payload_hash(*, observer, data) -> str:
    """Fingerprint of what the visit says (not of its JSON spelling): replays compare it."""
    canonical = {
        "observer": observer.pk,
        "station": data["station"].pk,
        "checklist": data["checklist_id"],
        "arrived_at": data["arrived_at"].astimezone(dt.UTC).isoformat(),
        "departed_at": data["departed_at"] and data["departed_at"].astimezone(dt.UTC).isoformat(),
        "voters_so_far": data["voters_so_far"],
        "assessment": data["assessment"],
        "answers": data["answers"],
        "findings": data["findings"],
        "notes": data["notes"],
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _finding_data(finding) -> dict:
    return {
        "id": finding.pk,
        "category": finding.category,
        "severity": finding.severity,
        "description": finding.description,
        "review_status": finding.review_status,
        "review_reason": finding.review_reason,
    }


def visit_snapshot(*, visit, findings) -> dict:
    """What a revision records: the visit's fields and its findings, as JSON."""
    return {
        "client_uuid": str(visit.client_uuid),
        "station": visit.station_id,
        "checklist": visit.checklist_id,
        "stage": visit.stage,
        "observer": visit.observer_id,
        "team": visit.team_id,
        "arrived_at": visit.arrived_at.isoformat(),
        "departed_at": visit.departed_at.isoformat() if visit.departed_at else None,
        "voters_so_far": visit.voters_so_far,
        "assessment": visit.assessment,
        "answers": visit.answers,
        "notes": visit.notes,
        "status": visit.status,
        "flags": visit.flags,
        "review_reason": visit.review_reason,
        "findings": [_finding_data(f) for f in findings],
    }


def _prefetched(instance, name, objects) -> None:
    """Put already loaded related objects where ``instance.<name>.all()`` will find them."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _visit_replayed(*, observer, data, payload_hash) -> Visit:
    existing = (
        Visit.objects.select_related("mission", "station", "team", "observer")
        .prefetch_related("findings__photos")
        .filter(client_uuid=data["client_uuid"])
        .first()
    )
    if existing is None:
        return None
    if existing.observer_id != observer.pk or existing.payload_hash != payload_hash:
        raise VisitConflict
    return existing


def visit_submit(*, observer, payload: dict, now: dt.datetime, station=None) -> tuple[Visit, bool]:
    """Store an observer's visit report; ``(visit, created)``.

    Raises VisitInvalid (a 400) for a report that breaks a rule, and VisitConflict (a 409)
    when ``client_uuid`` was already used for a different report. Sending the same report
    again, even concurrently, returns the stored visit with ``created=False``. Suspicious but
    possible reports are stored as FLAGGED with the reasons in ``visit.flags``.

    ``observer`` should come with ``mission``, ``team`` and ``user`` loaded, and ``station``
    may be the station the payload names if it is already loaded
    (``selectors.observer_for_submission`` does both).
    """
    data = _visit_clean(observer=observer, payload=payload, station=station)
    flags = _visit_flags(observer=observer, data=data)
    payload_hash = _payload_hash(observer=observer, data=data)
    mission, station = observer.mission, data["station"]
    visit = Visit(
        mission=mission,
        client_uuid=data["client_uuid"],
        station=station,
        team=observer.team,
        observer=observer,
        checklist_id=data["checklist_id"],
        stage=data["stage"],
        arrived_at=data["arrived_at"],
        departed_at=data["departed_at"],
        voters_so_far=data["voters_so_far"],
        assessment=data["assessment"],
        answers=data["answers"],
        notes=data["notes"],
        status=VisitStatus.FLAGGED if flags else VisitStatus.SUBMITTED,
        flags=flags,
        review_reason="",
        payload_hash=payload_hash,
    )
    findings = [Finding(visit=visit, **finding) for finding in data["findings"]]
    audit_after = {
        "client_uuid": str(visit.client_uuid),
        "station": station.code,
        "stage": visit.stage,
        "status": visit.status,
        "flags": [flag["code"] for flag in flags],
        "findings": len(findings),
    }
    stored = _visit_store(
        visit=visit, findings=findings, author=observer.user, after=audit_after, now=now
    )
    if not stored:
        existing = _visit_replayed(observer=observer, data=data, payload_hash=payload_hash)
        if existing is None:
            raise IntegrityError(f"visit {visit.client_uuid} neither stored nor found")
        return existing, False
    for finding in findings:
        _prefetched(finding, "photos", [])
    _prefetched(visit, "findings", findings)
    return visit, True


_FINDING_JSON = (
    "jsonb_build_object('id', f.id, 'category', f.category, 'severity', f.severity, "
    "'description', f.description, 'review_status', f.review_status, "
    "'review_reason', f.review_reason)"
)
# Everything a new visit writes, in one statement: the visit (nothing at all if its
# client_uuid is taken: every later part selects from ``v``), its findings in the order sent,
# their first revisions, the visit's first revision (its snapshot with the findings' ids),
# the audit events (the visit's and one per finding) and the pending mark.
_VISIT_STORE_SQL = """
WITH v AS (
    INSERT INTO {visit} ({visit_columns}) VALUES ({visit_values})
    ON CONFLICT (client_uuid) DO NOTHING
    RETURNING id
), f AS (
    INSERT INTO {finding} (visit_id, category, severity, description, review_status,
                           review_reason, created_at)
    SELECT v.id, x.category, x.severity, x.description, %(pending)s::text, '',
           %(stamp)s::timestamptz
    FROM v CROSS JOIN unnest(%(categories)s::text[], %(severities)s::text[],
                             %(descriptions)s::text[])
         WITH ORDINALITY AS x(category, severity, description, n)
    ORDER BY x.n
    RETURNING id, category, severity, description, review_status, review_reason
), fr AS (
    INSERT INTO {finding_revision} (finding_id, number, data, author_id, reason, created_at)
    SELECT f.id, 1, {finding_json}, %(author)s::bigint, '', %(now)s::timestamptz FROM f
), vr AS (
    INSERT INTO {visit_revision} (visit_id, number, data, author_id, reason, created_at)
    SELECT v.id, 1,
           %(snapshot)s::jsonb || jsonb_build_object('findings', COALESCE(
               (SELECT jsonb_agg({finding_json} ORDER BY f.id) FROM f), '[]'::jsonb)),
           %(author)s::bigint, '', %(now)s::timestamptz
    FROM v
), a AS (
    INSERT INTO {audit} (mission_id, actor_id, action, object_type, object_id, before, after,
                         reason, at)
    SELECT %(mission)s::bigint, %(author)s::bigint, 'visit.submit', %(object_type)s::text,
           v.id::text, NULL::jsonb, %(after)s::jsonb, '', %(now)s::timestamptz
    FROM v
    UNION ALL
    (SELECT %(mission)s::bigint, %(author)s::bigint, 'finding.create',
            %(finding_type)s::text, f.id::text, NULL::jsonb,
            jsonb_build_object('visit', v.id) || {finding_json}, '', %(now)s::timestamptz
     FROM v CROSS JOIN f ORDER BY f.id)
), p AS (
    {pending}
)
SELECT v.id, (SELECT array_agg(f.id ORDER BY f.id) FROM f) FROM v
"""


def _visit_store_sql() -> tuple[str, list]:
    fields = [f for f in Visit._meta.concrete_fields if not f.primary_key]
    sql = _VISIT_STORE_SQL.format(
        visit=Visit._meta.db_table,
        visit_columns=", ".join(f'"{f.column}"' for f in fields),
        visit_values=", ".join(f"%({f.attname})s" for f in fields),
        finding=Finding._meta.db_table,
        finding_revision=FindingRevision._meta.db_table,
        visit_revision=VisitRevision._meta.db_table,
        audit=AuditEvent._meta.db_table,
        finding_json=_FINDING_JSON,
        pending=pending_mark_sql(
            "SELECT %(mission)s::bigint, %(station)s::bigint, %(stamp)s::timestamptz FROM v"
        ),
    )
    return sql, fields


_visit_store_prepared = {}


def _visit_store(*, visit, findings, author, after, now) -> bool:
    """Write the visit, its findings, their first revisions, the visit's first revision, the
    audit events and the aggregates' pending mark in one round trip: ~4 ms of ORM CPU and six
    statements less per visit POST than the ORM (BENCHMARKS.md, Ingest). A taken
    ``client_uuid`` writes nothing and returns False, without a savepoint: ON CONFLICT DO
    NOTHING waits for a concurrent insert of the same uuid to commit or roll back."""
    if not _visit_store_prepared:
        sql, _visit_store_prepared["fields"] = _visit_store_sql()
        _visit_store_prepared["statement"] = Statement("visit_store", sql)
    statement = _visit_store_prepared["statement"]
    fields = _visit_store_prepared["fields"]
    params = {
        f.attname: f.get_db_prep_save(f.pre_save(visit, add=True), connection) for f in fields
    }
    stamp = visit.created_at  # pre_save set it, as the ORM would
    snapshot = visit_snapshot(visit=visit, findings=[])
    del snapshot["findings"]
    params.update(
        pending=ReviewStatus.PENDING.value,
        stamp=stamp,
        now=now,
        categories=[f.category for f in findings],
        severities=[f.severity for f in findings],
        descriptions=[f.description for f in findings],
        author=author.pk,
        snapshot=json.dumps(snapshot),
        mission=visit.mission_id,
        station=visit.station_id,
        object_type=Visit._meta.label_lower,
        finding_type=Finding._meta.label_lower,
        after=json.dumps(after),
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
        if row is None:
            return False
        visit.pk, visit._state.adding = row[0], False
        for finding, pk in zip(findings, row[1] or [], strict=True):
            finding.pk, finding.created_at, finding._state.adding = pk, stamp, False
            finding.visit_id = visit.pk
        visits_changed(
            mission_id=visit.mission_id, station_ids=[visit.station_id], marked_pending=True
        )
    return True


# --- Review -----------------------------------------------------------------------------


def _require_coordinator(*, actor, mission_id) -> None:
    if role_in(user=actor, mission_id=mission_id) != MemberRole.COORDINATOR:
        raise PermissionDenied("Only the mission's coordinators review reports.")


def _next_number(revisions) -> int:
    return (revisions.aggregate(last=Max("number"))["last"] or 0) + 1


@transaction.atomic
def visit_review(*, visit, actor, status: str, reason: str, now: dt.datetime) -> Visit:
    """A coordinator marks a visit VERIFIED or REJECTED (a reason is required to reject).

    Writes a new VisitRevision and an audit event. Rejected visits drop out of the aggregates.
    """
    reason = (reason or "").strip()
    if status not in (VisitStatus.VERIFIED, VisitStatus.REJECTED):
        raise ValidationError({"status": ["status must be VERIFIED or REJECTED."]})
    if status == VisitStatus.REJECTED and not reason:
        raise ValidationError({"reason": ["Say why the visit is rejected."]})
    _require_coordinator(actor=actor, mission_id=visit.mission_id)
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    before = {"status": locked.status, "review_reason": locked.review_reason}
    locked.status, locked.review_reason, locked.reviewed_at = status, reason, now
    locked.save(update_fields=["status", "review_reason", "reviewed_at", "updated_at"])
    findings = list(locked.findings.order_by("id"))
    VisitRevision.objects.create(
        visit=locked,
        number=_next_number(locked.revisions),
        data=visit_snapshot(visit=locked, findings=findings),
        author=actor,
        reason=reason,
        created_at=now,
    )
    audit_record(
        actor=actor,
        mission=visit.mission,
        action="visit.review",
        obj=locked,
        before=before,
        after={"status": status, "review_reason": reason},
        reason=reason,
        at=now,
    )
    visits_changed(mission_id=locked.mission_id, station_ids=[locked.station_id])
    visit.status, visit.review_reason, visit.reviewed_at = status, reason, now
    return visit


@transaction.atomic
def finding_review(*, finding, actor, status: str, reason: str, now: dt.datetime) -> Finding:
    """A coordinator CONFIRMs or DISMISSes a finding; a FindingRevision and an audit event."""
    reason = (reason or "").strip()
    if status not in (ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED):
        raise ValidationError({"status": ["status must be CONFIRMED or DISMISSED."]})
    visit = finding.visit
    _require_coordinator(actor=actor, mission_id=visit.mission_id)
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    before = {"review_status": locked.review_status, "review_reason": locked.review_reason}
    locked.review_status, locked.review_reason = status, reason
    locked.save(update_fields=["review_status", "review_reason"])
    FindingRevision.objects.create(
        finding=locked,
        number=_next_number(locked.revisions),
        data=_finding_data(locked),
        author=actor,
        reason=reason,
        created_at=now,
    )
    audit_record(
        actor=actor,
        mission=visit.mission,
        action="finding.review",
        obj=locked,
        before=before,
        after={"review_status": status, "review_reason": reason},
        reason=reason,
        at=now,
    )
    visits_changed(mission_id=visit.mission_id, station_ids=[visit.station_id])
    finding.review_status, finding.review_reason = status, reason
    return finding


@transaction.atomic
def visit_delete(*, visit, actor, reason: str, now: dt.datetime) -> None:
    """A coordinator deletes a visit (a duplicate, a test report). The audit event keeps it."""
    _require_coordinator(actor=actor, mission_id=visit.mission_id)
    findings = list(visit.findings.order_by("id"))
    photos = list(FindingPhoto.objects.filter(finding__visit=visit).values_list("image", flat=True))
    audit_record(
        actor=actor,
        mission=visit.mission,
        action="visit.delete",
        obj=visit,
        before=visit_snapshot(visit=visit, findings=findings),
        reason=(reason or "").strip(),
        at=now,
    )
    mission_id, station_id = visit.mission_id, visit.station_id
    visit.delete()
    visits_changed(mission_id=mission_id, station_ids=[station_id])
    storage = FindingPhoto._meta.get_field("image").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in photos if name])


# --- Photos -----------------------------------------------------------------------------


@transaction.atomic
def finding_photo_add(*, finding, actor, image, now: dt.datetime) -> tuple[FindingPhoto, bool]:
    """Attach a JPEG or PNG photo (checked by content, at most 10 MB) to a finding, 3 at most.

    Returns the photo and whether it is new: the same content sent again to the same finding
    (a phone that lost the first answer) gets the stored photo back, not a copy.
    """
    content_type = photo_check(upload=image)
    digest = hashlib.sha256()
    image.seek(0)
    for chunk in image.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit__mission")
        .get(pk=finding.pk)
    )
    existing = FindingPhoto.objects.filter(finding=locked, sha256=sha256).first()
    if existing is not None:
        return existing, False
    count = FindingPhoto.objects.filter(finding=locked).count()
    if count >= MAX_PHOTOS_PER_FINDING:
        raise ValidationError(
            {"image": [f"This finding already has {count} photos, the most it can carry."]}
        )
    extension = "png" if content_type == "image/png" else "jpg"
    image.seek(0)
    photo = FindingPhoto(finding=locked, content_type=content_type, size=image.size, sha256=sha256)
    photo.image.save(f"photo.{extension}", File(image), save=False)
    photo.save(force_insert=True)
    audit_record(
        actor=actor,
        mission=locked.visit.mission,
        action="finding.photo_add",
        obj=photo,
        after={"finding": locked.pk, "content_type": content_type, "size": photo.size},
        at=now,
    )
    return photo, True


# --- Device tokens ----------------------------------------------------------------------


@transaction.atomic
def observer_token_issue(*, observer, actor, now: dt.datetime) -> str:
    """The observer's device token (the one their QR code carries): the same until revoked."""
    token, created = Token.objects.get_or_create(user=observer.user)
    audit_record(
        actor=actor,
        mission=observer.mission,
        action="observer.token_issue",
        obj=observer,
        after={"created": created},
        at=now,
    )
    return token.key


@transaction.atomic
def observer_token_revoke(*, observer, actor, now: dt.datetime) -> bool:
    """Revoke the observer's device token; the phone holding it gets 401 from then on."""
    deleted, _ = Token.objects.filter(user=observer.user).delete()
    audit_record(
        actor=actor,
        mission=observer.mission,
        action="observer.token_revoke",
        obj=observer,
        after={"revoked": bool(deleted)},
        at=now,
    )
    return bool(deleted)
