"""The "Plan and actual" page's key figures count stations, not assignments (issue 20: two
teams sent to the same station made "2 stations assigned by code")."""

import re

import pytest

from missions.models import Deployment
from tests.missions.factories import ObserverFactory, TeamFactory
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db


def key_figure(page: str, key: str) -> str:
    match = re.search(
        rf'data-key="{key}"><span class="value">([^<]*)</span><span class="label">([^<]*)<', page
    )
    return " ".join(match.groups())


def test_a_station_two_teams_were_sent_to_counts_once(client, analyst, mission, station, observer):
    partner = ObserverFactory(mission=mission, team=TeamFactory(mission=mission, code="T2"))
    for team in (observer.team, partner.team):
        deployment = Deployment.objects.create(
            mission=mission, team=team, day=mission.election_date
        )
        deployment.stations.set([station])
    VisitFactory(station=station, observer=observer, arrived_at=local(9))
    client.force_login(analyst)

    page = client.get(f"/missions/{mission.pk}/deployment/").content.decode()

    assert key_figure(page, "teams") == "2 teams deployed"
    assert key_figure(page, "assigned") == "1 station assigned by code"
    assert key_figure(page, "visited") == "1 (100.0%) of them visited by their team"
    assert key_figure(page, "others") == "0 visited by another team instead"


def test_a_station_only_another_team_visited_counts_as_visited_by_others(
    client, analyst, mission, station, other_station, observer
):
    deployment = Deployment.objects.create(
        mission=mission, team=observer.team, day=mission.election_date
    )
    deployment.stations.set([station, other_station])
    stranger = ObserverFactory(mission=mission, team=TeamFactory(mission=mission, code="T9"))
    VisitFactory(station=other_station, observer=stranger, arrived_at=local(11))
    client.force_login(analyst)

    page = client.get(f"/missions/{mission.pk}/deployment/").content.decode()

    assert key_figure(page, "teams") == "1 team deployed"
    assert key_figure(page, "assigned") == "2 stations assigned by code"
    assert key_figure(page, "visited") == "0 (0.0%) of them visited by their team"
    assert key_figure(page, "others") == "1 visited by another team instead"
