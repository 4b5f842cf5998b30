"""Regression tests for what the API fuzzer (tests/test_fuzz.py) found: answers that did not
match the OpenAPI schema, and inputs that were accepted although they made no sense.

Each test reads the schema the server publishes and checks one answer against it.
"""

import re
import uuid

import pytest
from django.utils import timezone

from observation.models import Checklist, Visit
from reports.briefings.services import briefing_publish
from reports.charts.rendering import CONTENT_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def component(openapi, name):
    return openapi["components"]["schemas"][name]


def response_schema(openapi, path, method="get", status="200"):
    content = openapi["paths"][path][method]["responses"][status]["content"]
    schema = content["application/json"]["schema"]
    if "$ref" in schema:
        return component(openapi, schema["$ref"].split("/")[-1])
    return schema


def a_visit(observer, station):
    return Visit.objects.create(
        mission=station.mission,
        station=station,
        team=observer.team,
        observer=observer,
        checklist=Checklist.objects.get(mission=station.mission, stage="VOTING", is_current=True),
        stage="VOTING",
        arrived_at=timezone.now(),
        answers={},
        client_uuid=uuid.uuid4(),
    )


def test_mission_times_are_documented_as_they_are_sent(api, openapi, coordinator, mission):
    """Was: ``format: time`` (RFC 3339: seconds and an offset), while API.md sends "07:00"."""
    body = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/").json()

    for name in ("polls_open", "polls_close"):
        field = component(openapi, "Mission")["properties"][name]
        assert field.get("format") != "time"
        assert re.fullmatch(field["pattern"], body[name]), (field, body[name])
    assert body["polls_open"] == "07:00"


def test_a_visit_not_yet_reviewed_has_a_null_review_time_and_the_schema_allows_it(
    api, openapi, coordinator, observer, station
):
    """Was: ``reviewed_at`` documented as an always-present string; unreviewed visits send null."""
    visit = a_visit(observer, station)

    body = api.as_user(coordinator).get(f"/api/v1/visits/{visit.pk}/").json()

    assert body["reviewed_at"] is None
    assert component(openapi, "Visit")["properties"]["reviewed_at"].get("nullable") is True


def test_the_members_list_is_documented_with_its_envelope(api, openapi, coordinator, mission):
    """Was: documented as a bare array; the answer is ``{"results": [...]}``."""
    body = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/members/").json()

    schema = response_schema(openapi, "/api/v1/missions/{mission_id}/members/")
    assert schema["type"] == "object" and "results" in schema["properties"]
    assert [m["username"] for m in body["results"]] == ["coordinator"]


def test_the_official_turnout_list_is_documented_as_paginated(api, openapi, coordinator, mission):
    """Was: documented as a bare array; the answer is paginated like every list."""
    body = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/official-turnout/").json()

    schema = response_schema(openapi, "/api/v1/missions/{mission_id}/official-turnout/")
    assert set(schema["properties"]) == {"count", "next", "previous", "results"} == set(body)


@pytest.mark.parametrize("at", ["0155-10-26T00:06:27Z", "2022-11-21T10:00:00+06:00"])
def test_an_official_figure_off_the_election_day_is_refused(api, coordinator, mission, at):
    """Was: a figure for the year 155 was stored (201) and sent back with the local mean time
    offset +05:07:48, which is not an RFC 3339 time."""
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/official-turnout/",
        {"at": at, "turnout_pct": 50},
        format="json",
    )

    assert response.status_code == 400
    # Year 155 is refused for its era (common.parsing: years 1900-2199), the next day for its day.
    assert any(word in response.json()["at"][0] for word in ("election day", "1900 and 2199"))
    assert not mission.official_turnout.exists()


@pytest.mark.parametrize("kind", ["stations", "observers"])
def test_an_import_without_a_file_answers_in_the_documented_shape(
    api, openapi, coordinator, mission, kind
):
    """Was: ``{"created", "updated", "errors"}`` only, while the schema requires every count."""
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/{kind}/import/?dry_run=1", {}, format="multipart"
    )

    assert response.status_code == 400
    required = component(openapi, "ImportResult")["required"]
    assert set(required) <= set(response.json())
    assert response.json()["created"] == 0 and response.json()["dry_run"] is True
    assert response.json()["errors"][0]["field"] == "file"


