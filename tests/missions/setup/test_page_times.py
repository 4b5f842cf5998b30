"""The set-up pages say when things happened on the mission's clock, naming its zone (issue 20:
the import-job and sample pages said 21:59, in UTC, where every other page said 03:59)."""

import datetime as dt

import pytest

from missions.imports import import_job_create
from missions.sampling import sample_draw
from tests.missions.uploads import STATION_HEADER, csv_upload

pytestmark = pytest.mark.django_db

# 21:59 UTC on election day: 03:59 the next morning in Almaty (UTC+6 in 2022).
LATE = dt.datetime(2022, 11, 20, 21, 59, tzinfo=dt.UTC)
LOCAL = "Nov. 21, 2022 03:59 (Asia/Almaty)"


def test_an_import_job_says_when_it_was_uploaded_on_the_missions_clock(
    client, coordinator, mission
):
    upload = csv_upload([STATION_HEADER, ["001", "School 1", "Almaty", "Medeu", "1200"]])
    job = import_job_create(
        mission=mission, kind="STATIONS", upload=upload, actor=coordinator, now=LATE
    )
    client.force_login(coordinator)

    job_page = client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/")
    list_page = client.get(f"/missions/{mission.pk}/import/stations/")

    for page in (job_page.content.decode(), list_page.content.decode()):
        assert LOCAL in page
        assert "21:59" not in page


def test_a_sample_says_when_it_was_drawn_on_the_missions_clock(
    client, analyst, mission, station, other_station
):
    sample = sample_draw(mission=mission, size=1, seed=5, now=LATE)
    client.force_login(analyst)

    sample_page = client.get(f"/missions/{mission.pk}/samples/{sample.pk}/").content.decode()
    samples_page = client.get(f"/missions/{mission.pk}/samples/").content.decode()

    for page in (sample_page, samples_page):
        assert LOCAL in page
        assert "21:59" not in page
