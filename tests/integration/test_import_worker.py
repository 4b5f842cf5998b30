"""A large browser import checked and imported by a real Celery worker on a real Redis.

The uploaded file waits in file storage shared with the worker (a temporary MEDIA_ROOT, as
the deployment's ``media`` volume); the page's status URL reports the job's progress.
"""

import uuid

import pytest

from missions.models import ImportJob, PollingStation
from tests.missions.factories import MembershipFactory, MissionFactory, UserFactory
from tests.missions.uploads import STATION_HEADER, csv_upload
from tests.reports.brokers import real_broker

from .workers import Worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_a_large_import_is_checked_and_imported_by_a_worker(
    client, settings, test_redis, shared_media
):
    settings.IMPORT_ASYNC_ROWS = 10
    queue = f"obs-import-it-{uuid.uuid4().hex[:8]}"
    mission = MissionFactory(name="Worker import")
    coordinator = MembershipFactory(
        mission=mission, role="COORDINATOR", user=UserFactory(username="it-coordinator")
    ).user
    rows = [STATION_HEADER] + [
        [f"W{n:04d}", f"Участок {n}", f"Region {n % 4}", f"District {n % 9}", str(500 + n)]
        for n in range(60)
    ]
    client.force_login(coordinator)
    worker = Worker(
        broker_url=test_redis, queue=queue, extra_env={"MEDIA_ROOT": str(shared_media)}
    ).start()
    try:
        with real_broker(test_redis, queue=queue):
            client.post(f"/missions/{mission.pk}/import/stations/", {"file": csv_upload(rows)})
            job = ImportJob.objects.get(mission=mission)
            status_url = f"/missions/{mission.pk}/import/jobs/{job.pk}/status/"

            wait_for(
                lambda: not client.get(status_url).json()["running"],
                timeout=60,
                message=f"the check never finished\n{worker.output()}",
            )
            job.refresh_from_db()
            assert job.status == "VALID", job.result
            assert job.result["would_create"] == 60
            assert not PollingStation.objects.filter(mission=mission).exists()

            client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/")
            wait_for(
                lambda: client.get(status_url).json()["status"] == "DONE",
                timeout=60,
                message=f"the import never finished\n{worker.output()}",
            )
    finally:
        worker.stop()

    assert PollingStation.objects.filter(mission=mission).count() == 60
    job.refresh_from_db()
    assert job.confirmed_by == coordinator and job.progress == 100
    assert not list(shared_media.rglob("*.csv"))  # the file is gone once imported
