"""F3: an API import too large for a request runs on a worker: 202 and a job to poll, which
ends with the answer a small import gets at once."""

import pytest
from django.test import override_settings

from missions.models import PollingStation
from tests.missions.uploads import csv_upload

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "region", "district", "registered_voters"]
ROWS = [HEADER] + [[f"S{n}", "School", "R", "D", 100] for n in range(10)]


def post(client, mission, upload, **params):
    query = "?dry_run=1" if params.get("dry_run") else ""
    return client.post(
        f"/api/v1/missions/{mission.pk}/stations/import/{query}",
        {"file": upload},
        format="multipart",
    )


@override_settings(IMPORT_API_ASYNC_ROWS=5)
def test_a_large_api_import_runs_on_a_worker_and_is_polled(
    api, coordinator, mission, django_capture_on_commit_callbacks
):
    client = api.as_user(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, mission, csv_upload(ROWS))

    assert response.status_code == 202, response.json()
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "DONE"
    assert job["result"]["created"] == 10 and job["result"]["errors"] == []
    assert PollingStation.objects.filter(mission=mission).count() == 10


@override_settings(IMPORT_API_ASYNC_ROWS=5)
def test_a_large_dry_run_is_checked_on_a_worker_and_imports_nothing(
    api, coordinator, mission, django_capture_on_commit_callbacks
):
    client = api.as_user(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, mission, csv_upload(ROWS), dry_run=True)

    job = client.get(response.json()["url"]).json()
    assert (response.status_code, job["status"]) == (202, "VALID")
    assert job["result"]["would_create"] == 10
    assert not PollingStation.objects.exists()


@override_settings(IMPORT_API_ASYNC_ROWS=5)
def test_another_missions_coordinator_cannot_poll_the_job(
    api, coordinator, mission, other_mission_coordinator
):
    response = post(api.as_user(coordinator), mission, csv_upload(ROWS))

    assert api.as_user(other_mission_coordinator).get(response.json()["url"]).status_code == 404


def test_a_small_api_import_still_answers_at_once(api, coordinator, mission):
    response = post(api.as_user(coordinator), mission, csv_upload(ROWS))

    assert response.status_code == 200
    assert response.json()["created"] == 10
