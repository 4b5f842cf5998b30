"""The deployment plan against what happened: which stations each team was sent to on a day
and which of them it visited (the coordinators' "Plan and actual" page)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from missions.models import Deployment, PollingStation
from missions.selectors import deployment_list
from observation.models import Visit, VisitStatus


@dataclass
class PlanRow:
    deployment: Deployment
    # Stations named in the deployment: (station, visited by the team, visited by others).
    stations: list = field(default_factory=list)
    assigned: int = 0
    visited: int = 0
    # For an area: stations in it, and how many of them the team visited.
    area_stations: int = 0
    area_visited: int = 0
    # Stations the team visited that day outside its plan.
    elsewhere: int = 0


@dataclass
class Plan:
    day: dt.date
    rows: list[PlanRow]
    teams: int
    assigned: int  # distinct stations named in the day's deployments
    visited: int  # of them, those a team sent there visited
    visited_by_others: int  # of the others, those some other team visited

    @property
    def visited_pct(self) -> float | None:
        return round(100 * self.visited / self.assigned, 1) if self.assigned else None


def deployment_plan(*, mission, day: dt.date) -> Plan:
    """Which of the stations each team was sent to on ``day`` it visited (plan versus actual).

    A station counts as visited by a team when the team has a visit there that day (in the
    mission's time zone) that was not rejected. Four queries whatever the number of teams.
    """
    tz = mission.tzinfo
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    visits = (
        Visit.objects.filter(
            mission=mission, arrived_at__gte=start, arrived_at__lt=start + dt.timedelta(days=1)
        )
        .exclude(status=VisitStatus.REJECTED)
        .values_list("team_id", "station_id")
        .distinct()
    )
    by_team = defaultdict(set)
    anyone = set()
    for team_id, station_id in visits:
        by_team[team_id].add(station_id)
        anyone.add(station_id)

    deployments = list(deployment_list(mission=mission, day=day))
    in_area = defaultdict(set)
    if any(d.area_id for d in deployments):
        wanted = {d.area_id for d in deployments if d.area_id}
        for station_id, *area_ids in PollingStation.objects.filter(mission=mission).values_list(
            "id", "region_id", "district_id", "area_id"
        ):
            for area_id in set(area_ids) & wanted:
                in_area[area_id].add(station_id)

    planned = defaultdict(set)
    rows = []
    for deployment in deployments:
        seen = by_team[deployment.team_id]
        row = PlanRow(deployment=deployment)
        for station in deployment.stations.all():
            visited = station.pk in seen
            row.stations.append((station, visited, station.pk in anyone and not visited))
            planned[deployment.team_id].add(station.pk)
        row.assigned = len(row.stations)
        row.visited = sum(1 for _s, visited, _o in row.stations if visited)
        if deployment.area_id:
            members = in_area[deployment.area_id]
            planned[deployment.team_id] |= members
            row.area_stations = len(members)
            row.area_visited = len(members & seen)
        rows.append(row)
    for row in rows:
        row.elsewhere = len(by_team[row.deployment.team_id] - planned[row.deployment.team_id])

    # The key figures count stations, not assignments (issue 20: two teams sent to one station
    # made it "2 stations assigned"): a station is visited when a team sent there went.
    assigned, visited = set(), set()
    for row in rows:
        for station, was_visited, _other in row.stations:
            assigned.add(station.pk)
            if was_visited:
                visited.add(station.pk)
    return Plan(
        day=day,
        rows=rows,
        teams=len({row.deployment.team_id for row in rows}),
        assigned=len(assigned),
        visited=len(visited),
        visited_by_others=len((assigned - visited) & anyone),
    )
