"""When each team is due to have reported a stage.

``Mission.report_due`` keeps the times a coordinator set (``{"OPENING": "08:00"}``, local
clock times of the election day); a stage left out keeps its default, counted from the
polling hours: opening polls open + 1 h, voting polls open + 6 h, closing polls close +
30 min, counting polls close + 4 h, tabulation polls close + 8 h. A due time earlier than
the polls open is read as the next morning (a count that runs past midnight).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The stages of ``observation.models.Stage`` (this app sits below observation and cannot
# import it; tests/operations/test_report_due.py holds the two lists equal).
REPORT_STAGES = ("OPENING", "VOTING", "CLOSING", "COUNTING", "TABULATION")
# Stage -> (counted from "open" or "close", minutes after it).
DEFAULT_DUE = {
    "OPENING": ("open", 60),
    "VOTING": ("open", 360),
    "CLOSING": ("close", 30),
    "COUNTING": ("close", 240),
    "TABULATION": ("close", 480),
}
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _at(mission, clock: dt.time) -> dt.datetime:
    return dt.datetime.combine(mission.election_date, clock, tzinfo=mission.tzinfo)


def report_due_at(*, mission, stage: str) -> dt.datetime:
    """The moment a team is due to have sent a report of ``stage`` (aware, mission's zone)."""
    given = (mission.report_due or {}).get(stage)
    if given:
        hours, minutes = (int(part) for part in given.split(":"))
        moment = _at(mission, dt.time(hours, minutes))
        if moment.time() < mission.polls_open:
            moment += dt.timedelta(days=1)
        return moment
    anchor, minutes = DEFAULT_DUE[stage]
    start = _at(mission, mission.polls_open if anchor == "open" else mission.polls_close)
    # Wall-clock arithmetic in the mission's zone, then back to an aware time.
    naive = start.replace(tzinfo=None) + dt.timedelta(minutes=minutes)
    return naive.replace(tzinfo=mission.tzinfo)


def report_due_times(*, mission) -> dict[str, str]:
    """Every stage's due time as the API shows it, ``{"OPENING": "08:00", ...}``."""
    return {
        stage: report_due_at(mission=mission, stage=stage).strftime("%H:%M")
        for stage in REPORT_STAGES
    }


def report_due_clean(value) -> dict[str, str]:
    """A ``report_due`` body checked: stages known, times ``HH:MM``; a null resets a stage.

    Returns the changes (stage -> "HH:MM" or None); ValidationError names what is wrong.
    """
    if not isinstance(value, dict):
        raise ValidationError(
            _('Give the due times as an object, e.g. {"OPENING": "08:00"}.'), code="invalid"
        )
    cleaned, problems = {}, []
    for stage, clock in value.items():
        if stage not in REPORT_STAGES:
            problems.append(
                _("%(stage)s is not a stage (use %(stages)s).")
                % {"stage": str(stage)[:40], "stages": ", ".join(REPORT_STAGES)}
            )
        elif clock is None:
            cleaned[stage] = None
        elif not isinstance(clock, str) or not CLOCK.match(clock):
            problems.append(
                _("%(stage)s: give a local time as HH:MM, e.g. 08:00.") % {"stage": stage}
            )
        else:
            cleaned[stage] = clock
    if problems:
        raise ValidationError(problems, code="invalid")
    return cleaned
