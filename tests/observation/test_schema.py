"""The OpenAPI schema describes the observation endpoints and still generates cleanly."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").stat().st_size > 0


def test_the_schema_describes_the_visit_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    for path in (
        "/api/v1/missions/{mission_id}/checklists/",
        "/api/v1/visits/",
        "/api/v1/visits/{id}/",
        "/api/v1/visits/{id}/review/",
        "/api/v1/findings/{id}/review/",
        "/api/v1/findings/{id}/photos/",
        "/api/v1/photos/{id}/",
        "/api/v1/observers/{id}/token/",
    ):
        assert path in paths, path
    post = paths["/api/v1/visits/"]["post"]
    assert {"201", "200", "400", "409"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"client_uuid", "station", "station_code", "answers", "findings"} <= set(
        schema["components"]["schemas"][body]["properties"]
    )
