"""The set-up pages in the browser: members, imports with preview and confirmation, teams,
deployment plan against what was visited, samples and downloads."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from missions.models import (
    Deployment,
    ImportJob,
    Membership,
    Observer,
    PollingStation,
    Sample,
    Team,
)
from missions.sampling import sample_draw
from tests.missions.factories import ObserverFactory, StationFactory, TeamFactory, UserFactory
from tests.missions.uploads import OBSERVER_HEADER, STATION_HEADER, csv_upload, xlsx_upload
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db
User = get_user_model()

STATIONS = [
    STATION_HEADER,
    ["001", "Школа № 1", "Алматы", "Медеу", "1200"],
    ["002", "<script>alert(1)</script>", "Алматы", "Бостандык", "900"],
]


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- Members ----------------------------------------------------------------------------------


def test_coordinator_adds_a_member_in_the_browser(browser, coordinator, mission):
    client = browser(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/members/",
        {"username": "nadia", "password": "correct-horse-battery", "role": "ANALYST"},
        follow=True,
    )

    assert response.status_code == 200
    assert "nadia is now Analyst in this mission" in response.content.decode()
    assert Membership.objects.get(user__username="nadia", mission=mission).role == "ANALYST"
    assert User.objects.get(username="nadia").check_password("correct-horse-battery")


def test_a_weak_password_in_the_browser_shows_the_validators_messages(
    browser, coordinator, mission
):
    response = browser(coordinator).post(
        f"/missions/{mission.pk}/members/",
        {"username": "weak", "password": "123", "role": "PRESS"},
    )

    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_analysts_see_members_but_cannot_add_them(browser, analyst, coordinator, mission):
    client = browser(analyst)

    page = client.get(f"/missions/{mission.pk}/members/")
    post = client.post(
        f"/missions/{mission.pk}/members/",
        {"username": "x", "password": "correct-horse-battery", "role": "COORDINATOR"},
    )

    assert page.status_code == 200
    assert "coordinator" in page.content.decode()
    assert 'id="member-form"' not in page.content.decode()
    assert post.status_code == 403
    assert not User.objects.filter(username="x").exists()


SETUP_PAGES = [
    "members/",
    "import/stations/",
    "import/observers/",
    "teams/",
    "deployment/",
    "samples/",
    "downloads/",
]


@pytest.mark.parametrize("page", SETUP_PAGES)
@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
def test_setup_pages_are_a_404_for_others(browser, request, mission, persona, page):
    client = browser(request.getfixturevalue(persona))

    assert client.get(f"/missions/{mission.pk}/{page}").status_code == 404


@pytest.mark.parametrize("page", SETUP_PAGES)
def test_setup_pages_are_a_404_for_observers(browser, observer, mission, page):
    assert browser(observer.user).get(f"/missions/{mission.pk}/{page}").status_code == 404


@pytest.mark.parametrize("page", SETUP_PAGES)
def test_setup_pages_open_for_analysts(browser, analyst, mission, page):
    assert browser(analyst).get(f"/missions/{mission.pk}/{page}").status_code == 200


def test_setup_pages_send_anonymous_users_to_log_in(client, mission):
    response = client.get(f"/missions/{mission.pk}/teams/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_import_kind_is_a_404(browser, coordinator, mission):
    assert browser(coordinator).get(f"/missions/{mission.pk}/import/votes/").status_code == 404


# --- Imports ----------------------------------------------------------------------------------


def test_upload_preview_then_confirm(
    browser, coordinator, mission, django_capture_on_commit_callbacks
):
    client = browser(coordinator)

    uploaded = client.post(
        f"/missions/{mission.pk}/import/stations/",
        {"file": csv_upload(STATIONS, name="cec.csv")},
        follow=True,
    )

    page = uploaded.content.decode()
    job = ImportJob.objects.get(mission=mission)
    assert job.status == "VALID"
    assert "create 2, update 0" in page
    assert "Школа № 1" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'id="confirm-import"' in page
    assert not PollingStation.objects.filter(mission=mission).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/", follow=True)

    job.refresh_from_db()
    assert job.status == "DONE" and job.confirmed_by == coordinator
    assert not job.file  # deleted once imported
    assert "Imported: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert PollingStation.objects.filter(mission=mission).count() == 2


def test_a_file_with_errors_is_previewed_with_the_bad_rows_highlighted(
    browser, coordinator, mission, django_capture_on_commit_callbacks
):
    rows = [
        STATION_HEADER,
        ["001", "Fine", "R", "D", "100"],
        ["002", "Negative", "R", "D", "-3"],
        ["001", "Twice", "R", "D", "10"],
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = browser(coordinator).post(
            f"/missions/{mission.pk}/import/stations/", {"file": csv_upload(rows)}, follow=True
        )

    page = response.content.decode()
    assert ImportJob.objects.get(mission=mission).status == "INVALID"
    assert "Nothing was imported: 2 problems to fix." in page
    assert page.count('class="preview-error"') == 2
    assert "registered_voters: Cannot be negative (got -3)." in page
    assert 'The code "001" appears twice in the file (rows 2 and 4).' in page.replace("&quot;", '"')
    assert 'id="confirm-import"' not in page
    assert not PollingStation.objects.filter(mission=mission).exists()
    assert not ImportJob.objects.get(mission=mission).file  # nothing to import: not kept


def test_a_missing_column_is_shown_for_the_whole_file(browser, coordinator, mission):
    rows = [["username", "full_name"], ["a", "A"]]

    response = browser(coordinator).post(
        f"/missions/{mission.pk}/import/observers/", {"file": xlsx_upload(rows)}, follow=True
    )

    assert 'Missing required column "organisation"' in response.content.decode().replace(
        "&quot;", '"'
    )


def test_an_invalid_job_cannot_be_confirmed(browser, coordinator, mission):
    client = browser(coordinator)
    client.post(
        f"/missions/{mission.pk}/import/stations/",
        {"file": csv_upload([STATION_HEADER, ["1", "x", "R", "D", "-1"]])},
    )
    job = ImportJob.objects.get(mission=mission)

    client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/")

    job.refresh_from_db()
    assert job.status == "INVALID"
    assert not PollingStation.objects.exists()


def test_a_large_file_is_checked_and_imported_by_the_worker_with_progress(
    browser, coordinator, mission, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 1
    client = browser(coordinator)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"/missions/{mission.pk}/import/stations/", {"file": csv_upload(STATIONS)})
    job = ImportJob.objects.get(mission=mission)
    waiting = client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/")
    status = client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/status/").json()
    assert job.status == "PENDING" and len(callbacks) == 1
    assert 'id="job-progress"' in waiting.content.decode()
    assert "js/import_job.js" in waiting.content.decode()
    assert status == {
        "id": job.pk,
        "status": "PENDING",
        "status_label": "Waiting to be checked",
        "progress": 0,
        "running": True,
    }

    callbacks[0]()  # the worker checks the file

    job.refresh_from_db()
    assert job.status == "VALID" and job.result["would_create"] == 2
    assert not client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/status/").json()["running"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/")

    job.refresh_from_db()
    assert job.status == "DONE"
    assert PollingStation.objects.filter(mission=mission).count() == 2


def test_the_worker_reports_progress_through_the_cache(coordinator, mission, settings):
    from missions.imports import import_job_create, import_job_state, import_progress_key

    settings.IMPORT_ASYNC_ROWS = 1
    job = import_job_create(
        mission=mission, kind="STATIONS", upload=csv_upload(STATIONS), actor=coordinator
    )
    cache.set(import_progress_key(job.pk), 40)

    assert import_job_state(job=job)["progress"] == 40


def test_the_worker_task_is_idempotent(coordinator, mission):
    from missions.imports import import_job_confirm, import_job_create
    from missions.tasks import import_job_run

    job = import_job_create(
        mission=mission, kind="STATIONS", upload=csv_upload(STATIONS), actor=coordinator
    )
    import_job_run(job_id=job.pk, step="check")
    import_job_run(job_id=job.pk, step="check")
    job.refresh_from_db()
    import_job_confirm(job=job, actor=coordinator)

    import_job_run(job_id=job.pk, step="apply")
    import_job_run(job_id=job.pk, step="apply")

    job.refresh_from_db()
    assert job.status == "DONE"
    assert PollingStation.objects.filter(mission=mission).count() == 2
    assert job.result["created"] == 2


def test_analysts_cannot_upload_or_confirm(browser, analyst, coordinator, mission):
    from missions.imports import import_job_check, import_job_create

    job = import_job_check(
        job=import_job_create(
            mission=mission, kind="STATIONS", upload=csv_upload(STATIONS), actor=coordinator
        )
    )
    client = browser(analyst)

    upload = client.post(f"/missions/{mission.pk}/import/stations/", {"file": csv_upload(STATIONS)})
    confirm = client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/")
    page = client.get(f"/missions/{mission.pk}/import/jobs/{job.pk}/")

    assert (upload.status_code, confirm.status_code) == (403, 403)
    assert page.status_code == 200 and 'id="confirm-import"' not in page.content.decode()
    assert ImportJob.objects.count() == 1
    assert not PollingStation.objects.exists()


def test_another_missions_import_job_is_a_404(
    browser, coordinator, other_mission_coordinator, mission
):
    from missions.imports import import_job_create

    job = import_job_create(
        mission=mission, kind="STATIONS", upload=csv_upload(STATIONS), actor=coordinator
    )
    client = browser(other_mission_coordinator)
    other = other_mission_coordinator.memberships.get().mission_id

    for url in (
        f"/missions/{mission.pk}/import/jobs/{job.pk}/",
        f"/missions/{other}/import/jobs/{job.pk}/",
        f"/missions/{other}/import/jobs/{job.pk}/status/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/missions/{other}/import/jobs/{job.pk}/confirm/").status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_stored(
    browser, coordinator, mission, settings
):
    settings.IMPORT_MAX_BYTES = 50

    response = browser(coordinator).post(
        f"/missions/{mission.pk}/import/stations/", {"file": csv_upload(STATIONS)}
    )

    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_observer_import_in_the_browser(browser, coordinator, mission):
    rows = [OBSERVER_HEADER, ["ivan", "Иван Петров", "CIS", "RU", "LTO", "T9"]]
    client = browser(coordinator)
    client.post(f"/missions/{mission.pk}/import/observers/", {"file": csv_upload(rows)})
    job = ImportJob.objects.get(mission=mission)

    client.post(f"/missions/{mission.pk}/import/jobs/{job.pk}/confirm/")

    assert Observer.objects.get(mission=mission, user__username="ivan").team.code == "T9"


# --- Teams and deployment ---------------------------------------------------------------------


def test_coordinator_forms_a_team_and_deploys_it(browser, coordinator, mission, station, observer):
    client = browser(coordinator)
    other = ObserverFactory(mission=mission, user=UserFactory(username="pair"), team=None)

    client.post(f"/missions/{mission.pk}/teams/", {"action": "create", "create-code": "T100"})
    team = Team.objects.get(mission=mission, code="T100")
    client.post(
        f"/missions/{mission.pk}/teams/",
        {"action": "assign", "assign-team": team.pk, "assign-usernames": "observer, pair"},
    )
    response = client.post(
        f"/missions/{mission.pk}/teams/",
        {
            "action": "deploy",
            "deploy-team": team.pk,
            "deploy-day": "2022-11-20",
            "deploy-area": station.district_id,
            "deploy-stations": station.code,
        },
        follow=True,
    )

    assert set(team.observers.values_list("user__username", flat=True)) == {"observer", "pair"}
    deployment = Deployment.objects.get(team=team)
    assert deployment.area_id == station.district_id
    assert list(deployment.stations.all()) == [station]
    page = response.content.decode()
    assert "Team T100 deployed on 2022-11-20." in page
    assert other.full_name in page


def test_unknown_usernames_and_station_codes_are_reported(browser, coordinator, mission, team):
    client = browser(coordinator)

    assign = client.post(
        f"/missions/{mission.pk}/teams/",
        {"action": "assign", "assign-team": team.pk, "assign-usernames": "ghost"},
    )
    deploy = client.post(
        f"/missions/{mission.pk}/teams/",
        {
            "action": "deploy",
            "deploy-team": team.pk,
            "deploy-day": "2022-11-20",
            "deploy-stations": "NOPE-1",
        },
    )

    assert assign.status_code == 400
    assert "No observer of this mission has the username: ghost." in assign.content.decode()
    assert deploy.status_code == 400
    assert "No polling station of this mission has the code: NOPE-1." in deploy.content.decode()
    assert not Deployment.objects.exists()


def test_a_deployment_needs_an_area_or_stations(browser, coordinator, mission, team):
    response = browser(coordinator).post(
        f"/missions/{mission.pk}/teams/",
        {"action": "deploy", "deploy-team": team.pk, "deploy-day": "2022-11-20"},
    )

    assert response.status_code == 400
    assert "Choose an area or list the stations" in response.content.decode()


def test_removing_an_observer_and_a_deployment(browser, coordinator, mission, observer, station):
    deployment = Deployment.objects.create(
        mission=mission, team=observer.team, day=mission.election_date
    )
    deployment.stations.set([station])
    client = browser(coordinator)

    client.post(f"/missions/{mission.pk}/teams/", {"action": "unassign", "observer": observer.pk})
    client.post(
        f"/missions/{mission.pk}/teams/", {"action": "undeploy", "deployment": deployment.pk}
    )

    observer.refresh_from_db()
    assert observer.team is None
    assert not Deployment.objects.exists()


def test_another_missions_team_cannot_be_deployed(
    browser, coordinator, mission, other_mission, station
):
    foreign = TeamFactory(mission=other_mission)

    response = browser(coordinator).post(
        f"/missions/{mission.pk}/teams/",
        {
            "action": "deploy",
            "deploy-team": foreign.pk,
            "deploy-day": "2022-11-20",
            "deploy-stations": station.code,
        },
    )

    assert response.status_code == 400
    assert not Deployment.objects.exists()


def test_analysts_cannot_change_teams(browser, analyst, mission):
    response = browser(analyst).post(
        f"/missions/{mission.pk}/teams/", {"action": "create", "create-code": "T9"}
    )

    assert response.status_code == 403
    assert not Team.objects.filter(code="T9").exists()


def test_the_teams_page_reads_in_a_fixed_number_of_queries(
    browser, coordinator, mission, station, django_assert_max_num_queries
):
    for number in range(12):
        team = TeamFactory(mission=mission, code=f"X{number:02d}")
        ObserverFactory.create_batch(2, mission=mission, team=team)
        Deployment.objects.create(mission=mission, team=team, day=mission.election_date)
    client = browser(coordinator)

    with django_assert_max_num_queries(18):
        response = client.get(f"/missions/{mission.pk}/teams/")

    assert response.content.decode().count('class="card team-card"') == 12


def test_plan_against_actual(browser, analyst, mission, station, other_station, observer):
    third = StationFactory(
        mission=mission, district=station.district, region=station.region, area=station.district
    )
    team = observer.team
    deployment = Deployment.objects.create(mission=mission, team=team, day=mission.election_date)
    deployment.stations.set([station, other_station, third])
    VisitFactory(station=station, observer=observer, arrived_at=local(9))
    other = ObserverFactory(mission=mission, team=TeamFactory(mission=mission, code="T777"))
    VisitFactory(station=other_station, observer=other, arrived_at=local(11))
    VisitFactory(station=third, observer=observer, arrived_at=local(12), status="REJECTED")

    response = browser(analyst).get(f"/missions/{mission.pk}/deployment/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num">1 / 3</td>' in page
    assert f'visited" title="{station.name}' in page
    assert f'other" title="{other_station.name}' in page
    assert f'missed" title="{third.name}' in page


def test_plan_for_an_area_counts_its_stations(browser, coordinator, mission, station, observer):
    Deployment.objects.create(
        mission=mission, team=observer.team, day=mission.election_date, area=station.region
    )
    VisitFactory(station=station, observer=observer, arrived_at=local(9))

    from reports.deployment.selectors import deployment_plan

    plan = deployment_plan(mission=mission, day=mission.election_date)

    assert [(r.area_stations, r.area_visited, r.elsewhere) for r in plan.rows] == [(1, 1, 0)]


# --- Samples and downloads --------------------------------------------------------------------


def test_drawing_a_sample_in_the_browser(browser, coordinator, mission, station, other_station):
    response = browser(coordinator).post(
        f"/missions/{mission.pk}/samples/", {"size": "2", "seed": "11"}, follow=True
    )

    sample = Sample.objects.get(mission=mission)
    page = response.content.decode()
    assert (sample.size, sample.seed) == (2, 11)
    assert station.code in page and other_station.code in page
    assert "Sample" in page and "<code>11</code>" in page


def test_a_sample_too_large_is_refused_in_the_browser(browser, coordinator, mission, station):
    response = browser(coordinator).post(f"/missions/{mission.pk}/samples/", {"size": "5"})

    assert response.status_code == 400
    assert "between 1 and 1" in response.content.decode()


def test_analysts_read_samples_and_download_them(browser, analyst, mission, station, other_station):
    sample = sample_draw(mission=mission, size=1, seed=5)
    client = browser(analyst)

    page = client.get(f"/missions/{mission.pk}/samples/{sample.pk}/")
    download = client.get(f"/missions/{mission.pk}/samples/{sample.pk}/stations.csv")
    post = client.post(f"/missions/{mission.pk}/samples/", {"size": "1"})

    assert page.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines()[0].startswith("\ufeffcode,name,region,district,urban")
    assert len(body.splitlines()) == 2
    assert post.status_code == 403


def test_the_downloads_page_links_every_export(browser, analyst, mission):
    page = browser(analyst).get(f"/missions/{mission.pk}/downloads/").content.decode()

    for name in ("visits", "findings", "stations", "observers"):
        assert f"/api/v1/missions/{mission.pk}/export/{name}.csv" in page
        assert f"/api/v1/missions/{mission.pk}/export/{name}.xlsx" in page


def test_a_job_whose_worker_crashes_says_so(coordinator, mission, monkeypatch):
    from missions import tasks
    from missions.imports import import_job_create

    job = import_job_create(
        mission=mission, kind="STATIONS", upload=csv_upload(STATIONS), actor=coordinator
    )

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "import_job_check", broken)
    with pytest.raises(RuntimeError):
        tasks.import_job_run(job_id=job.pk, step="check")

    job.refresh_from_db()
    assert job.status == "FAILED"
    assert "failed on the server" in job.result["errors"][0]["message"]
