"""Every CSV a person downloads starts with a UTF-8 byte order mark, so that Excel opens the
Cyrillic and Kazakh names right (issue 20); ``?bom=0`` leaves it out, for programs."""

import pytest

from missions.sampling import sample_draw
from tests.reports.briefings.test_api import publish

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()


def body_of(response) -> bytes:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.fixture
def downloads(api, coordinator, reported):
    """The CSV downloads of a mission with reports, a sample and a published briefing."""
    mission = reported
    sample = sample_draw(mission=mission, size=1, seed=3)
    briefing = publish(api, coordinator, mission, title="Morning after")
    return {
        "export": f"/api/v1/missions/{mission.pk}/export/visits.csv",
        "sample": f"/missions/{mission.pk}/samples/{sample.pk}/stations.csv",
        "calls": f"/missions/{mission.pk}/reporting/calls.csv",
        "chart": f"/api/v1/missions/{mission.pk}/charts/assessments.csv",
        "briefing chart": f"/api/v1/briefings/{briefing['id']}/charts/assessments.csv",
    }


@pytest.mark.parametrize("name", ["export", "sample", "calls", "chart", "briefing chart"])
def test_a_csv_download_starts_with_the_byte_order_mark_unless_asked_not_to(
    client, coordinator, downloads, name
):
    client.force_login(coordinator)  # pages and API alike, as in the browser

    with_mark = body_of(client.get(downloads[name]))
    without = body_of(client.get(downloads[name] + "?bom=0"))

    assert with_mark.startswith(BOM)
    assert not without.startswith(BOM)
    assert with_mark[len(BOM) :] == without
    assert without[:1].isalpha()  # the header's first column name, nothing before it


def test_the_api_schema_documents_the_bom_parameter(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    documented = {
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "bom" for p in operations.get("get", {}).get("parameters", []))
    }

    assert documented == {
        "/api/v1/missions/{mission_id}/export/{dataset}.{fmt}",
        "/api/v1/missions/{mission_id}/charts/{name}.csv",
        "/api/v1/briefings/{briefing_id}/charts/{name}.{fmt}",
    }