def test_chart_files_are_documented_with_their_real_content_types(
    api, openapi, coordinator, mission
):
    """Was: documented as application/octet-stream; a .csv is text/csv, a .png image/png."""
    briefing = briefing_publish(mission=mission, user=coordinator, now=timezone.now())
    name = briefing.snapshot["charts"][0]["name"]

    response = api.as_user(coordinator).get(f"/api/v1/briefings/{briefing.pk}/charts/{name}.csv")

    path = "/api/v1/briefings/{briefing_id}/charts/{name}.{fmt}"
    documented = set(openapi["paths"][path]["get"]["responses"]["200"]["content"])
    assert documented == {content_type.split(";")[0] for content_type in CONTENT_TYPES.values()}
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in documented


def test_removing_a_member_is_in_the_schema(openapi):
    path = openapi["paths"]["/api/v1/missions/{mission_id}/members/{membership_id}/"]

    assert set(path) == {"delete"}
    assert "204" in path["delete"]["responses"]


@pytest.mark.parametrize(
    "url", ["/api/v1/missions/1/export/visits.doc", "/api/v1/nothing/here/", "/api/v2/"]
)
def test_an_api_url_that_matches_no_route_is_a_json_404(api, coordinator, url):
    """Was: Django's HTML "Not Found" page under /api/, where every answer is JSON."""
    response = api.as_user(coordinator).get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_an_html_404(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "name", "values"),
    [
        (
            "/api/v1/briefings/{briefing_id}/charts/{name}.{fmt}",
            "fmt",
            ["png", "svg", "pdf", "csv"],
        ),
        (
            "/api/v1/missions/{mission_id}/export/{dataset}.{fmt}",
            "dataset",
            ["visits", "findings", "stations", "observers"],
        ),
        ("/api/v1/missions/{mission_id}/export/{dataset}.{fmt}", "fmt", ["csv", "xlsx"]),
    ],
)
def test_file_formats_in_paths_are_documented_as_enums(openapi, path, name, values):
    """Was: the pattern "^png|svg|pdf|csv$" (from the URL's alternatives), which "pngX" matches."""
    (parameter,) = [p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name]

    assert sorted(parameter["schema"]["enum"]) == sorted(values)


def test_the_briefing_pack_documents_that_it_may_still_be_building(openapi):
    """Was: GET pack.pdf answers 202 while the pack is built, which the schema did not say."""
    pack = openapi["paths"]["/api/v1/briefings/{briefing_id}/pack/"]["post"]["responses"]
    pack_file = openapi["paths"]["/api/v1/briefings/{briefing_id}/pack.pdf"]["get"]["responses"]

    assert {"200", "202", "503"} <= set(pack)
    assert {"200", "202", "503"} <= set(pack_file)


def test_a_photo_error_is_json_whatever_the_client_accepts(api, observer, mission):
    """Was: ``?format=bin`` made a 404 go out as ``*/*; charset=utf-8``."""
    response = api.as_user(observer.user).get("/api/v1/photos/999999/?format=bin")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_every_operation_documents_the_errors_api_md_promises(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            missing = {"400", "401", "403", "404"} - set(operation["responses"])
            assert not missing, f"{method.upper()} {path} does not document {missing}"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/missions/{}/official-turnout/",
            {"at": "2022-11-20T12:99:00+06:00", "turnout_pct": 50},
            "at",
        ),
        (
            "/api/v1/missions/{}/official-turnout/",
            {"at": "2022-02-30T10:00Z", "turnout_pct": 5},
            "at",
        ),
        (
            "/api/v1/missions/{}/briefings/",
            {"embargo_until": "2022-11-21T25:00:00+06:00"},
            "embargo_until",
        ),
    ],
)
def test_an_impossible_time_is_a_400_not_a_500(api, coordinator, mission, url, body, field):
    """Was: a 500 (Django's parse_datetime raises ValueError on "12:99", well formed but
    impossible); found by the fuzzer on the official turnout, the same field on briefings."""
    response = api.as_user(coordinator).post(url.format(mission.pk), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_nul_character_in_a_deletion_reason_is_a_400(api, coordinator, observer, station):
    """Was: a 500 (PostgreSQL stores no NUL character), from ``DELETE /visits/{id}/?reason=``."""
    visit = a_visit(observer, station)

    response = api.as_user(coordinator).delete(f"/api/v1/visits/{visit.pk}/?reason=dup%00licate")

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_body_of_a_type_the_operation_does_not_take_is_a_documented_415(
    api, openapi, coordinator, mission
):
    """Was: DRF's 415 was missing from the schema of every operation that takes a body."""
    response = api.as_user(coordinator).generic(
        "POST",
        f"/api/v1/missions/{mission.pk}/observers/import/",
        "code,name",
        content_type="text/plain",
    )

    assert response.status_code == 415
    operation = openapi["paths"]["/api/v1/missions/{mission_id}/observers/import/"]["post"]
    assert "415" in operation["responses"]
