"""Stratified random samples: missions.sampling and /api/v1/missions/{id}/samples/."""

from collections import Counter

import pytest

from missions.models import AuditEvent, Sample, SampleStation
from missions.sampling import allocate, sample_draw
from tests.missions.factories import DistrictFactory, RegionFactory, StationFactory

pytestmark = pytest.mark.django_db


def test_allocation_is_proportional_and_adds_up():
    assert allocate({"A": 100, "B": 50, "C": 50}, 20) == {"A": 10, "B": 5, "C": 5}
    assert allocate({"A": 10, "B": 10, "C": 10}, 10) == {"A": 4, "B": 3, "C": 3}


def test_allocation_gives_every_stratum_two_when_the_size_allows():
    # Proportional shares would be 19.74, 0.20 and 0.06.
    assert allocate({"A": 1000, "B": 10, "C": 3}, 20) == {"A": 16, "B": 2, "C": 2}
    # A stratum of one station can give only one.
    assert allocate({"A": 1000, "B": 1}, 10) == {"A": 9, "B": 1}
    # Too small a size for the floor: purely proportional.
    assert allocate({"A": 1000, "B": 10, "C": 3}, 3) == {"A": 3, "B": 0, "C": 0}


def test_allocation_of_the_whole_frame_takes_every_station():
    assert allocate({"A": 7, "B": 1, "C": 4}, 12) == {"A": 7, "B": 1, "C": 4}


def test_allocation_refuses_an_impossible_size():
    with pytest.raises(ValueError):
        allocate({"A": 3}, 4)


@pytest.fixture
def frame(mission):
    """Region N: 30 urban and 10 rural stations; region S: 8 urban, 12 rural, 2 unknown."""
    north = RegionFactory(mission=mission, code="N", name="North")
    south = RegionFactory(mission=mission, code="S", name="South")
    layout = [(north, True, 30), (north, False, 10), (south, True, 8), (south, False, 12)]
    layout.append((south, None, 2))
    stations = []
    for region, urban, count in layout:
        district = DistrictFactory(parent=region, mission=mission)
        stations += StationFactory.create_batch(
            count, district=district, urban=urban, registered_voters=1000 if urban else 300
        )
    return stations


def test_a_drawn_sample_follows_its_strata_and_stores_their_populations(
    coordinator, mission, frame
):
    sample = sample_draw(mission=mission, size=31, seed=42, actor=coordinator)

    strata = {s["key"]: s for s in sample.strata["strata"]}
    assert {k: (s["population"], s["sample_size"]) for k, s in strata.items()} == {
        # Exactly half of each, except that the two unknowns are both taken (the floor of
        # two per stratum) and the largest stratum gives up one for it.
        "N|URBAN": (30, 14),
        "N|RURAL": (10, 5),
        "S|URBAN": (8, 4),
        "S|RURAL": (12, 6),
        "S|UNKNOWN": (2, 2),
    }
    assert strata["N|URBAN"]["registered"] == 30_000
    assert strata["S|RURAL"]["registered"] == 3_600
    assert (sample.size, sample.seed, sample.frame_size) == (31, 42, 62)
    rows = list(SampleStation.objects.filter(sample=sample).select_related("station__region"))
    assert len(rows) == 31 == len({r.station_id for r in rows})
    assert Counter(r.stratum for r in rows) == {k: s["sample_size"] for k, s in strata.items()}
    for row in rows:
        label = {True: "URBAN", False: "RURAL", None: "UNKNOWN"}[row.station.urban]
        assert row.stratum == f"{row.station.region.code}|{label}"
        assert row.stratum_population == strata[row.stratum]["population"]
        assert row.weight == pytest.approx(row.stratum_population / row.stratum_sample_size)


def test_the_same_seed_draws_the_same_stations(mission, frame):
    first = sample_draw(mission=mission, size=20, seed=2022)
    second = sample_draw(mission=mission, size=20, seed=2022)
    third = sample_draw(mission=mission, size=20, seed=2023)

    def chosen(sample):
        return set(sample.stations.values_list("station_id", flat=True))

    assert chosen(first) == chosen(second)
    assert chosen(first) != chosen(third)


def test_a_sample_without_a_seed_records_the_one_it_used(mission, frame):
    sample = sample_draw(mission=mission, size=10)

    again = sample_draw(mission=mission, size=10, seed=sample.seed)

    assert set(sample.stations.values_list("station_id", flat=True)) == set(
        again.stations.values_list("station_id", flat=True)
    )


