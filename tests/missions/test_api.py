import pytest

from missions.models import Mission
from tests.world import persona_user

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials(api, coordinator):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "coordinator", "password": "pass-word-123"},
        format="json",
    )

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_token_for_wrong_password_is_a_400(api, coordinator):
    response = api.post(
        "/api/v1/auth/token/", {"username": "coordinator", "password": "nope"}, format="json"
    )

    assert response.status_code == 400


def test_token_authenticates_api_calls(api, coordinator, mission):
    token = api.post(
        "/api/v1/auth/token/",
        {"username": "coordinator", "password": "pass-word-123"},
        format="json",
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get("/api/v1/missions/")

    assert response.status_code == 200
    assert [m["name"] for m in response.json()["results"]] == ["Test mission"]


def test_api_without_credentials_is_a_401(api, mission):
    assert api.get("/api/v1/missions/").status_code == 401


def test_api_root_answers(api):
    response = api.get("/api/v1/")

    assert response.status_code == 200
    assert response.json()["version"] == "v1"


def test_mission_list_shows_only_the_callers_missions(api, coordinator, other_mission):
    response = api.as_user(coordinator).get("/api/v1/missions/")

    assert [m["name"] for m in response.json()["results"]] == ["Test mission"]


def test_the_press_sees_no_mission_record_only_briefings(api, press, mission):
    client = api.as_user(press)

    listing = client.get("/api/v1/missions/")
    detail = client.get(f"/api/v1/missions/{mission.pk}/")

    assert listing.json()["count"] == 0
    assert detail.status_code == 404


def test_an_observer_reads_their_missions_record(api, observer, mission):
    response = api.as_user(observer.user).get(f"/api/v1/missions/{mission.pk}/")

    assert response.status_code == 200
    assert response.json()["role"] == "OBSERVER"


def test_another_missions_detail_is_a_404(api, coordinator, other_mission):
    assert api.as_user(coordinator).get(f"/api/v1/missions/{other_mission.pk}/").status_code == 404


def test_staff_creates_a_mission_and_becomes_its_coordinator(api, staff_user):
    body = {
        "name": "Kazakhstan 2022",
        "country": "kz",
        "election_date": "2022-11-20",
        "timezone": "Asia/Almaty",
        "polls_open": "07:00",
        "polls_close": "20:00",
        "registered_voters": 11950000,
    }

    response = api.as_user(staff_user).post("/api/v1/missions/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["country"] == "KZ"
    assert data["polls_open"] == "07:00"
    assert data["role"] == "COORDINATOR"
    assert api.get(f"/api/v1/missions/{data['id']}/").status_code == 200


def test_mission_with_a_bad_timezone_is_a_400_naming_the_field(api, staff_user):
    body = {
        "name": "x",
        "country": "KZ",
        "election_date": "2022-11-20",
        "timezone": "Nowhere/City",
        "polls_open": "07:00",
        "polls_close": "20:00",
    }

    response = api.as_user(staff_user).post("/api/v1/missions/", body, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()


@pytest.mark.parametrize("persona", ["analyst", "press", "observer", "outsider"])
def test_only_staff_and_coordinators_create_missions(api, request, mission, persona):
    body = {
        "name": "x",
        "country": "KZ",
        "election_date": "2022-11-20",
        "timezone": "Asia/Almaty",
        "polls_open": "07:00",
        "polls_close": "20:00",
    }
    user = persona_user(request, persona)

    response = api.as_user(user).post("/api/v1/missions/", body, format="json")

    assert response.status_code == 403
    assert Mission.objects.count() == 1


def test_station_list_filters_by_region_and_code(api, coordinator, station, other_station):
    client = api.as_user(coordinator)

    by_region = client.get(
        f"/api/v1/missions/{station.mission_id}/stations/?region={station.region.name}"
    )
    by_code = client.get(
        f"/api/v1/missions/{station.mission_id}/stations/?code={other_station.code}"
    )

    assert by_region.json()["count"] == 2
    assert [s["code"] for s in by_code.json()["results"]] == [other_station.code]
    row = by_code.json()["results"][0]
    assert row["region"] == station.region.name and row["district"] == station.district.name
    assert row["registered_voters"] == 500


def test_station_list_of_another_mission_is_a_404(api, other_mission_coordinator, station):
    response = api.as_user(other_mission_coordinator).get(
        f"/api/v1/missions/{station.mission_id}/stations/"
    )

    assert response.status_code == 404


def test_station_list_page_size_is_capped_at_1000(api, coordinator, station):
    response = api.as_user(coordinator).get(
        f"/api/v1/missions/{station.mission_id}/stations/?page_size=5000"
    )

    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


def test_observer_list_for_coordinators(api, coordinator, observer, django_assert_max_num_queries):
    client = api.as_user(coordinator)

    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/missions/{observer.mission_id}/observers/")

    row = response.json()["results"][0]
    assert {
        k: row[k] for k in ("username", "full_name", "organisation", "nationality", "role", "team")
    } == {
        "username": "observer",
        "full_name": "Olga Observer",
        "organisation": "OSCE/ODIHR",
        "nationality": "DE",
        "role": "STO",
        "team": "T001",
    }


@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
def test_observer_list_is_a_404_for_others(api, persona, request, observer):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).get(f"/api/v1/missions/{observer.mission_id}/observers/")

    assert response.status_code == 404
