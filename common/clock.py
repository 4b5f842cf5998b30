"""Every time a person reads is written here, once: in the mission's time zone, with its name.

Issue 20: the import-job and sample pages showed 21:59 (UTC) where the dashboard showed 03:00
(Asia/Almaty), and the phone said "Next try at 10:05:34 PM" in the browser's zone. So every
page, file and message says a time the same way, on the mission's clock and naming it:

- ``clock_text(moment, zone)`` -> ``"03:00 (Asia/Almaty)"``;
- ``clock_text(moment, zone, date=True)`` -> ``"Nov. 20, 2022 03:00 (Asia/Almaty)"``: the date
  in the reader's language (``20 ноября 2022 г.``, ``20 Қараша 2022 ж.``; the month spelled
  out, so 11/12 cannot read two ways), the 24-hour clock, the zone;
- ``clock_span(start, end, zone)`` -> ``"10:05–10:40 (Asia/Almaty)"`` (a visit's stay).

The zone is named by its IANA name, not an abbreviation: the tz database gives most zones
none any more (Asia/Almaty is "+05"), and the name is what the mission's settings show.
Templates use the ``mission_time``, ``mission_datetime`` and ``visit_span`` filters
(``missions/templatetags/clock.py``); the phone and dashboard scripts write the same text with
``static/js/clock.js``; ``common.numbers.figure_text(kind="datetime")`` is this too.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import formats


def zone_of(zone) -> dt.tzinfo:
    """A tzinfo from a zone name, a tzinfo, or anything with ``.timezone`` (a mission)."""
    if isinstance(zone, dt.tzinfo):
        return zone
    name = getattr(zone, "timezone", zone)
    return zoneinfo.ZoneInfo(name)


def zone_name(zone) -> str:
    """``"Asia/Almaty"``: the IANA name of ``zone`` (a name, a tzinfo or a mission)."""
    tz = zone_of(zone)
    return getattr(tz, "key", None) or tz.tzname(None) or "UTC"


def _local(moment, tz) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def clock_text(moment: dt.datetime | None, zone, *, date: bool = False) -> str:
    """``moment`` on the clock of ``zone`` with the zone's name: ``"03:00 (Asia/Almaty)"``, or
    with ``date`` ``"Nov. 20, 2022 03:00 (Asia/Almaty)"`` (the date in the active language).
    None (a time nobody set) is ``""``.

    A naive datetime is taken to be on that clock already (a Django setting of USE_TZ=True
    gives none; the guard is for plain values handed in by callers).
    """
    if moment is None or moment == "":
        return ""
    tz = zone_of(zone)
    local = _local(moment, tz)
    return f"{_day(local) + ' ' if date else ''}{local:%H:%M} ({zone_name(tz)})"


def _day(local: dt.datetime) -> str:
    return formats.date_format(local.date(), "DATE_FORMAT")


def clock_span(start, end, zone, *, date: bool = False) -> str:
    """From ``start`` to ``end`` on the clock of ``zone``, the zone named once:
    ``"10:05–10:40 (Asia/Almaty)"``; with ``date``, ``start``'s date first. Without ``end``,
    ``clock_text(start)``. An ``end`` on another day than ``start`` carries its own date."""
    if not end:
        return clock_text(start, zone, date=date)
    if not start:
        return ""
    tz = zone_of(zone)
    first, last = _local(start, tz), _local(end, tz)
    head = f"{_day(first) + ' ' if date else ''}{first:%H:%M}"
    tail = f"{last:%H:%M}" if last.date() == first.date() else f"{_day(last)} {last:%H:%M}"
    return f"{head}\u2013{tail} ({zone_name(tz)})"
