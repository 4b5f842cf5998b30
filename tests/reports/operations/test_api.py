"""The operations room's API (API.md, "Round 2 additions"), as its clients see it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions.models import AuditEvent, Deployment, Mission
from missions.report_due import REPORT_STAGES
from observation.models import SmsMessage, Stage
from reports.aggregates.reconcile import aggregates_reconcile
from reports.models import MessageRecipient
from tests.missions.factories import ObserverFactory, TeamFactory, UserFactory
from tests.reports.factories import FindingFactory, VisitFactory, local

pytestmark = pytest.mark.django_db


def test_report_stages_are_the_observation_stages():
    assert list(REPORT_STAGES) == list(Stage.values)


# --- missions: report_due and languages ---------------------------------------------------------


def test_a_coordinator_sets_report_due_and_languages(api, coordinator, mission):
    url = f"/api/v1/missions/{mission.pk}/"

    before = api.as_user(coordinator).get(url).json()
    response = api.patch(
        url, {"report_due": {"OPENING": "08:30"}, "languages": ["ru", "en"]}, format="json"
    )

    assert before["report_due"] == {
        "OPENING": "08:00",
        "VOTING": "13:00",
        "CLOSING": "20:30",
        "COUNTING": "00:00",
        "TABULATION": "04:00",
    }
    assert response.status_code == 200, response.content
    assert response.json()["report_due"]["OPENING"] == "08:30"
    assert response.json()["report_due"]["VOTING"] == "13:00"  # left out: its default
    assert response.json()["languages"] == ["ru", "en"]
    event = AuditEvent.objects.get(action="mission.update")
    assert event.after == {"report_due": {"OPENING": "08:30"}, "languages": ["ru", "en"]}


@pytest.mark.parametrize(
    "body",
    [
        {"report_due": {"OPENING": "8am"}},
        {"report_due": {"LUNCH": "12:00"}},
        {"report_due": ["08:00"]},
        {"languages": ["xx"]},
        {"languages": "en"},
        {"languages": ["en", "en"]},
        {"polls_open": "21:00"},
    ],
)
def test_bad_set_up_fields_are_a_400_and_change_nothing(api, coordinator, mission, body):
    response = api.as_user(coordinator).patch(
        f"/api/v1/missions/{mission.pk}/", body, format="json"
    )

    assert response.status_code == 400, response.content
    mission.refresh_from_db()
    assert mission.report_due == {} and mission.languages == []
    assert not AuditEvent.objects.filter(action="mission.update").exists()


def test_analysts_and_observers_may_not_change_a_mission(api, analyst, observer, mission):
    body = {"languages": ["ru"]}

    as_analyst = api.as_user(analyst).patch(f"/api/v1/missions/{mission.pk}/", body, format="json")
    as_observer = api.as_user(observer.user).patch(
        f"/api/v1/missions/{mission.pk}/", body, format="json"
    )

    assert (as_analyst.status_code, as_observer.status_code) == (403, 403)
    assert Mission.objects.get(pk=mission.pk).languages == []


# --- reporting status ---------------------------------------------------------------------------


@pytest.fixture
def teams(mission, station):
    """T1 reported the opening (a rejected report does not count for T3); T2 has nothing."""
    t1, t2, t3 = (TeamFactory(mission=mission, code=code) for code in ("T1", "T2", "T3"))
    ObserverFactory(mission=mission, team=t1, full_name="Ann", phone="+77011234567")
    ObserverFactory(mission=mission, team=t2, full_name="Bob", phone="+77017654321", email="b@x.kz")
    observer3 = ObserverFactory(mission=mission, team=t3, full_name="Cy")
    observer1 = t1.observers.get()
    VisitFactory(station=station, observer=observer1, stage="OPENING", arrived_at=local(7, 40))
    VisitFactory(station=station, observer=observer1, stage="OPENING", arrived_at=local(7, 10))
    VisitFactory(
        station=station,
        observer=observer3,
        stage="OPENING",
        arrived_at=local(7, 5),
        status="REJECTED",
    )
    return t1, t2, t3


def status_at(api, user, mission, moment, **query):
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=moment):
        return api.as_user(user).get(
            f"/api/v1/missions/{mission.pk}/reporting-status/", {"stage": "OPENING", **query}
        )


def test_teams_with_nothing_come_first_pending_then_missing(
    api, coordinator, mission, teams, station
):
    before_due = status_at(api, coordinator, mission, local(7, 50))
    after_due = status_at(api, coordinator, mission, local(8, 1))

    assert before_due.status_code == 200
    body = before_due.json()
    assert body["stage"] == "OPENING"
    assert body["due_at"] == "2022-11-20T08:00:00+06:00"
    assert [(r["team"], r["status"], r["reports"]) for r in body["rows"]] == [
        ("T2", "PENDING", 0),
        ("T3", "PENDING", 0),
        ("T1", "OK", 2),
    ]
    t1 = body["rows"][2]
    assert t1["last_report_at"] == "2022-11-20T07:40:00+06:00"
    assert t1["last_station"] == station.code
    assert t1["observers"][0]["phone"] == "+77011234567"
    assert [r["status"] for r in after_due.json()["rows"]] == ["MISSING", "MISSING", "OK"]
    assert after_due.json()["counts"] == {"MISSING": 2, "PENDING": 0, "OK": 1}


def test_analysts_see_the_status_without_phone_numbers(api, analyst, mission, teams):
    response = status_at(api, analyst, mission, local(9))

    assert response.status_code == 200
    assert all(o["phone"] is None for r in response.json()["rows"] for o in r["observers"])


def test_unknown_stage_or_region_is_a_400(api, coordinator, mission, teams):
    assert status_at(api, coordinator, mission, local(9), stage="LUNCH").status_code == 400
    assert status_at(api, coordinator, mission, local(9), region="NOWHERE").status_code == 400


def test_the_region_filter_keeps_teams_deployed_there(api, coordinator, mission, teams, station):
    Deployment.objects.create(
        mission=mission, team=teams[1], day=mission.election_date, area=station.district
    )

    response = status_at(api, coordinator, mission, local(9), region=station.region.code)

    assert [r["team"] for r in response.json()["rows"]] == ["T2"]


def test_a_contact_is_recorded_shown_and_audited(api, coordinator, mission, teams):
    url = f"/api/v1/missions/{mission.pk}/reporting-status/contacts/"

    response = api.as_user(coordinator).post(
        url, {"team": "T2", "stage": "OPENING", "note": "Phone off; SMS sent."}, format="json"
    )

    assert response.status_code == 201, response.content
    row = next(
        r
        for r in status_at(api, coordinator, mission, local(9)).json()["rows"]
        if r["team"] == "T2"
    )
    assert row["last_contact"]["by"] == "coordinator"
    assert row["last_contact"]["note"] == "Phone off; SMS sent."
    assert AuditEvent.objects.filter(action="team.contact", object_id=str(teams[1].pk)).count() == 1


@pytest.mark.parametrize(
    "body",
    [{"team": "NOPE", "stage": "OPENING"}, {"team": "T1", "stage": "LUNCH"}, {"stage": "OPENING"}],
)
def test_a_contact_for_an_unknown_team_or_stage_is_a_400(api, coordinator, mission, teams, body):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/reporting-status/contacts/", body, format="json"
    )

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="team.contact").exists()


def test_reporting_status_costs_a_fixed_number_of_queries(
    api, coordinator, mission, teams, station, django_assert_max_num_queries
):
    for n in range(20):
        team = TeamFactory(mission=mission, code=f"X{n}")
        ObserverFactory(mission=mission, team=team)
    client = api.as_user(coordinator)

    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/missions/{mission.pk}/reporting-status/?stage=OPENING")

    assert len(response.json()["rows"]) == 23


# --- incidents ----------------------------------------------------------------------------------


@pytest.fixture
def incidents(mission, station):
    visit = VisitFactory(station=station, arrived_at=local(10))
    minor = FindingFactory(visit=visit, severity="MINOR")
    serious = FindingFactory(visit=visit, severity="SERIOUS", description="<b>queue</b>")
    critical = FindingFactory(visit=visit, severity="CRITICAL", category="BALLOT_STUFFING")
    dismissed = FindingFactory(visit=visit, severity="SERIOUS", review_status="DISMISSED")
    rejected = FindingFactory(
        visit=VisitFactory(station=station, status="REJECTED"), severity="CRITICAL"
    )
    return {
        "minor": minor,
        "serious": serious,
        "critical": critical,
        "dismissed": dismissed,
        "rejected": rejected,
    }


def test_incidents_are_serious_and_critical_findings_newest_first_each_once(
    api, coordinator, mission, incidents
):
    response = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/incidents/")

    assert response.status_code == 200
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    assert ids == [incidents[k].pk for k in ("dismissed", "critical", "serious")]
    assert body["count"] == 3
    row = body["results"][2]
    assert row["description"] == "<b>queue</b>"  # JSON carries the text as it was given
    assert row["triage"] == "NEW" and row["assignee"] is None and row["notes"] == []
    assert row["station_code"] and row["area_name"] and row["visit"]
    assert body["results"][0]["review_status"] == "DISMISSED"


def test_incident_filters(api, coordinator, mission, incidents, station):
    client = api.as_user(coordinator)
    url = f"/api/v1/missions/{mission.pk}/incidents/"

    critical = client.get(url, {"severity": "CRITICAL"}).json()["results"]
    elsewhere = client.get(url, {"region": "NOWHERE"}).json()["results"]
    here = client.get(url, {"region": station.region.code}).json()["results"]
    bad = client.get(url, {"triage": "MAYBE"})

    assert [r["id"] for r in critical] == [incidents["critical"].pk]
    assert critical[0]["category"] == "BALLOT_STUFFING"
    assert critical[0]["category_label"] == "Ballot stuffing"  # for the live banner
    assert elsewhere == [] and len(here) == 3
    assert bad.status_code == 400


def test_triage_moves_an_incident_along_with_an_assignee_and_notes(
    api, coordinator, mission, incidents
):
    client = api.as_user(coordinator)
    finding = incidents["critical"]
    url = f"/api/v1/findings/{finding.pk}/triage/"

    first = client.post(
        url,
        {"status": "ACKNOWLEDGED", "assignee": "coordinator", "note": "Calling the LTO."},
        format="json",
    )
    second = client.post(url, {"status": "FOLLOW_UP", "note": "LTO on the way."}, format="json")
    listed = client.get(f"/api/v1/missions/{mission.pk}/incidents/", {"triage": "FOLLOW_UP"}).json()

    assert first.status_code == 200, first.content
    assert first.json()["triage"] == "ACKNOWLEDGED" and first.json()["assignee"] == "coordinator"
    assert second.json()["assignee"] == "coordinator"  # left out: kept
    assert [n["text"] for n in second.json()["notes"]] == ["Calling the LTO.", "LTO on the way."]
    assert [r["id"] for r in listed["results"]] == [finding.pk]
    events = AuditEvent.objects.filter(
        action="incident.triage", object_id=str(finding.pk)
    ).order_by("id")
    assert [(e.before["status"], e.after["status"]) for e in events] == [
        ("NEW", "ACKNOWLEDGED"),
        ("ACKNOWLEDGED", "FOLLOW_UP"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "NEW"},
        {"status": "DONE"},
        {},
        {"status": "CLOSED", "assignee": "analyst"},
        {"status": "CLOSED", "assignee": "nobody-at-all"},
    ],
)
def test_bad_triage_is_a_400_and_changes_nothing(
    api, coordinator, analyst, mission, incidents, body
):
    response = api.as_user(coordinator).post(
        f"/api/v1/findings/{incidents['serious'].pk}/triage/", body, format="json"
    )

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="incident.triage").exists()


def test_triage_is_for_coordinators_of_incidents(
    api, analyst, coordinator, other_mission_coordinator, incidents
):
    body = {"status": "ACKNOWLEDGED"}

    as_analyst = api.as_user(analyst).post(
        f"/api/v1/findings/{incidents['serious'].pk}/triage/", body, format="json"
    )
    as_stranger = api.as_user(other_mission_coordinator).post(
        f"/api/v1/findings/{incidents['serious'].pk}/triage/", body, format="json"
    )
    minor = api.as_user(coordinator).post(
        f"/api/v1/findings/{incidents['minor'].pk}/triage/", body, format="json"
    )
    rejected = api.as_user(coordinator).post(
        f"/api/v1/findings/{incidents['rejected'].pk}/triage/", body, format="json"
    )

    assert [r.status_code for r in (as_analyst, as_stranger, minor, rejected)] == [
        403,
        404,
        404,
        404,
    ]


# --- messages -----------------------------------------------------------------------------------


@pytest.fixture
def crew(mission, station):
    """Two teams: T1 deployed in the station's region, T2 nowhere; a teamless observer."""
    t1, t2 = TeamFactory(mission=mission, code="T1"), TeamFactory(mission=mission, code="T2")
    deployment = Deployment.objects.create(mission=mission, team=t1, day=mission.election_date)
    deployment.stations.add(station)
    return {
        "t1": ObserverFactory(
            mission=mission, team=t1, user=UserFactory(username="ann"), languages="ru, en"
        ),
        "t2": ObserverFactory(mission=mission, team=t2, user=UserFactory(username="bob")),
        "none": ObserverFactory(mission=mission, team=None, user=UserFactory(username="cy")),
    }


