"""Briefings through the API: publishing, who reads what, withdrawal, frozen figures, CSV.

Chart images (which need Chromium) are in test_briefing_exports.py; here Chromium is only
ever missing, on purpose.
"""

import csv
import datetime as dt
import io
import shutil

import pytest
from django.test import override_settings
from django.utils import timezone

from missions.models import AuditEvent
from reports.models import Briefing
from tests.missions.factories import MembershipFactory, UserFactory
from tests.reports.conftest import FINDING_DESCRIPTION, OBSERVER_NAME
from tests.reports.factories import local

pytestmark = pytest.mark.django_db

CHART_NAMES = [
    "turnout_day",
    "turnout_by_area",
    "coverage_by_area",
    "assessments",
    "findings_by_category",
    "findings_heatmap",
]


def publish(api, user, mission, **body):
    response = api.as_user(user).post(
        f"/api/v1/missions/{mission.pk}/briefings/", body, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def anonymous(api):
    api.credentials()
    return api


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def later(monkeypatch, delta):
    """Move the clock the views read forward by ``delta``."""
    moment = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def briefing(api, coordinator, reported):
    return publish(api, coordinator, reported, title="Preliminary findings")


# --- publishing -------------------------------------------------------------------------------


def test_a_coordinator_publishes_the_current_figures(api, coordinator, reported):
    body = publish(api, coordinator, reported, title="Morning after")

    assert body["title"] == "Morning after"
    assert body["published_at"]
    briefing = Briefing.objects.get(pk=body["id"])
    assert briefing.created_by == coordinator
    assert body["key_figures"]["statement"] == (
        "2 observers took part in the observation. They came from 1 state. 1 organisation "
        "sent them. They visited 2 of 2 polling stations. Reports came from the only region."
    )
    assert {k: body["key_figures"][k] for k in ("observers", "stations_visited", "visits")} == {
        "observers": 2,
        "stations_visited": 2,
        "visits": 4,
    }
    audit = AuditEvent.objects.get(action="briefing.publish")
    assert (audit.actor, audit.mission, audit.object_id) == (
        coordinator,
        reported,
        str(body["id"]),
    )


def test_the_briefing_states_assessments_turnout_and_findings(api, press, briefing):
    body = api.as_user(press).get(f"/api/v1/briefings/{briefing['id']}/").json()

    stages = {row["stage"]: row for row in body["assessments"]}
    assert list(stages) == ["OPENING", "VOTING", "COUNTING"]
    assert (stages["VOTING"]["negative"], stages["VOTING"]["total"]) == (1, 2)
    assert stages["VOTING"]["negative_pct"] == 50.0
    # Wilson 95% for 1 of 2: 9.4531% to 90.5469%, published once rounded: the figures the
    # sentence says (the aggregate row's 9.45 rounded again would say 9.5 only by luck).
    assert (stages["VOTING"]["ci_low"], stages["VOTING"]["ci_high"]) == (9.5, 90.5)
    assert stages["VOTING"]["interval_text"] == "9.5–90.5%"
    assert stages["VOTING"]["statement"] == (
        "Voting was assessed as bad or very bad in 50.0% of the polling stations observed "
        "(95% interval 9.5–90.5%; 1 of 2 forms with an assessment)."
    )
    assert stages["COUNTING"]["negative_pct"] == 100.0
    assert body["turnout"]["turnout_pct"] == 26.7  # 400 of 1,500, rounded once
    assert body["turnout"]["statement"].startswith("Observed turnout at 11:00: 26.7% (400 of 1,500")
    assert body["turnout"]["statement"].endswith(
        "the election commission announced 25.0% for the same hour."
    )
    assert [(f["category"], f["total"]) for f in body["findings"]] == [
        ("SECRECY", 1),
        ("FAMILY_VOTING", 1),
        ("COUNT_IRREGULARITY", 1),
    ]
    assert body["findings"][2]["critical"] == 1


def test_the_briefing_links_every_chart_in_every_format_and_the_pack(api, press, briefing):
    body = api.as_user(press).get(f"/api/v1/briefings/{briefing['id']}/").json()

    assert [c["name"] for c in body["charts"]] == CHART_NAMES
    first = body["charts"][0]
    assert first["title"] == "Turnout through the day"
    for fmt in ("png", "svg", "pdf", "csv"):
        assert first[fmt] == (
            f"http://testserver/api/v1/briefings/{briefing['id']}/charts/turnout_day.{fmt}"
        )
    assert body["pack"] == f"http://testserver/api/v1/briefings/{briefing['id']}/pack.pdf"


def test_publishing_takes_title_embargo_and_public_flag(api, coordinator, reported):
    body = publish(
        api, coordinator, reported, embargo_until="2022-11-21T09:00:00+06:00", public=True
    )

    briefing = Briefing.objects.get(pk=body["id"])
    assert briefing.embargo_until == dt.datetime(2022, 11, 21, 3, 0, tzinfo=dt.UTC)
    assert briefing.public is True
    assert briefing.title.startswith("Preliminary findings, ")


def test_an_embargo_without_an_offset_is_a_400(api, coordinator, reported):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{reported.pk}/briefings/",
        {"embargo_until": "2022-11-21T09:00:00"},
        format="json",
    )

    assert response.status_code == 400
    assert "embargo_until" in response.json()
    assert not Briefing.objects.exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("analyst", 403),
        ("press", 404),
        ("outsider", 404),
        ("other_mission_coordinator", 404),
    ],
)
def test_only_the_missions_coordinators_publish(api, request, reported, persona, status):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).post(f"/api/v1/missions/{reported.pk}/briefings/", {})

    assert response.status_code == status
    assert not Briefing.objects.exists()


