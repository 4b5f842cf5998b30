"""Who may open the dashboard pages: the mission's coordinators and analysts, nobody else."""

import pytest

from tests.reports.dashboard_data import build_election, login
from tests.reports.factories import FindingFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(mission):
    return build_election(mission, regions=2, stations_per_district=3, visits_per_station=2)


def page_urls(election):
    m = election.mission.pk
    visit = election.visits[0]
    return [
        f"/missions/{m}/dashboard/",
        f"/missions/{m}/dashboard/feed/",
        f"/missions/{m}/dashboard/map/",
        f"/missions/{m}/dashboard/outlines/",
        f"/missions/{m}/areas/{election.regions[0].pk}/",
        f"/missions/{m}/areas/{election.districts[0].pk}/",
        f"/missions/{m}/stations/{visit.station_id}/",
        f"/missions/{m}/visits/{visit.pk}/",
        f"/missions/{m}/review/",
    ]


def post_urls(election):
    m = election.mission.pk
    return [
        f"/missions/{m}/visits/{election.visits[0].pk}/review/",
        f"/missions/{m}/findings/{election.findings[0].pk}/review/",
        f"/missions/{m}/dashboard/outlines/",
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, election):
    for url in page_urls(election) + post_urls(election):
        response = client.post(url) if url in post_urls(election) else client.get(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


@pytest.mark.parametrize("persona", ["coordinator", "analyst"], ids=["coordinator", "analyst"])
def test_the_missions_coordinators_and_analysts_see_every_page(client, election, persona, request):
    login(client, request.getfixturevalue(persona))

    for url in page_urls(election):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "persona", ["observer", "press", "outsider", "other_mission_coordinator", "staff_user"]
)
def test_everyone_else_gets_404_for_pages_and_actions(client, election, persona, request):
    user = request.getfixturevalue(persona)
    login(client, getattr(user, "user", user))

    for url in page_urls(election):
        assert client.get(url).status_code == 404, url
    for url in post_urls(election):
        assert client.post(url, {"status": "REJECTED", "reason": "x"}).status_code == 404, url


def test_analysts_see_no_review_buttons_and_may_not_post(client, analyst, election):
    login(client, analyst)
    m = election.mission.pk

    queue = client.get(f"/missions/{m}/review/").content.decode()
    visit_page = client.get(f"/missions/{m}/visits/{election.visits[-1].pk}/").content.decode()

    assert f'data-visit="{election.visits[-1].pk}"' in queue
    assert 'name="status"' not in queue and 'name="reason"' not in queue
    assert 'name="status"' not in visit_page
    for url in post_urls(election):
        assert client.post(url, {"status": "REJECTED", "reason": "x"}).status_code == 403, url
    election.visits[-1].refresh_from_db()
    assert election.visits[-1].status == "FLAGGED"


def test_objects_of_another_mission_are_404_even_for_a_coordinator(
    client, coordinator, election, other_mission
):
    foreign = FindingFactory(visit=VisitFactory(station__district__parent__mission=other_mission))
    login(client, coordinator)
    m = election.mission.pk

    urls = [
        f"/missions/{m}/visits/{foreign.visit_id}/",
        f"/missions/{m}/stations/{foreign.visit.station_id}/",
        f"/missions/{m}/areas/{foreign.visit.station.region_id}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/missions/{m}/visits/{foreign.visit_id}/review/",
            {"status": "REJECTED", "reason": "x"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/missions/{m}/findings/{foreign.pk}/review/",
            {"status": "DISMISSED", "reason": "x"},
        ).status_code
        == 404
    )
    # And the other mission's own URL is 404 for this coordinator.
    assert client.get(f"/missions/{other_mission.pk}/dashboard/").status_code == 404