def send(api, user, mission, body):
    return api.as_user(user).post(f"/api/v1/missions/{mission.pk}/messages/", body, format="json")


def test_a_message_reaches_everyone_a_region_or_a_team(api, coordinator, mission, crew, station):
    everyone = send(api, coordinator, mission, {"text": "Polls close at 20:00."})
    region = send(
        api, coordinator, mission, {"text": "Storm in the north.", "regions": [station.region.code]}
    )
    team = send(api, coordinator, mission, {"text": "Call the centre.", "teams": ["T2"]})
    both = send(
        api,
        coordinator,
        mission,
        {"text": "Both.", "regions": [station.region.code], "teams": ["T2"]},
    )

    assert [r.status_code for r in (everyone, region, team, both)] == [201] * 4
    assert [r.json()["recipients"] for r in (everyone, region, team, both)] == [3, 1, 1, 2]
    reached = MessageRecipient.objects.filter(message_id=region.json()["id"])
    assert [d.observer_id for d in reached] == [crew["t1"].pk]


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "x" * 1001},
        {"text": "Hi", "regions": ["NOWHERE"]},
        {"text": "Hi", "teams": ["T9"]},
        {"text": "Hi", "text_i18n": {"de": "Hallo"}},  # a language the site does not speak
    ],
)
def test_a_bad_message_is_a_400_and_sends_nothing(api, coordinator, mission, crew, body):
    response = send(api, coordinator, mission, body)

    assert response.status_code == 400, response.content
    assert not MessageRecipient.objects.exists()


