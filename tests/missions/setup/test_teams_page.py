"""The teams page of a mission with many teams (issue 20: one 39,000-pixel page): search by
team code or observer's name, filter by region and organisation, pages whose links keep the
search, and changes that come back to the page as it was."""

import re

import pytest

from missions.models import Deployment, Organisation, Team
from tests.missions.factories import (
    ObserverFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def teams_on(page: str) -> list[str]:
    return re.findall(r'class="card team-card" data-team="([^"]+)"', page)


@pytest.fixture
def crowd(mission, station):
    """30 teams of two: T00..T29. Even teams are OSCE's and deployed to the station's region
    (T00 by the station's district, the others by the station); odd ones are PACE's and not
    deployed. T07's first observer is Aigerim Zhaksylykova."""
    osce = Organisation.objects.create(mission=mission, name="OSCE/ODIHR")
    pace = Organisation.objects.create(mission=mission, name="PACE")
    for number in range(30):
        team = TeamFactory(mission=mission, code=f"T{number:02d}")
        organisation = osce if number % 2 == 0 else pace
        for seat in range(2):
            name = f"Observer {number}-{seat}"
            if (number, seat) == (7, 0):
                name = "Aigerim Zhaksylykova"
            ObserverFactory(
                mission=mission,
                team=team,
                organisation=organisation,
                full_name=name,
                user=UserFactory(username=f"obs{number:02d}{seat}"),
            )
        if number % 2 == 0:
            deployment = Deployment.objects.create(
                mission=mission,
                team=team,
                day=mission.election_date,
                area=station.district if number == 0 else None,
            )
            if number:
                deployment.stations.set([station])
    return {"osce": osce, "pace": pace}


def get(client, user, mission, query=""):
    client.force_login(user)
    response = client.get(f"/missions/{mission.pk}/teams/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_teams_come_a_page_at_a_time_and_the_pages_link_on(client, coordinator, mission, crowd):
    first = get(client, coordinator, mission)
    second = get(client, coordinator, mission, "?page=2")

    assert teams_on(first) == [f"T{n:02d}" for n in range(24)]
    assert teams_on(second) == [f"T{n:02d}" for n in range(24, 30)]
    assert "30 teams" in first and "Page 1 of 2" in first
    assert 'href="?page=2"' in first


def test_search_finds_a_team_by_code_or_by_an_observers_name(client, coordinator, mission, crowd):
    by_code = get(client, coordinator, mission, "?q=t1")
    by_name = get(client, coordinator, mission, "?q=zhaksyl")
    by_username = get(client, coordinator, mission, "?q=obs290")

    assert teams_on(by_code) == [f"T{n}" for n in range(10, 20)]
    assert teams_on(by_name) == ["T07"]
    assert "Aigerim Zhaksylykova" in by_name and "1 team matches" in by_name
    assert teams_on(by_username) == ["T29"]


def test_filters_by_region_and_organisation(
    client, coordinator, mission, station, crowd, other_station
):
    elsewhere = RegionFactory(mission=mission)
    region = station.region.pk

    in_region = get(client, coordinator, mission, f"?region={region}")
    pace = get(client, coordinator, mission, f"?organisation={crowd['pace'].pk}")
    nowhere = get(client, coordinator, mission, f"?region={elsewhere.pk}")
    both = get(client, coordinator, mission, f"?region={region}&organisation={crowd['pace'].pk}")

    # T00 through the station's district, the other even teams through the station.
    assert teams_on(in_region) == [f"T{n:02d}" for n in range(0, 30, 2)]
    assert teams_on(pace) == [f"T{n:02d}" for n in range(1, 30, 2)]
    assert teams_on(nowhere) == [] and "No team matches" in nowhere
    assert teams_on(both) == []


def test_page_links_keep_the_search_and_filters(client, coordinator, mission, crowd):
    page = get(client, coordinator, mission, "?q=Observer&organisation=" + str(crowd["osce"].pk))

    assert "?q=Observer&amp;organisation=" in page
    assert teams_on(page) == [f"T{n:02d}" for n in range(0, 30, 2)]  # 15: one page


def test_a_change_comes_back_to_the_page_as_it_was(client, coordinator, mission, crowd):
    observer = Team.objects.get(code="T25").observers.first()
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/teams/",
        {"action": "unassign", "observer": observer.pk, "query": "q=T2&page=1&evil=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/missions/{mission.pk}/teams/?q=T2&page=1"


def test_a_stale_or_foreign_filter_shows_every_team(
    client, coordinator, mission, other_mission, crowd
):
    foreign = RegionFactory(mission=other_mission)

    page = get(client, coordinator, mission, f"?region={foreign.pk}&organisation=nope")

    assert len(teams_on(page)) == 24


def test_observers_in_no_team_are_searched_too(client, coordinator, mission, crowd):
    ObserverFactory(mission=mission, team=None, full_name="Zhanna Loose")
    ObserverFactory(mission=mission, team=None, full_name="Nobody Else")

    page = get(client, coordinator, mission, "?q=zhanna")

    unassigned = page.split('id="unassigned"', 1)[1].split("</section>", 1)[0]
    assert "Zhanna Loose" in unassigned and "Nobody Else" not in unassigned
    assert "1 observer in no team" in page


def test_the_teams_page_reads_in_a_fixed_number_of_queries(
    client, coordinator, mission, crowd, django_assert_max_num_queries
):
    client.force_login(coordinator)

    with django_assert_max_num_queries(18):
        response = client.get(
            f"/missions/{mission.pk}/teams/?q=Observer&organisation={crowd['osce'].pk}"
        )

    assert len(teams_on(response.content.decode())) == 15