def test_publishing_needs_credentials(api, reported):
    response = anonymous(api).post(f"/api/v1/missions/{reported.pk}/briefings/", {})

    assert response.status_code == 401


# --- frozen -----------------------------------------------------------------------------------


def test_later_reports_do_not_change_a_published_briefing(
    api, coordinator, press, pipeline, briefing, station
):
    url = f"/api/v1/briefings/{briefing['id']}/"
    before = api.as_user(press).get(url).json()
    csv_before = read_csv(api.get(url + "charts/assessments.csv"))

    pipeline.submit(station=station, arrived_at=local(12, 30), voters_so_far=700, assessment="BAD")
    after = api.as_user(press).get(url).json()
    fresh = publish(api, coordinator, station.mission)

    assert after["key_figures"] == before["key_figures"]
    assert after["assessments"] == before["assessments"]
    assert after["turnout"] == before["turnout"]
    assert read_csv(api.as_user(press).get(url + "charts/assessments.csv")) == csv_before
    voting = {row["stage"]: row for row in fresh["assessments"]}["VOTING"]
    assert (voting["negative"], voting["total"]) == (2, 3)
    assert fresh["key_figures"]["visits"] == before["key_figures"]["visits"] + 1


# --- who reads what ---------------------------------------------------------------------------


def test_press_see_a_briefing_only_once_its_embargo_has_passed(
    api, coordinator, press, reported, monkeypatch
):
    embargo = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    body = publish(api, coordinator, reported, embargo_until=embargo)
    url = f"/api/v1/briefings/{body['id']}/"

    assert api.as_user(press).get(url).status_code == 404
    assert api.get(url + "charts/assessments.csv").status_code == 404
    assert api.get("/api/v1/briefings/").json()["count"] == 0
    assert api.as_user(coordinator).get(url).status_code == 200

    later(monkeypatch, dt.timedelta(hours=1, minutes=1))

    assert api.as_user(press).get(url).status_code == 200
    assert api.get(url + "charts/assessments.csv").status_code == 200
    assert [b["id"] for b in api.get("/api/v1/briefings/").json()["results"]] == [body["id"]]


