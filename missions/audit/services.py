"""The audit trail: one row per mutation that matters, written in the same transaction."""

from django.utils import timezone

from ..models import AuditEvent


def audit_event(
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
    """An unsaved audit row (``audit_records`` saves several in one INSERT)."""
    return AuditEvent(
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


def audit_record(**fields) -> AuditEvent:
    """Write one audit row now; ``fields`` are ``audit_event``'s."""
    event = audit_event(**fields)
    event.save(force_insert=True)
    return event


def audit_records(events: list[AuditEvent]) -> list[AuditEvent]:
    """Save rows built by ``audit_event`` in one INSERT."""
    return AuditEvent.objects.bulk_create(events) if events else []
