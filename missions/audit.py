"""The audit trail: one row per mutation that matters, written in the same transaction."""

from django.utils import timezone

from .models import AuditEvent


def audit_record(
    *,
    actor,
    mission,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    at=None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        mission=mission,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if hasattr(obj, "_meta") else str(type(obj).__name__),
        object_id=str(getattr(obj, "pk", obj)),
        before=before,
        after=after,
        reason=reason,
        at=at or timezone.now(),
    )
