"""A small election for the dashboard tests, and helpers to read what the pages show."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from missions.models import Area
from reports.aggregates.reconcile import aggregates_reconcile
from reports.models import OfficialTurnout
from tests.missions.factories import (
    DistrictFactory,
    ObserverFactory,
    OrganisationFactory,
    RegionFactory,
    StationFactory,
    TeamFactory,
)
from tests.reports.factories import FindingFactory, VisitFactory, local

EVIL = '<script>alert("x")</script>'
NOW = dt.datetime(2022, 11, 20, 16, 0, tzinfo=dt.UTC)


@dataclass
class Election:
    mission: object
    regions: list = field(default_factory=list)
    districts: list = field(default_factory=list)
    stations: list = field(default_factory=list)
    observers: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    findings: list = field(default_factory=list)

    def reconcile(self):
        aggregates_reconcile(mission=self.mission, now=NOW)


def build_election(mission, *, regions=3, stations_per_district=3, visits_per_station=2):
    """``regions`` regions of two districts each (the first region's name is hostile HTML),
    stations with coordinates, two organisations, visits through the day with counts and
    assessments, findings of every severity, one flagged visit; aggregates reconciled."""
    e = Election(mission)
    e.organisations = [
        OrganisationFactory(mission=mission, name="OSCE/ODIHR"),
        OrganisationFactory(mission=mission, name="PACE"),
    ]
    for number in range(regions):
        name = EVIL if number == 0 else f"Region {number}"
        region = RegionFactory(mission=mission, code=f"R{number}", name=name)
        e.regions.append(region)
        for d in range(2):
            district = DistrictFactory(
                parent=region,
                mission=mission,
                code=f"R{number}-D{d}",
                name=f"District {number}.{d}",
            )
            e.districts.append(district)
            for s in range(stations_per_district):
                e.stations.append(
                    StationFactory(
                        district=district,
                        code=f"S{number}{d}{s}",
                        name=f"School {number}{d}{s}",
                        registered_voters=1000,
                        latitude=Decimal(f"{50 + number}.{d}{s}"),
                        longitude=Decimal(f"{70 + number}.{s}"),
                    )
                )
    for index, organisation in enumerate(e.organisations):
        for member in range(2):
            e.observers.append(
                ObserverFactory(
                    mission=mission,
                    organisation=organisation,
                    team=TeamFactory(mission=mission, code=f"T{index}{member}"),
                    nationality=["DE", "FR", "PL"][(index + member) % 3],
                )
            )
    assessments = ["VERY_GOOD", "GOOD", "GOOD", "BAD", "VERY_BAD"]
    counter = 0
    for station_index, station in enumerate(e.stations):
        # The last station of every district stays unvisited.
        if station_index % 3 == 2:
            continue
        for v in range(visits_per_station):
            counter += 1
            observer = e.observers[counter % len(e.observers)]
            visit = VisitFactory(
                station=station,
                observer=observer,
                team=observer.team,
                stage="VOTING" if v else "OPENING",
                arrived_at=local(10 + station_index % 4, 10 + station_index % 40)
                if v
                else local(8, station_index % 50),
                voters_so_far=None if v == 0 else 100 + 10 * station_index,
                assessment=assessments[counter % len(assessments)],
            )
            e.visits.append(visit)
    severities = ["MINOR", "SERIOUS", "CRITICAL"]
    for index, visit in enumerate(e.visits[:9]):
        e.findings.append(
            FindingFactory(
                visit=visit,
                category=["SECRECY", "CAMPAIGNING", "PROCEDURE"][index % 3],
                severity=severities[index % 3],
                description=f"Finding {index} {EVIL}",
            )
        )
    flagged = e.visits[-1]
    flagged.status = "FLAGGED"
    flagged.flags = [{"code": "VOTERS_ABOVE_REGISTERED", "message": f"Too many {EVIL}"}]
    flagged.save(update_fields=["status", "flags"])
    OfficialTurnout.objects.create(
        mission=mission, at=local(10), percent=Decimal("23.40"), created_at=NOW
    )
    OfficialTurnout.objects.create(
        mission=mission,
        area=e.regions[min(1, regions - 1)],
        at=local(14),
        percent=Decimal("51.20"),
        created_at=NOW,
    )
    e.reconcile()
    return e


def login(client, user):
    client.force_login(user)
    return client


def figures_of(response) -> dict:
    """The figures embedded in the dashboard page (the JSON the browser draws)."""
    html = response.content.decode()
    match = re.search(
        r'<script id="dashboard-figures" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no embedded figures"
    return json.loads(match.group(1))


def trace(figure, name):
    return next(t for t in figure["data"] if t.get("name", "").startswith(name))


def key_figure(response, key) -> str:
    html = response.content.decode()
    match = re.search(rf'data-key="{key}">(?:<a [^>]*>)?<span class="value">([^<]*)</span>', html)
    assert match, f"no key figure {key}"
    return match.group(1).strip()


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


def make_user(username):
    return get_user_model().objects.create_user(username=username, password="pass-word-123")


def area(code):
    return Area.objects.get(code=code)


def small_and_large(client, coordinator, mission, other_mission):
    """A small election in ``mission`` and a large one in ``other_mission``, both coordinated
    by ``coordinator``, logged in: a page must cost as many queries on either."""
    from missions.models import Membership

    small = build_election(mission, regions=2, stations_per_district=3, visits_per_station=1)
    large = build_election(other_mission, regions=6, stations_per_district=6, visits_per_station=4)
    Membership.objects.create(user=coordinator, mission=other_mission, role="COORDINATOR")
    login(client, coordinator)
    return small, large


def queries_of(client, url) -> int:
    """How many queries answering ``url`` took (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)
