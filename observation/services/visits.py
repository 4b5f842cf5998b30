"""Visit submission, step 3 (store in one statement, idempotent on client_uuid) and deletion."""

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, connection, transaction

from common.prepared import Statement
from missions.models import AuditEvent
from reports.pipeline import pending_mark_sql, visits_changed

from ..models import (
    Finding,
    FindingRevision,
    ReviewStatus,
    Visit,
    VisitRevision,
    VisitStatus,
)
from .visit_clean import VisitConflict, _visit_clean
from .visit_flags import _visit_flags


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