def test_a_public_briefing_is_readable_without_logging_in_after_its_embargo(
    api, coordinator, reported, monkeypatch
):
    embargo = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    body = publish(api, coordinator, reported, embargo_until=embargo, public=True)
    url = f"/api/v1/briefings/{body['id']}/"

    assert anonymous(api).get(url).status_code == 404

    later(monkeypatch, dt.timedelta(hours=2))

    assert api.get(url).status_code == 200
    assert api.get(url + "charts/coverage_by_area.csv").status_code == 200
    assert [b["id"] for b in api.get("/api/v1/briefings/").json()["results"]] == [body["id"]]


def test_a_private_briefing_is_not_readable_without_logging_in(api, briefing):
    url = f"/api/v1/briefings/{briefing['id']}/"

    assert anonymous(api).get(url).status_code == 404
    assert api.get(url + "charts/turnout_day.csv").status_code == 404
    assert api.get(url + "pack/").status_code == 404
    assert api.get("/api/v1/briefings/").json()["count"] == 0


def test_another_missions_press_and_outsiders_get_404(api, other_mission, outsider, briefing):
    other_press = MembershipFactory(
        user=UserFactory(username="other_press"), mission=other_mission, role="PRESS"
    ).user
    url = f"/api/v1/briefings/{briefing['id']}/"

    for user in (other_press, outsider):
        assert api.as_user(user).get(url).status_code == 404
        assert api.get(url + "charts/findings_by_category.csv").status_code == 404
        assert api.get("/api/v1/briefings/").json()["count"] == 0


def test_an_observer_of_the_mission_does_not_read_private_briefings(api, observer, briefing):
    response = api.as_user(observer.user).get(f"/api/v1/briefings/{briefing['id']}/")

    assert response.status_code == 404


def test_press_see_nothing_else_of_the_mission(api, press, reported, briefing):
    client = api.as_user(press)

    assert client.get(f"/api/v1/missions/{reported.pk}/briefings/").status_code == 404
    assert client.get(f"/api/v1/missions/{reported.pk}/stations/").status_code == 404


def test_coordinators_and_analysts_list_all_of_their_missions_briefings(
    api, coordinator, analyst, reported, django_assert_max_num_queries
):
    embargoed = publish(
        api,
        coordinator,
        reported,
        embargo_until=(timezone.now() + dt.timedelta(days=1)).isoformat(),
    )
    released = publish(api, coordinator, reported, public=True)

    client = api.as_user(analyst)

    # Token, role, mission, count, page (and the request's savepoints).
    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/missions/{reported.pk}/briefings/")

    assert response.status_code == 200
    assert [b["id"] for b in response.json()["results"]] == [released["id"], embargoed["id"]]


def test_the_press_list_costs_a_fixed_number_of_queries(
    api, coordinator, press, reported, django_assert_max_num_queries
):
    for _ in range(3):
        publish(api, coordinator, reported)
    client = api.as_user(press)

    # Token, count, page (and the request's savepoints), however many briefings.
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/briefings/")

    assert response.json()["count"] == 3


# --- withdrawal -------------------------------------------------------------------------------


