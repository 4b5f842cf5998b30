"""Counts on the set-up pages agree with their noun (issue 20: "It will also create: 1 areas")."""

import pytest

from missions.imports import import_job_check, import_job_create
from tests.missions.factories import ObserverFactory, TeamFactory
from tests.missions.uploads import STATION_HEADER, csv_upload

pytestmark = pytest.mark.django_db


def preview_of(mission, coordinator, rows):
    job = import_job_create(
        mission=mission, kind="STATIONS", upload=csv_upload([STATION_HEADER, *rows]), actor=None
    )
    import_job_check(job=job)
    return job


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["001", "School 1", "Abai", "", "900"]], "It will also create: 1 area</p>"),
        ([["001", "School 1", "Abai", "Semey", "900"]], "It will also create: 2 areas</p>"),
    ],
)
def test_the_preview_says_what_else_an_import_creates_in_good_english(
    client, coordinator, mission, rows, expected
):
    job = preview_of(mission, coordinator, rows)
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/").content.decode()

    assert expected in page


def test_putting_one_observer_in_a_team_says_observer(client, coordinator, mission):
    team = TeamFactory(mission=mission, code="T1")
    observer = ObserverFactory(mission=mission, team=None)
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/teams/",
        {
            "action": "assign",
            "assign-team": team.pk,
            "assign-usernames": observer.user.username,
        },
        follow=True,
    )

    assert "1 observer now in team T1." in response.content.decode()