def test_observers_read_their_messages_in_their_language(api, coordinator, mission, crew):
    mission.languages = ["en", "ru"]
    mission.save(update_fields=["languages"])
    sent = send(
        api,
        coordinator,
        mission,
        {"text": "Polls close soon.", "text_i18n": {"ru": "Скоро закрытие."}},
    )
    message_id = sent.json()["id"]

    ann = api.as_user(crew["t1"].user).get("/api/v1/messages/").json()["results"]
    bob = api.as_user(crew["t2"].user).get("/api/v1/messages/").json()["results"]
    read = api.as_user(crew["t1"].user).post(f"/api/v1/messages/{message_id}/read/")
    again = api.as_user(crew["t1"].user).post(f"/api/v1/messages/{message_id}/read/")
    listed = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/messages/").json()

    assert [m["text"] for m in ann] == ["Скоро закрытие."]  # Ann's first language is ru
    assert [m["text"] for m in bob] == ["Polls close soon."]
    assert ann[0]["read_at"] is None and ann[0]["id"] == message_id
    assert read.status_code == 200 and read.json()["read_at"]
    assert again.json()["read_at"] == read.json()["read_at"]  # the first reading counts
    assert listed["results"][0]["recipients"] == 3 and listed["results"][0]["read"] == 1


def test_an_observers_messages_cost_the_same_queries_however_many(api, coordinator, mission, crew):
    send(api, coordinator, mission, {"text": "One"})
    ann = api.as_user(crew["t1"].user)  # the one client, now Ann's
    ann.get("/api/v1/messages/")  # warm: the caller's roles
    with CaptureQueriesContext(connection) as one:
        ann.get("/api/v1/messages/")
    for n in range(9):
        send(api, coordinator, mission, {"text": f"Notice {n}"})
    ann = api.as_user(crew["t1"].user)
    ann.get("/api/v1/messages/")
    with CaptureQueriesContext(connection) as ten:
        listed = ann.get("/api/v1/messages/").json()

    assert listed["count"] == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_nobody_reads_or_marks_another_observers_message(api, coordinator, mission, crew, analyst):
    sent = send(api, coordinator, mission, {"text": "T2 only", "teams": ["T2"]})

    other = api.as_user(crew["t1"].user).post(f"/api/v1/messages/{sent.json()['id']}/read/")
    listed = api.as_user(crew["t1"].user).get("/api/v1/messages/").json()
    by_analyst = api.as_user(analyst).get(f"/api/v1/missions/{mission.pk}/messages/")

    assert other.status_code == 404 and listed["count"] == 0
    assert by_analyst.status_code == 403