def test_a_withdrawn_briefing_vanishes_for_press_and_public(
    api, coordinator, press, reported, briefing
):
    public = publish(api, coordinator, reported, public=True)

    for body in (briefing, public):
        response = api.as_user(coordinator).post(
            f"/api/v1/briefings/{body['id']}/withdraw/", {"reason": "Wrong figures"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["withdrawn_at"]

    for body in (briefing, public):
        url = f"/api/v1/briefings/{body['id']}/"
        assert api.as_user(press).get(url).status_code == 404
        assert api.get(url + "charts/turnout_day.csv").status_code == 404
        assert anonymous(api).get(url).status_code == 404
    assert api.as_user(press).get("/api/v1/briefings/").json()["count"] == 0
    staff_view = api.as_user(coordinator).get(f"/api/v1/briefings/{briefing['id']}/").json()
    assert staff_view["withdrawn_at"]


def test_a_withdrawal_is_audited(api, coordinator, briefing):
    api.as_user(coordinator).post(
        f"/api/v1/briefings/{briefing['id']}/withdraw/", {"reason": "Wrong figures"}
    )

    event = AuditEvent.objects.get(action="briefing.withdraw")
    assert event.actor == coordinator
    assert event.reason == "Wrong figures"
    assert event.object_id == str(briefing["id"])
    briefing_row = Briefing.objects.get(pk=briefing["id"])
    assert briefing_row.withdrawn_by == coordinator


@pytest.mark.parametrize("persona, status", [("analyst", 403), ("press", 403), ("outsider", 404)])
def test_only_coordinators_withdraw(api, request, briefing, persona, status):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).post(f"/api/v1/briefings/{briefing['id']}/withdraw/", {})

    assert response.status_code == status
    assert Briefing.objects.get(pk=briefing["id"]).withdrawn_at is None
    assert not AuditEvent.objects.filter(action="briefing.withdraw").exists()


# --- CSV --------------------------------------------------------------------------------------


def test_chart_csv_rows_equal_the_frozen_aggregates(api, press, briefing):
    frozen = Briefing.objects.get(pk=briefing["id"]).snapshot
    charts = {c["name"]: c["arguments"] for c in frozen["charts"]}
    client = api.as_user(press)
    base = f"/api/v1/briefings/{briefing['id']}/charts/"

    assessments = read_csv(client.get(base + "assessments.csv"))
    coverage = read_csv(client.get(base + "coverage_by_area.csv"))
    findings = read_csv(client.get(base + "findings_by_category.csv"))
    turnout = read_csv(client.get(base + "turnout_day.csv"))

    header, *rows = assessments
    assert header[:3] == ["area_code", "area_name", "stage"]
    # The counts as frozen; the shares as the briefing publishes them (rounded once).
    expected = [[str(r[key]) for key in header[:8]] for r in charts["assessments"]["rows"]]
    assert sorted(r[:8] for r in rows) == sorted(expected)
    assert [r[2] for r in rows] == ["OPENING", "VOTING", "COUNTING"]
    published = api.as_user(press).get(f"/api/v1/briefings/{briefing['id']}/").json()
    assert [r[8:] for r in rows] == [
        [str(s["negative_pct"]), str(s["ci_low"]), str(s["ci_high"])]
        for s in published["assessments"]
    ]

    header, *rows = coverage
    assert [dict(zip(header, r)) for r in rows] == [
        {k: str(v) for k, v in r.items()} for r in charts["coverage_by_area"]["rows"]
    ]
    assert rows[0][2:4] == ["2", "2"]  # stations_total, stations_visited

    header, *rows = findings
    assert header == ["category", "severity", "count"]
    assert sorted(rows) == sorted(
        [r["category"], r["severity"], str(r["count"])]
        for r in charts["findings_by_category"]["rows"]
    )

    header, *rows = turnout
    observed = [r for r in rows if r[0] == "observed"]
    assert [(r[3], r[5], r[6]) for r in observed] == [
        (row["bucket_end"], str(row["voters"]), str(row["registered"]))
        for row in charts["turnout_day"]["national_rows"]
    ]
    # 400 of 1,500 is 26.666...%: published once rounded, as the sentence says it (26.7%).
    assert observed == [["observed", "ALL", "ALL", "2022-11-20T11:00:00+06:00", "2", "400", "1500",
                         "26.7"]]  # fmt: skip


def test_csv_answers_as_a_download(api, press, briefing):
    response = api.as_user(press).get(f"/api/v1/briefings/{briefing['id']}/charts/turnout_day.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="briefing-{briefing["id"]}-turnout-day.csv"'
    )


def test_csv_defuses_area_names_a_spreadsheet_would_run(api, coordinator, press, reported, station):
    station.region.name = '=HYPERLINK("http://evil")'
    station.region.save(update_fields=["name"])
    from reports.aggregates.reconcile import aggregates_reconcile

    aggregates_reconcile(mission=reported, now=timezone.now())
    body = publish(api, coordinator, reported)

    rows = read_csv(
        api.as_user(press).get(f"/api/v1/briefings/{body['id']}/charts/coverage_by_area.csv")
    )

    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_unknown_charts_and_formats_are_404(api, press, briefing):
    base = f"/api/v1/briefings/{briefing['id']}/charts/"
    client = api.as_user(press)

    assert client.get(base + "regions_map.csv").status_code == 404  # not in a briefing
    assert client.get(base + "nothing.png").status_code == 404
    assert client.get(base + "turnout_day.exe").status_code == 404


# --- nothing personal, nothing per station ----------------------------------------------------


def test_no_observer_name_station_or_finding_text_reaches_the_press(
    api, press, briefing, station, other_station
):
    client = api.as_user(press)
    base = f"/api/v1/briefings/{briefing['id']}/"
    texts = [client.get(base).content.decode()]
    for name in CHART_NAMES:
        texts.append(b"".join([client.get(f"{base}charts/{name}.csv").content]).decode())
    client.force_login(press)
    page = client.get(f"/briefings/{briefing['id']}/")
    assert page.status_code == 200
    texts.append(page.content.decode())
    snapshot = str(Briefing.objects.get(pk=briefing["id"]).snapshot)

    for text in [*texts, snapshot]:
        assert OBSERVER_NAME not in text
        assert FINDING_DESCRIPTION not in text
        for s in (station, other_station):
            assert s.code not in text
            assert s.name not in text


# --- without Chromium -------------------------------------------------------------------------


@override_settings(CHROMIUM_PATH="/nonexistent/chromium")
def test_without_chromium_images_and_pack_are_503_and_csv_still_works(api, press, briefing):
    client = api.as_user(press)
    base = f"/api/v1/briefings/{briefing['id']}/"

    for fmt in ("png", "svg", "pdf"):
        response = client.get(f"{base}charts/turnout_day.{fmt}", HTTP_ACCEPT=f"image/{fmt}")
        assert response.status_code == 503
        assert "apt-get install chromium" in response.json()["detail"]
    assert client.post(f"{base}pack/").status_code == 503
    pack = client.get(f"{base}pack.pdf")
    assert pack.status_code == 503
    assert "apt-get install chromium" in pack.json()["detail"]
    assert client.get(f"{base}charts/turnout_day.csv").status_code == 200
    client.force_login(press)
    page = client.get(f"/briefings/{briefing['id']}/")
    assert page.status_code == 200
    assert "apt-get install chromium" in page.content.decode()


def test_a_worker_without_chromium_marks_the_pack_failed_with_what_to_install(api, press, briefing):
    from reports.briefings.services import briefing_pack_request
    from reports.briefings.tasks import build_briefing_pack
    from reports.models import BriefingPack

    pack = briefing_pack_request(
        briefing=Briefing.objects.get(pk=briefing["id"]), language="en", now=timezone.now()
    )

    with override_settings(CHROMIUM_PATH="/nonexistent/chromium"):
        build_briefing_pack(pack_id=pack.pk)

    pack = BriefingPack.objects.get(pk=pack.pk)
    assert pack.status == "FAILED"
    assert "apt-get install chromium" in pack.error
    status = api.as_user(press).get(f"/api/v1/briefings/{briefing['id']}/pack/").json()
    assert status["status"] == "FAILED"
    assert "apt-get install chromium" in status["error"]


def test_a_briefing_before_any_report_says_so(api, coordinator, press, station):
    body = publish(api, coordinator, station.mission)

    assert body["key_figures"]["statement"] == (
        "0 observers took part in the observation. They came from 0 states. 0 organisations "
        "sent them. They visited 0 of 1 polling station. Reports came from 0 of 1 region."
    )
    assert body["assessments"] == []
    assert body["findings"] == []
    assert body["turnout"]["statement"] == (
        "No turnout figures had been reported when this briefing was published."
    )
    page = api.as_user(press).get(f"/api/v1/briefings/{body['id']}/charts/turnout_day.csv")
    assert read_csv(page)[0][0] == "series"


def test_a_browser_that_does_not_start_is_a_503_not_a_500(api, press, briefing):
    not_a_browser = shutil.which("false")

    with override_settings(CHROMIUM_PATH=not_a_browser):
        response = api.as_user(press).get(
            f"/api/v1/briefings/{briefing['id']}/charts/assessments.png"
        )

    assert response.status_code == 503
    assert "apt-get install chromium" in response.json()["detail"]
