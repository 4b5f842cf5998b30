"""Visit submission, step 2: the flags that mark a visit FLAGGED for a coordinator's look."""

import datetime as dt

from django.db import connection

from common.clock import clock_span, clock_text
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
                    "message": f"Team {team_label} also reported being at {other['code']}, "
                    f"{clock_span(other['arrived_at'], other['ends_at'], mission)} "
                    f"(visit {other['id']}), overlapping this visit.",
                }
            )
        elif other["station_id"] == station.pk and not count_seen:
            count_seen = True
            flags.append(
                {
                    "code": "COUNT_DECREASED",
                    "message": f"{voters} ballots issued is lower than the "
                    f"{other['voters_so_far']} reported at {station.code} at "
                    f"{clock_text(other['arrived_at'], mission)} (visit {other['id']}).",
                }
            )
    return flags
