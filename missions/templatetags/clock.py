"""``{{ visit.arrived_at|mission_time:mission }}`` -> ``03:00 (Asia/Almaty)``,
``{{ job.created_at|mission_datetime:mission }}`` -> ``2022-11-20 03:00 (Asia/Almaty)`` and
``{{ visit|visit_span:mission }}`` -> ``10:05–10:40 (Asia/Almaty)`` (arrival to departure).

Every time a page shows goes through these filters, which are ``common.clock.clock_text``:
on the mission's clock, with its zone's name, whatever ``{% timezone %}`` is active. The
argument is the mission (or a zone name, e.g. a briefing snapshot's ``timezone``)."""

from django import template

from common.clock import clock_span, clock_text

register = template.Library()


@register.filter
def mission_time(value, mission):
    return clock_text(value, mission) if value not in (None, "") and mission else ""


@register.filter
def mission_datetime(value, mission):
    return clock_text(value, mission, date=True) if value not in (None, "") and mission else ""


@register.filter
def visit_span(visit, mission):
    """A visit's arrival to departure (or its arrival alone, when it has no departure)."""
    if not visit or not mission:
        return ""
    return clock_span(visit.arrived_at, visit.departed_at, mission)


@register.filter
def visit_day_span(visit, mission):
    """``visit_span`` with the arrival's date first: ``2022-11-20 10:05–10:40 (Asia/Almaty)``."""
    if not visit or not mission:
        return ""
    return clock_span(visit.arrived_at, visit.departed_at, mission, date=True)
