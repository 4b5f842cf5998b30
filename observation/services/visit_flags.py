"""Visit submission, step 2: the flags that mark a visit FLAGGED for a coordinator's look.

A flag is stored as ``{"code", "params", "message"}``: ``code`` never changes with the
language (API.md), ``params`` are the plain facts behind it (counts, station codes, local
times) and ``message`` the English sentence at the time. Whoever reads a flag later, the
observer on their phone or a coordinator on the dashboard, gets ``flag_message`` of it: the
sentence written afresh from ``code`` and ``params`` in the reader's language
(``flags_for_reader``, which the API's ``{"code", "message"}`` and every page use).
"""

import datetime as dt

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from common.clock import clock_span, clock_text
from common.numbers import figure_text
from common.prepared import Statement
from missions.models import PollingStation

from ..models import (
    Visit,
    VisitStatus,
)

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


def flag_message(flag: dict) -> str:
    """The flag's sentence in the active language, from its code and params (a flag stored
    before params were kept, or of an unknown code, keeps its own message)."""
    code, params = flag.get("code"), flag.get("params")
    if not isinstance(params, dict):
        return str(flag.get("message") or code or "")
    p = {
        key: figure_text(value, kind="count") if isinstance(value, int) else value
        for key, value in params.items()
    }
    if code == "VOTERS_ABOVE_REGISTERED":
        return (
            _(
                "Ballots issued (%(voters)s) exceed the voters registered at %(station)s "
                "(%(registered)s)."
            )
            % p
        )
    if code == "VISIT_LONGER_THAN_POLLS":
        return (
            _(
                "The visit lasted %(hours)s h %(minutes)s min, longer than the polls are open "
                "(%(open)s–%(close)s)."
            )
            % p
        )
    if code == "TEAM_IN_TWO_PLACES" and p.get("team"):
        return (
            _(
                "Team %(team)s also reported being at %(station)s, %(span)s (visit %(visit)s), "
                "overlapping this visit."
            )
            % p
        )
    if code == "TEAM_IN_TWO_PLACES":
        return (
            _(
                "%(observer)s also reported being at %(station)s, %(span)s (visit %(visit)s), "
                "overlapping this visit."
            )
            % p
        )
    if code == "COUNT_DECREASED":
        return (
            _(
                "Ballots issued (%(voters)s) are fewer than reported earlier at %(station)s: "
                "%(earlier)s at %(time)s (visit %(visit)s)."
            )
            % p
        )
    return str(flag.get("message") or code or "")


def flags_for_reader(flags) -> list[dict]:
    """``[{"code", "message"}]`` with each message in the active language (API.md)."""
    return [
        {"code": flag.get("code", ""), "message": flag_message(flag)}
        for flag in flags or []
        if isinstance(flag, dict)
    ]


def visit_flag(code: str, **params) -> dict:
    """A flag as stored: its code, its facts, and its English sentence."""
    with translation.override("en"):
        message = flag_message({"code": code, "params": params})
    return {"code": code, "params": params, "message": message}


def _visit_flags(*, observer, data) -> list[dict]:
    """Reasons a possible but suspicious visit needs a coordinator's eye (at most one query)."""
    mission, station = observer.mission, data["station"]
    arrived, departed, voters = data["arrived_at"], data["departed_at"], data["voters_so_far"]
    flags = []
    if voters is not None and voters > station.registered_voters:
        flags.append(
            visit_flag(
                "VOTERS_ABOVE_REGISTERED",
                voters=voters,
                registered=station.registered_voters,
                station=station.code,
            )
        )
    if departed is not None:
        day = mission.election_date
        polls_hours = dt.datetime.combine(day, mission.polls_close) - dt.datetime.combine(
            day, mission.polls_open
        )
        if departed - arrived > polls_hours:
            minutes = int((departed - arrived).total_seconds() // 60)
            flags.append(
                visit_flag(
                    "VISIT_LONGER_THAN_POLLS",
                    hours=minutes // 60,
                    minutes=f"{minutes % 60:02d}",
                    open=f"{mission.polls_open:%H:%M}",
                    close=f"{mission.polls_close:%H:%M}",
                )
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
    who = {"team": observer.team.code} if observer.team_id else {"observer": observer.full_name}
    overlap_seen = count_seen = False
    for other in others:
        if other["station_id"] != station.pk and not overlap_seen:
            overlap_seen = True
            flags.append(
                visit_flag(
                    "TEAM_IN_TWO_PLACES",
                    **who,
                    station=other["code"],
                    span=clock_span(other["arrived_at"], other["ends_at"], mission),
                    visit=str(other["id"]),
                )
            )
        elif other["station_id"] == station.pk and not count_seen:
            count_seen = True
            flags.append(
                visit_flag(
                    "COUNT_DECREASED",
                    voters=voters,
                    earlier=other["voters_so_far"],
                    station=station.code,
                    time=clock_text(other["arrived_at"], mission),
                    visit=str(other["id"]),
                )
            )
    return flags
