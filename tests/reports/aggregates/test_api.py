"""The aggregates API (API.md) and official turnout, as a coordinator's tools see them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.models import AuditEvent
from reports.models import OfficialTurnout
from tests.missions.factories import StationFactory
from tests.reports.factories import local

pytestmark = pytest.mark.django_db

KINDS = ("turnout", "assessments", "findings", "coverage")


def url(mission, kind, query=""):
    return f"/api/v1/missions/{mission.pk}/aggregates/{kind}/{query}"


@pytest.fixture
def reported(pipeline, station, other_station):
    """A morning at two stations of one district."""
    pipeline.submit(
        station=station,
        arrived_at=local(9, 40),
        voters_so_far=250,
        assessment="GOOD",
        findings=[("SECRECY", "SERIOUS")],
    )
    pipeline.submit(
        station=other_station, arrived_at=local(10, 0), voters_so_far=120, assessment="BAD"
    )
    return station.mission


def test_turnout_answers_rows_and_official_figures_as_api_md_says(api, coordinator, reported):
    OfficialTurnout.objects.create(
        mission=reported, at=local(10), percent="23.40", created_at=local(10, 5)
    )

    response = api.as_user(coordinator).get(url(reported, "turnout", "?level=national"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"as_of", "rows", "official"}
    assert dt.datetime.fromisoformat(body["as_of"]).utcoffset() is not None
    assert body["rows"] == [
        {
            "area_code": "ALL",
            "area_name": "ALL",
            "bucket_end": "2022-11-20T10:00:00+06:00",
            "stations_reporting": 2,
            "voters": 370,
            "registered": 1500,
            "turnout_pct": 24.67,
        }
    ]
    assert [(o["area_code"], o["at"], o["turnout_pct"]) for o in body["official"]] == [
        ("ALL", "2022-11-20T10:00:00+06:00", 23.4)
    ]


def test_every_aggregate_has_the_row_keys_of_api_md(api, analyst, reported, station):
    client = api.as_user(analyst)
    keys = {
        "turnout": {"bucket_end", "stations_reporting", "voters", "registered", "turnout_pct"},
        "assessments": {
            "stage",
            "very_good",
            "good",
            "bad",
            "very_bad",
            "total",
            "negative_pct",
            "ci_low",
            "ci_high",
        },
        "findings": {"category", "severity", "count"},
        "coverage": {"stations_total", "stations_visited", "visits"},
    }

    for kind in KINDS:
        body = client.get(url(reported, kind)).json()
        assert body["rows"], kind
        for row in body["rows"]:
            assert set(row) == {"area_code", "area_name"} | keys[kind]
            assert (row["area_code"], row["area_name"]) == (
                station.region.code,
                station.region.name,
            )


def test_levels_name_their_areas(api, coordinator, reported, station):
    client = api.as_user(coordinator)

    codes = {
        level: [
            r["area_code"]
            for r in client.get(url(reported, "coverage", f"?level={level}")).json()["rows"]
        ]
        for level in ("national", "region", "district")
    }

    assert codes == {
        "national": ["ALL"],
        "region": [station.region.code],
        "district": [station.district.code],
    }


def test_assessments_filter_by_stage(api, coordinator, reported, pipeline, station):
    pipeline.submit(
        station=station, stage="OPENING", arrived_at=local(6, 50), assessment="VERY_BAD"
    )
    client = api.as_user(coordinator)

    voting = client.get(url(reported, "assessments", "?level=national&stage=VOTING")).json()["rows"]
    every = client.get(url(reported, "assessments", "?level=national")).json()["rows"]

    assert [(r["stage"], r["total"], r["negative_pct"]) for r in voting] == [("VOTING", 2, 50.0)]
    assert [r["stage"] for r in every] == ["OPENING", "VOTING"]


@pytest.mark.parametrize(
    ("kind", "query", "field"),
    [
        ("turnout", "?level=province", "level"),
        ("coverage", "?level=county", "level"),
        ("assessments", "?stage=LUNCH", "stage"),
    ],
)
def test_a_bad_level_or_stage_is_a_400(api, coordinator, mission, kind, query, field):
    response = api.as_user(coordinator).get(url(mission, kind, query))

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_missions_coordinators_and_analysts_read_aggregates(
    api, kind, reported, press, observer, outsider, other_mission_coordinator, coordinator, analyst
):
    for user in (coordinator, analyst):
        assert api.as_user(user).get(url(reported, kind)).status_code == 200
    for user in (press, observer.user, outsider, other_mission_coordinator):
        assert api.as_user(user).get(url(reported, kind)).status_code == 404, user.username


def test_anonymous_callers_get_a_401(client, mission):
    assert client.get(url(mission, "turnout")).status_code == 401


def test_an_unknown_mission_is_a_404(api, coordinator, mission):
    assert (
        api.as_user(coordinator)
        .get(f"/api/v1/missions/{mission.pk + 999}/aggregates/coverage/")
        .status_code
        == 404
    )


def test_reading_aggregates_costs_the_same_queries_however_many_visits(
    api, coordinator, reported, pipeline
):
    client = api.as_user(coordinator)
    client.get(url(reported, "turnout"))  # warm the token and role lookups' code paths

    def queries():
        counts = {}
        for kind in KINDS:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url(reported, kind, "?level=district")).status_code == 200
            counts[kind] = len(captured)
        return counts

    few = queries()
    for hour in range(8, 20):
        station = StationFactory(district__parent__mission=reported)
        pipeline.submit(
            station=station,
            arrived_at=local(hour, 10),
            voters_so_far=hour * 10,
            assessment="GOOD",
            findings=[("PROCEDURE", "MINOR"), ("OTHER", "CRITICAL")],
        )
    many = queries()

    assert few == many
    # savepoint, token, roles, mission, as_of, rows (+ official for turnout), release
    assert max(many.values()) <= 8


# --- official turnout ---------------------------------------------------------------------


OFFICIAL = "/api/v1/missions/{}/official-turnout/"


def test_a_coordinator_records_an_official_figure(api, coordinator, station):
    mission = station.mission
    body = {
        "area_code": station.region.code,
        "at": "2022-11-20T14:00:00+06:00",
        "turnout_pct": 51.2,
    }

    response = api.as_user(coordinator).post(OFFICIAL.format(mission.pk), body, format="json")

    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "level": "region",
        "area_code": station.region.code,
        "area_name": station.region.name,
        "at": "2022-11-20T14:00:00+06:00",
        "turnout_pct": 51.2,
    }
    listed = api.get(OFFICIAL.format(mission.pk)).json()
    assert listed["count"] == 1 and listed["results"][0]["turnout_pct"] == 51.2
    event = AuditEvent.objects.get(action="official_turnout.create")
    assert event.actor == coordinator and event.after["percent"] == "51.20"


def test_national_figures_appear_at_the_national_level_only(api, coordinator, reported, station):
    client = api.as_user(coordinator)
    client.post(
        OFFICIAL.format(reported.pk),
        {"at": "2022-11-20T10:00:00+06:00", "turnout_pct": 23.4},
        format="json",
    )
    client.post(
        OFFICIAL.format(reported.pk),
        {"area_code": station.region.code, "at": "2022-11-20T10:00:00+06:00", "turnout_pct": 25},
        format="json",
    )

    national = client.get(url(reported, "turnout", "?level=national")).json()["official"]
    region = client.get(url(reported, "turnout", "?level=region")).json()["official"]

    assert [(o["area_code"], o["turnout_pct"]) for o in national] == [("ALL", 23.4)]
    assert [(o["area_code"], o["turnout_pct"]) for o in region] == [(station.region.code, 25.0)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"at": "2022-11-20T10:00:00", "turnout_pct": 20}, "at"),
        ({"at": "2022-11-20T10:00:00+06:00", "turnout_pct": 100.5}, "turnout_pct"),
        ({"at": "2022-11-20T10:00:00+06:00", "turnout_pct": -1}, "turnout_pct"),
        (
            {"area_code": "NOWHERE", "at": "2022-11-20T10:00:00+06:00", "turnout_pct": 20},
            "area_code",
        ),
        ({"at": "yesterday", "turnout_pct": 20}, "at"),
    ],
)
def test_bad_official_figures_are_400s_and_store_nothing(api, coordinator, mission, body, field):
    response = api.as_user(coordinator).post(OFFICIAL.format(mission.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not OfficialTurnout.objects.exists()


def test_the_same_area_and_time_twice_is_a_400(api, coordinator, mission):
    client = api.as_user(coordinator)
    body = {"area_code": "ALL", "at": "2022-11-20T10:00:00+06:00", "turnout_pct": 20}
    assert client.post(OFFICIAL.format(mission.pk), body, format="json").status_code == 201

    response = client.post(OFFICIAL.format(mission.pk), body | {"turnout_pct": 21}, format="json")

    assert response.status_code == 400
    assert OfficialTurnout.objects.get().percent == 20


def test_another_missions_area_cannot_be_named(api, coordinator, mission, foreign_station):
    body = {
        "area_code": foreign_station.region.code,
        "at": "2022-11-20T10:00:00+06:00",
        "turnout_pct": 20,
    }

    response = api.as_user(coordinator).post(OFFICIAL.format(mission.pk), body, format="json")

    assert response.status_code == 400


def test_who_may_enter_and_delete_official_figures(
    api, mission, coordinator, analyst, press, outsider, other_mission_coordinator
):
    figure = OfficialTurnout.objects.create(
        mission=mission, at=local(10), percent=20, created_at=local(10)
    )
    body = {"at": "2022-11-20T14:00:00+06:00", "turnout_pct": 50}
    detail = f"{OFFICIAL.format(mission.pk)}{figure.pk}/"

    assert api.as_user(analyst).get(OFFICIAL.format(mission.pk)).status_code == 200
    assert (
        api.as_user(analyst).post(OFFICIAL.format(mission.pk), body, format="json").status_code
        == 403
    )
    assert api.as_user(analyst).delete(detail).status_code == 403
    for user in (press, outsider, other_mission_coordinator):
        assert (
            api.as_user(user).post(OFFICIAL.format(mission.pk), body, format="json").status_code
            == 404
        )
        assert api.as_user(user).delete(detail).status_code == 404
    api.credentials()
    assert api.post(OFFICIAL.format(mission.pk), body, format="json").status_code == 401

    assert api.as_user(coordinator).delete(detail).status_code == 204
    assert not OfficialTurnout.objects.exists()
    assert AuditEvent.objects.filter(action="official_turnout.delete", actor=coordinator).exists()


def test_a_figure_of_another_mission_cannot_be_deleted(api, coordinator, mission, other_mission):
    figure = OfficialTurnout.objects.create(
        mission=other_mission, at=local(10), percent=20, created_at=local(10)
    )

    response = api.as_user(coordinator).delete(f"{OFFICIAL.format(mission.pk)}{figure.pk}/")

    assert response.status_code == 404
    assert OfficialTurnout.objects.exists()
