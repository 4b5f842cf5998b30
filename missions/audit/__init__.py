"""The mission's audit log: recording events (services), the log page (views) and its API."""

from .services import audit_event, audit_record, audit_records

__all__ = ["audit_event", "audit_record", "audit_records"]