def test_a_message_also_goes_by_sms_to_each_recipient_with_a_phone_in_their_language(
    api, coordinator, mission, crew, settings, twilio_api, django_capture_on_commit_callbacks
):
    settings.SMS_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.SMS_TWILIO_AUTH_TOKEN = "token"
    settings.SMS_FROM = "+77000000000"
    mission.languages = ["en", "ru"]
    mission.save()
    crew["t1"].phone, crew["t2"].phone = "+77011234567", "+77017654321"
    crew["t1"].save()
    crew["t2"].save()

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(
            api,
            coordinator,
            mission,
            {"text": "Polls close at 20:00.", "text_i18n": {"ru": "Участки закрываются в 20:00."}},
        )

    sms = SmsMessage.objects.filter(mission=mission).order_by("recipient")
    assert sent.status_code == 201
    # The teamless observer has no phone; ann reads Russian, bob the mission's default.
    assert [(m.recipient, m.text, m.status) for m in sms] == [
        ("+77011234567", "Участки закрываются в 20:00.", "SENT"),
        ("+77017654321", "Polls close at 20:00.", "SENT"),
    ]
    assert len(twilio_api.calls) == 2


def test_a_broker_that_is_down_costs_the_sms_copies_never_the_message(
    api, coordinator, mission, crew, monkeypatch, django_capture_on_commit_callbacks
):
    def down(**kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("reports.operations.services.sms_relay_task.delay", down)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(api, coordinator, mission, {"text": "Polls close at 20:00."})

    assert sent.status_code == 201
    listed = api.as_user(crew["t1"].user).get("/api/v1/messages/").json()
    assert [m["id"] for m in listed["results"]] == [sent.json()["id"]]


def test_without_an_sms_gateway_a_message_reaches_the_phone_pages_only(
    api, coordinator, mission, crew, twilio_api, django_capture_on_commit_callbacks
):
    crew["t1"].phone = "+77011234567"
    crew["t1"].save()

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(api, coordinator, mission, {"text": "Hi"})

    assert sent.status_code == 201 and sent.json()["recipients"] == 3
    assert not SmsMessage.objects.exists() and twilio_api.calls == []


# --- live ---------------------------------------------------------------------------------------


def test_live_figures_come_from_the_aggregates(
    api, coordinator, analyst, mission, incidents, observer
):
    client = api.as_user(coordinator)
    aggregates_reconcile(mission=mission, now=timezone.now())
    client.post(
        f"/api/v1/findings/{incidents['serious'].pk}/triage/", {"status": "CLOSED"}, format="json"
    )

    body = client.get(f"/api/v1/missions/{mission.pk}/live/").json()
    as_analyst = api.as_user(analyst).get(f"/api/v1/missions/{mission.pk}/live/")
    as_observer = api.as_user(observer.user).get(f"/api/v1/missions/{mission.pk}/live/")

    assert body["visits"] == 1  # the rejected visit does not count
    assert body["stations_visited"] == 1
    assert body["findings"] == {"CRITICAL": 1, "SERIOUS": 1, "MINOR": 1}  # dismissed left out
    assert body["incidents_new"] == 2  # critical and dismissed; serious was closed
    assert body["as_of"]
    assert as_analyst.status_code == 200 and as_observer.status_code == 404


def test_live_figures_cost_at_most_a_few_queries(
    api, coordinator, mission, django_assert_max_num_queries
):
    client = api.as_user(coordinator)

    with django_assert_max_num_queries(8):
        first = client.get(f"/api/v1/missions/{mission.pk}/live/")
    with django_assert_max_num_queries(3):  # cached: only the caller and their roles
        second = client.get(f"/api/v1/missions/{mission.pk}/live/")

    assert first.json() == second.json()
