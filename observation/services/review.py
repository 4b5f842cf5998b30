"""A coordinator's review (one flow for visits and findings) and deletion of a visit."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from missions.access import role_in
from missions.audit import audit_record
from missions.models import MemberRole
from reports.pipeline import visits_changed

from ..models import (
    Finding,
    FindingPhoto,
    FindingRevision,
    ReviewStatus,
    Visit,
    VisitRevision,
    VisitStatus,
)
from .visits import _finding_data, visit_snapshot


def _require_coordinator(*, actor, mission_id) -> None:
    if role_in(user=actor, mission_id=mission_id) != MemberRole.COORDINATOR:
        raise PermissionDenied("Only the mission's coordinators review reports.")


def _next_number(revisions) -> int:
    return (revisions.aggregate(last=Max("number"))["last"] or 0) + 1


@dataclass(frozen=True)
class _Reviewed:
    """How one kind of object is reviewed: the same flow for visits and findings."""

    model: type
    status_field: str
    statuses: tuple[str, str]
    reason_required_for: str | None
    saved: tuple[str, ...]
    revision: type
    revision_of: str
    action: str

    def visit_of(self, obj) -> Visit:
        return obj if isinstance(obj, Visit) else obj.visit

    def snapshot(self, obj) -> dict:
        if isinstance(obj, Visit):
            return visit_snapshot(visit=obj, findings=list(obj.findings.order_by("id")))
        return _finding_data(obj)


_REVIEWED = {
    Visit: _Reviewed(
        model=Visit,
        status_field="status",
        statuses=(VisitStatus.VERIFIED, VisitStatus.REJECTED),
        reason_required_for=VisitStatus.REJECTED,
        saved=("status", "review_reason", "reviewed_at", "updated_at"),
        revision=VisitRevision,
        revision_of="visit",
        action="visit.review",
    ),
    Finding: _Reviewed(
        model=Finding,
        status_field="review_status",
        statuses=(ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED),
        reason_required_for=None,
        saved=("review_status", "review_reason"),
        revision=FindingRevision,
        revision_of="finding",
        action="finding.review",
    ),
}


@transaction.atomic
def review_apply(*, obj: Visit | Finding, actor, status: str, reason: str, now: dt.datetime):
    """A coordinator's verdict on a visit (VERIFIED/REJECTED, a reason required to reject) or
    a finding (CONFIRMED/DISMISSED): the object's new status, a revision and an audit event.

    Rejected visits and dismissed findings drop out of the aggregates. Returns ``obj`` with
    its new status.
    """
    kind = _REVIEWED[type(obj)]
    reason = (reason or "").strip()
    if status not in kind.statuses:
        raise ValidationError({"status": ["status must be {} or {}.".format(*kind.statuses)]})
    if status == kind.reason_required_for and not reason:
        raise ValidationError({"reason": ["Say why the visit is rejected."]})
    visit = kind.visit_of(obj)
    _require_coordinator(actor=actor, mission_id=visit.mission_id)
    locked = kind.model.objects.select_for_update().get(pk=obj.pk)
    before = {kind.status_field: getattr(locked, kind.status_field)}
    before["review_reason"] = locked.review_reason
    changes = {kind.status_field: status, "review_reason": reason}
    if "reviewed_at" in kind.saved:
        changes["reviewed_at"] = now
    for target in (locked, obj):
        for name, value in changes.items():
            setattr(target, name, value)
    locked.save(update_fields=list(kind.saved))
    kind.revision.objects.create(
        **{kind.revision_of: locked},
        number=_next_number(locked.revisions),
        data=kind.snapshot(locked),
        author=actor,
        reason=reason,
        created_at=now,
    )
    audit_record(
        actor=actor,
        mission=visit.mission,
        action=kind.action,
        obj=locked,
        before=before,
        after={kind.status_field: status, "review_reason": reason},
        reason=reason,
        at=now,
    )
    visits_changed(mission_id=visit.mission_id, station_ids=[visit.station_id])
    return obj


def visit_review(*, visit, actor, status: str, reason: str, now: dt.datetime) -> Visit:
    """``review_apply`` on a visit."""
    return review_apply(obj=visit, actor=actor, status=status, reason=reason, now=now)


def finding_review(*, finding, actor, status: str, reason: str, now: dt.datetime) -> Finding:
    """``review_apply`` on a finding."""
    return review_apply(obj=finding, actor=actor, status=status, reason=reason, now=now)


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
