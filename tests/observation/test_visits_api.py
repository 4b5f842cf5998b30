"""GET /api/v1/visits/ and /api/v1/visits/{id}/: who reads which visit reports."""

import pytest

from observation.models import FindingPhoto
from tests.missions.factories import ObserverFactory, StationFactory
from tests.observation.factories import FindingFactory, VisitFactory, election_time

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/"


@pytest.fixture
def our_visit(observer, station):
    visit = VisitFactory(observer=observer, station=station, voters_so_far=300)
    FindingFactory(visit=visit)
    return visit


@pytest.fixture
def their_visit(other_team_observer, other_station):
    """A visit by another team of the same mission."""
    return VisitFactory(
        observer=other_team_observer, station=other_station, stage="OPENING", status="FLAGGED"
    )


@pytest.fixture
def foreign_visit(other_mission, foreign_station):
    return VisitFactory(observer=ObserverFactory(mission=other_mission), station=foreign_station)


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(v["id"] for v in response.json()["results"])


def test_an_observer_lists_only_their_teams_visits(
    api, observer, teammate, our_visit, their_visit, foreign_visit
):
    teammates_visit = VisitFactory(observer=teammate, station=our_visit.station)

    response = api.as_user(observer.user).get(URL)

    assert ids(response) == sorted([our_visit.pk, teammates_visit.pk])


def test_an_observer_reads_their_own_visit_with_its_findings(api, observer, our_visit):
    response = api.as_user(observer.user).get(f"{URL}{our_visit.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["station_code"] == our_visit.station.code
    assert data["arrived_at"] == "2022-11-20T10:00:00+06:00"
    assert [f["category"] for f in data["findings"]] == ["SECRECY"]


def test_another_teams_visit_is_a_404_for_an_observer(api, observer, their_visit):
    assert api.as_user(observer.user).get(f"{URL}{their_visit.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_coordinators_and_analysts_list_the_whole_mission(
    api, persona, request, our_visit, their_visit, foreign_visit
):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).get(URL)

    assert ids(response) == sorted([our_visit.pk, their_visit.pk])


@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
def test_others_list_nothing_of_the_mission_and_read_nothing(
    api, persona, request, our_visit, their_visit
):
    user = request.getfixturevalue(persona)
    client = api.as_user(user)

    assert ids(client.get(URL)) == []
    assert client.get(f"{URL}{our_visit.pk}/").status_code == 404


def test_other_mission_coordinator_sees_their_own_missions_visits(
    api, other_mission_coordinator, our_visit, foreign_visit
):
    response = api.as_user(other_mission_coordinator).get(URL)

    assert ids(response) == [foreign_visit.pk]


def test_without_credentials_it_is_a_401(api, our_visit):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"stage": "OPENING"}, ["their"]),
        ({"status": "FLAGGED"}, ["their"]),
        ({"status": "SUBMITTED"}, ["our"]),
        ({"station": "OUR_STATION"}, ["our"]),
        ({"mission": "MISSION"}, ["our", "their"]),
    ],
)
def test_filters(api, coordinator, mission, our_visit, their_visit, params, expected):
    replace = {"OUR_STATION": our_visit.station_id, "MISSION": mission.pk}
    params = {k: replace.get(v, v) for k, v in params.items()}
    by_name = {"our": our_visit.pk, "their": their_visit.pk}

    response = api.as_user(coordinator).get(URL, params)

    assert ids(response) == sorted(by_name[name] for name in expected)


def test_a_bad_filter_value_is_a_400(api, coordinator, our_visit):
    assert api.as_user(coordinator).get(URL, {"stage": "LUNCH"}).status_code == 400


def test_the_list_is_paginated_newest_first(api, coordinator, observer, station):
    visits = [
        VisitFactory(observer=observer, station=station, arrived_at=election_time(h))
        for h in (9, 11, 10)
    ]

    response = api.as_user(coordinator).get(URL, {"page_size": 2})

    body = response.json()
    assert body["count"] == 3
    assert body["next"] is not None and body["previous"] is None
    assert [v["id"] for v in body["results"]] == [visits[1].pk, visits[2].pk]


def test_the_list_costs_the_same_queries_for_many_visits_with_findings_and_photos(
    api, coordinator, observer, mission, django_assert_max_num_queries
):
    for n in range(12):
        station = StationFactory(district__parent__mission=mission)
        visit = VisitFactory(observer=observer, station=station, arrived_at=election_time(8 + n))
        for _ in range(2):
            finding = FindingFactory(visit=visit)
            FindingPhoto.objects.create(
                finding=finding, image="x.jpg", content_type="image/jpeg", size=1
            )
    client = api.as_user(coordinator)

    # token, roles, count, visits (with station, team, observer, mission), findings, photos,
    # and the request's savepoint pair
    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert len(response.json()["results"]) == 12
    assert all(len(v["findings"]) == 2 for v in response.json()["results"])
    assert all(len(f["photos"]) == 1 for v in response.json()["results"] for f in v["findings"])


def test_an_observers_list_costs_a_fixed_number_of_queries(
    api, observer, our_visit, django_assert_max_num_queries
):
    client = api.as_user(observer.user)

    # token, roles, observer profiles, count, visits, findings, photos, savepoint pair
    with django_assert_max_num_queries(9):
        client.get(URL)