def test_drawing_through_the_api(api, coordinator, mission, frame):
    client = api.as_user(coordinator)

    response = client.post(
        f"/api/v1/missions/{mission.pk}/samples/", {"size": 31, "seed": 7}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["size"], body["seed"], body["frame_size"]) == (31, 7, 62)
    assert len(body["strata"]["strata"]) == 5
    stations = client.get(body["stations"] + "?page_size=100").json()
    assert stations["count"] == 31
    row = stations["results"][0]
    assert set(row) >= {"station", "code", "region", "stratum", "stratum_population", "weight"}
    listed = client.get(f"/api/v1/missions/{mission.pk}/samples/").json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    detail = client.get(f"/api/v1/missions/{mission.pk}/samples/{body['id']}/").json()
    assert detail["strata"] == body["strata"]


@pytest.mark.parametrize("body", [{"size": 0}, {"size": 63}, {"size": "many"}, {}])
def test_a_bad_size_is_a_400(api, coordinator, mission, frame, body):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/samples/", body, format="json"
    )

    assert response.status_code == 400
    assert "size" in response.json()
    assert not Sample.objects.exists()


def test_a_mission_without_stations_cannot_be_sampled(api, coordinator, mission):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/samples/", {"size": 1}, format="json"
    )

    assert response.status_code == 400


def test_drawing_is_audited(api, coordinator, mission, frame):
    api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/samples/", {"size": 5, "seed": 1}, format="json"
    )

    event = AuditEvent.objects.get(action="sample.draw")
    assert event.actor == coordinator
    assert event.after == {"size": 5, "seed": 1, "frame_size": 62, "strata": 5, "in_use": True}


def test_analysts_read_samples_but_do_not_draw(api, analyst, mission, frame):
    sample = sample_draw(mission=mission, size=5, seed=1)
    client = api.as_user(analyst)

    assert client.get(f"/api/v1/missions/{mission.pk}/samples/").status_code == 200
    assert client.get(f"/api/v1/missions/{mission.pk}/samples/{sample.pk}/").status_code == 200
    response = client.post(f"/api/v1/missions/{mission.pk}/samples/", {"size": 5})
    assert response.status_code == 403
    assert Sample.objects.count() == 1


@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
def test_samples_are_a_404_for_others(api, request, mission, frame, persona):
    sample = sample_draw(mission=mission, size=5, seed=1)
    client = api.as_user(request.getfixturevalue(persona))
    base = f"/api/v1/missions/{mission.pk}/samples/"

    assert client.get(base).status_code == 404
    assert client.get(f"{base}{sample.pk}/").status_code == 404
    assert client.get(f"{base}{sample.pk}/stations/").status_code == 404
    assert client.post(base, {"size": 5}).status_code == 404


def test_another_missions_sample_is_a_404(api, coordinator, mission, other_mission, frame):
    StationFactory(district__parent__mission=other_mission)
    foreign = sample_draw(mission=other_mission, size=1, seed=1)
    client = api.as_user(coordinator)

    assert client.get(f"/api/v1/missions/{mission.pk}/samples/{foreign.pk}/").status_code == 404
    response = client.get(f"/api/v1/missions/{mission.pk}/samples/{foreign.pk}/stations/")
    assert response.status_code == 404


def test_sample_stations_list_in_a_fixed_number_of_queries(
    api, analyst, mission, frame, django_assert_max_num_queries
):
    sample = sample_draw(mission=mission, size=40, seed=3)
    client = api.as_user(analyst)

    # Token, role, mission, sample, count, page, and the request's savepoint pair.
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/missions/{mission.pk}/samples/{sample.pk}/stations/")

    assert response.json()["count"] == 40


def test_a_sample_whose_author_is_gone_says_null_as_the_schema_allows(
    api, coordinator, analyst, mission, frame
):
    sample_draw(mission=mission, size=5, seed=1, actor=None)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    listed = api.as_user(analyst).get(f"/api/v1/missions/{mission.pk}/samples/").json()

    assert listed["results"][0]["created_by"] is None
    created_by = schema["components"]["schemas"]["Sample"]["properties"]["created_by"]
    assert created_by.get("nullable") is True


def test_the_sample_csv_defuses_cells_a_spreadsheet_would_run(client, analyst, mission, frame):
    from missions.models import PollingStation

    PollingStation.objects.filter(mission=mission).update(name='=HYPERLINK("http://x.test")')
    sample = sample_draw(mission=mission, size=5, seed=1, actor=None)
    client.force_login(analyst)

    response = client.get(f"/missions/{mission.pk}/samples/{sample.pk}/stations.csv")

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert ',"=HYPERLINK' not in body and ",=HYPERLINK" not in body
    assert body.count(",\"'=HYPERLINK") == 5
