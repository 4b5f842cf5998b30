"""The coordinator's page for the election commission's announced turnout."""

import pytest

from reports.models import OfficialTurnout
from tests.reports.factories import local

pytestmark = pytest.mark.django_db


def page(mission):
    return f"/missions/{mission.pk}/official-turnout/"


def test_a_coordinator_adds_and_deletes_a_figure(client, coordinator, station):
    mission = station.mission
    client.force_login(coordinator)

    response = client.post(
        page(mission),
        {"area": station.region.code, "day": "2022-11-20", "time": "14:00", "percent": "51.2"},
        follow=True,
    )

    assert response.status_code == 200
    figure = OfficialTurnout.objects.get()
    assert (figure.area, figure.at, float(figure.percent)) == (station.region, local(14), 51.2)
    assert "Nov. 20, 2022 14:00 (Asia/Almaty)" in response.content.decode()
    assert "51.20" in response.content.decode()

    client.post(page(mission), {"delete": figure.pk})

    assert not OfficialTurnout.objects.exists()


def test_a_national_figure_and_a_bad_percent(client, coordinator, mission):
    client.force_login(coordinator)

    client.post(
        page(mission), {"area": "ALL", "day": "2022-11-20", "time": "10:00", "percent": "23.4"}
    )
    response = client.post(
        page(mission), {"area": "ALL", "day": "2022-11-20", "time": "11:00", "percent": "140"}
    )

    assert OfficialTurnout.objects.get().area is None
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_a_repeated_time_shows_an_error_not_a_crash(client, coordinator, mission):
    client.force_login(coordinator)
    form = {"area": "ALL", "day": "2022-11-20", "time": "10:00", "percent": "23.4"}
    client.post(page(mission), form)

    response = client.post(page(mission), form | {"percent": "24"})

    assert response.status_code == 400
    assert "already there" in response.content.decode()
    assert OfficialTurnout.objects.count() == 1


def test_an_analyst_reads_but_may_not_change(client, analyst, mission):
    OfficialTurnout.objects.create(mission=mission, at=local(10), percent=20, created_at=local(10))
    client.force_login(analyst)

    response = client.get(page(mission))

    assert response.status_code == 200
    assert "20.00" in response.content.decode()
    assert "Add a figure" not in response.content.decode()
    denied = client.post(
        page(mission), {"area": "ALL", "day": "2022-11-20", "time": "11:00", "percent": "5"}
    )
    assert denied.status_code == 403
    assert OfficialTurnout.objects.count() == 1


def test_others_do_not_see_the_page(client, mission, press, outsider, other_mission_coordinator):
    for user in (press, outsider, other_mission_coordinator):
        client.force_login(user)
        assert client.get(page(mission)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, mission):
    response = client.get(page(mission))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_area_names_are_escaped(client, coordinator, station):
    station.region.name = "<script>alert(1)</script>"
    station.region.save(update_fields=["name"])
    OfficialTurnout.objects.create(
        mission=station.mission, area=station.region, at=local(10), percent=20, created_at=local(10)
    )
    client.force_login(coordinator)

    body = client.get(page(station.mission)).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    "bad",
    [
        {"percent": "abc"},
        {"day": "9999-12-31"},
        {"time": "25:00"},
        {"area": "NOWHERE"},
        {"percent": ""},
    ],
)
def test_invalid_input_is_a_400_that_stores_nothing(client, coordinator, mission, bad):
    client.force_login(coordinator)
    form = {"area": "ALL", "day": "2022-11-20", "time": "10:00", "percent": "23.4"}

    response = client.post(page(mission), form | bad)

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not OfficialTurnout.objects.exists()
