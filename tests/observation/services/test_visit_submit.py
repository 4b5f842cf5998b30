"""POST /api/v1/visits/: the observer's report, every rule of API.md, replay and conflict."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from missions.models import AuditEvent
from observation import services
from observation.checklists.schema import checklist_schema_invalidate
from observation.models import Finding, FindingRevision, Visit, VisitRevision
from observation.serializers import visit_data
from observation.services import visits
from reports.models import PendingStation
from tests.missions.factories import MissionFactory, ObserverFactory, StationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/"


def post(api, user, body):
    return api.as_user(user).post(URL, body, format="json")


# --- The happy path ---------------------------------------------------------------------


def test_observer_submits_a_visit(api, observer, station, voting_checklist, visit_body):
    body = visit_body()

    response = post(api, observer.user, body)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["client_uuid"] == body["client_uuid"]
    assert data["station"] == station.pk
    assert data["station_code"] == station.code
    assert data["checklist"] == voting_checklist.pk
    assert data["stage"] == "VOTING"
    assert data["observer"] == observer.pk
    assert data["status"] == "SUBMITTED"
    assert data["flags"] == []
    assert data["arrived_at"] == "2022-11-20T10:05:00+06:00"
    assert data["departed_at"] == "2022-11-20T10:40:00+06:00"
    assert data["voters_so_far"] == 312
    assert data["assessment"] == "GOOD"
    assert data["answers"]["V07"] == "QUEUE"
    assert data["notes"] == "Calm."
    assert [(f["category"], f["severity"]) for f in data["findings"]] == [("SECRECY", "SERIOUS")]
    visit = Visit.objects.get(pk=data["id"])
    assert visit.team == observer.team
    assert visit.mission == station.mission


def test_a_submission_writes_revision_one_and_an_audit_event(api, observer, visit_body):
    response = post(api, observer.user, visit_body())

    visit_id = response.json()["id"]
    revision = VisitRevision.objects.get(visit_id=visit_id)
    assert revision.number == 1
    assert revision.author == observer.user
    assert revision.data["voters_so_far"] == 312
    assert revision.data["findings"][0]["category"] == "SECRECY"
    event = AuditEvent.objects.get(action="visit.submit", object_id=str(visit_id))
    assert event.actor == observer.user
    assert event.after["stage"] == "VOTING"
    assert FindingRevision.objects.filter(finding__visit_id=visit_id, number=1).count() == 1


def test_station_code_may_replace_the_station_id(api, observer, station, visit_body):
    body = visit_body()
    del body["station"]
    body["station_code"] = station.code

    response = post(api, observer.user, body)

    assert response.status_code == 201, response.json()
    assert response.json()["station"] == station.pk


def test_optional_fields_may_be_left_out(api, observer, visit_body):
    body = visit_body()
    for field in ("departed_at", "voters_so_far", "assessment", "findings", "notes"):
        del body[field]

    response = post(api, observer.user, body)

    assert response.status_code == 201, response.json()
    assert response.json()["voters_so_far"] is None
    assert response.json()["assessment"] is None


def test_skip_logic_open_accepts_the_follow_up_question(api, observer, visit_body):
    answers = {**visit_body()["answers"], "V01": True, "V02": ["POLICE", "PARTY_AGENT"]}

    response = post(api, observer.user, visit_body(answers=answers))

    assert response.status_code == 201, response.json()
    assert response.json()["answers"]["V02"] == ["POLICE", "PARTY_AGENT"]


def test_a_hidden_question_sent_as_null_is_accepted_and_dropped(api, observer, visit_body):
    answers = {**visit_body()["answers"], "V02": None}

    response = post(api, observer.user, visit_body(answers=answers))

    assert response.status_code == 201, response.json()
    assert "V02" not in response.json()["answers"]


def test_counting_may_end_after_midnight(api, observer, station, mission, visit_body):
    counting = mission.checklists.get(stage="COUNTING", is_current=True)
    answers = {
        "C01": True,
        "C02": 900,
        "C03": 600,
        "C04": 300,
        "C05": 590,
        "C06": 10,
        "C07": True,
        "C08": True,
        "C09": True,
        "C10": True,
        "C11": False,
    }
    body = visit_body(
        checklist=counting.pk,
        answers=answers,
        arrived_at="2022-11-20T20:05:00+06:00",
        departed_at="2022-11-21T01:30:00+06:00",
    )

    response = post(api, observer.user, body)

    assert response.status_code == 201, response.json()
    assert response.json()["stage"] == "COUNTING"


# --- Replay and conflict ----------------------------------------------------------------


def test_the_same_body_again_returns_the_same_visit(api, observer, visit_body):
    body = visit_body()
    first = post(api, observer.user, body)

    again = post(api, observer.user, body)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Visit.objects.count() == 1
    assert Finding.objects.count() == 1


def test_the_same_visit_with_times_spelled_in_utc_is_a_replay(api, observer, visit_body):
    body = visit_body()
    first = post(api, observer.user, body)

    again = post(
        api,
        observer.user,
        {**body, "arrived_at": "2022-11-20T04:05:00Z", "departed_at": "2022-11-20T04:40:00Z"},
    )

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_a_different_body_with_the_same_client_uuid_is_a_409(api, observer, visit_body):
    body = visit_body()
    post(api, observer.user, body)

    response = post(api, observer.user, {**body, "voters_so_far": 400})

    assert response.status_code == 409
    assert "client_uuid" in response.json()
    assert Visit.objects.get().voters_so_far == 312


def test_another_observer_reusing_a_client_uuid_is_a_409(api, observer, teammate, visit_body):
    body = visit_body()
    post(api, observer.user, body)

    response = post(api, teammate.user, body)

    assert response.status_code == 409
    assert Visit.objects.get().observer == observer


def test_the_one_statement_store_writes_every_row_of_a_visit(observer, visit_body):
    """A visit is stored in one raw statement: the visit, its findings in the order sent,
    their first revisions, the visit's first revision, the audit events and the pending mark."""
    findings = [
        {"category": "SECRECY", "severity": "SERIOUS", "description": "Open booths."},
        {"category": "OTHER", "severity": "MINOR", "description": ""},
        {"category": "PROCEDURE", "severity": "CRITICAL", "description": "Ünïcode ' \" \\ %s"},
    ]
    now = timezone.now()
    body = visit_body(findings=findings, voters_so_far=1500)  # flagged: above registered

    visit, created = services.visit_submit(observer=observer, payload=body, now=now)

    assert created
    stored = Visit.objects.select_related("mission", "station", "team", "observer").get(pk=visit.pk)
    assert visit_data(visit) == visit_data(stored)
    assert stored.status == "FLAGGED"
    assert [f["code"] for f in stored.flags] == ["VOTERS_ABOVE_REGISTERED"]
    assert (stored.observer, stored.team, stored.voters_so_far) == (observer, observer.team, 1500)
    found = list(stored.findings.order_by("id"))
    assert [
        (f.category, f.severity, f.description, f.review_status, f.review_reason) for f in found
    ] == [(f["category"], f["severity"], f["description"], "PENDING", "") for f in findings]
    assert all(
        stored.created_at <= f.created_at <= stored.created_at + dt.timedelta(seconds=1)
        for f in found
    )
    for finding in found:
        revision = FindingRevision.objects.get(finding=finding)
        assert (revision.number, revision.author, revision.reason, revision.created_at) == (
            1,
            observer.user,
            "",
            now,
        )
        assert revision.data == {
            "id": finding.pk,
            "category": finding.category,
            "severity": finding.severity,
            "description": finding.description,
            "review_status": "PENDING",
            "review_reason": "",
        }
    revision = VisitRevision.objects.get(visit=stored)
    assert (revision.number, revision.author, revision.reason, revision.created_at) == (
        1,
        observer.user,
        "",
        now,
    )
    assert revision.data == services.visit_snapshot(visit=visit, findings=found)
    audit = AuditEvent.objects.get(action="visit.submit", object_id=str(stored.pk))
    assert (audit.mission, audit.actor, audit.object_type, audit.before, audit.at) == (
        observer.mission,
        observer.user,
        "observation.visit",
        None,
        now,
    )
    assert audit.after == {
        "client_uuid": str(stored.client_uuid),
        "station": stored.station.code,
        "stage": stored.stage,
        "status": "FLAGGED",
        "flags": ["VOTERS_ABOVE_REGISTERED"],
        "findings": 3,
    }
    events = AuditEvent.objects.filter(action="finding.create").order_by("id")
    assert [(e.object_id, e.actor, e.at) for e in events] == [
        (str(f.pk), observer.user, now) for f in found
    ]
    assert [e.after["visit"] for e in events] == [stored.pk] * 3
    assert list(PendingStation.objects.values_list("mission_id", "station_id")) == [
        (observer.mission_id, stored.station_id)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_leaves_nothing_behind(observer, visit_body, monkeypatch):
    # The last step of storing a visit: the visit, findings, revisions, audit event and
    # pending mark are written by then.
    def broken_pipeline(**kwargs):
        raise RuntimeError("pipeline down")

    monkeypatch.setattr(visits, "visits_changed", broken_pipeline)

    with pytest.raises(RuntimeError):
        services.visit_submit(observer=observer, payload=visit_body(), now=timezone.now())

    assert Visit.objects.count() == 0
    assert Finding.objects.count() == 0
    assert VisitRevision.objects.count() == 0
    assert FindingRevision.objects.count() == 0
    assert AuditEvent.objects.filter(action="visit.submit").count() == 0
    assert PendingStation.objects.count() == 0


def test_a_failed_request_leaves_nothing_behind(api, observer, visit_body, monkeypatch):
    def broken_pipeline(**kwargs):
        raise RuntimeError("pipeline down")

    monkeypatch.setattr(visits, "visits_changed", broken_pipeline)
    client = api.as_user(observer.user)
    client.raise_request_exception = False

    response = client.post(URL, visit_body(), format="json")

    assert response.status_code == 500
    assert Visit.objects.count() == 0
    assert Finding.objects.count() == 0
    assert AuditEvent.objects.filter(action="visit.submit").count() == 0
    assert PendingStation.objects.count() == 0


# --- One test per validation rule -------------------------------------------------------


def errors_of(response):
    assert response.status_code == 400, response.content
    return response.json()


def assert_names(messages, *words):
    """Each rule's message says which field is wrong and what to do about it."""
    text = " ".join(messages)
    for word in words:
        assert word in text, text


def test_unknown_station_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(station=999999)))

    assert_names(errors["station"], "999999")


def test_another_missions_station_is_a_400(api, observer, foreign_station, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(station=foreign_station.pk)))

    assert_names(errors["station"], str(foreign_station.pk), "your mission")


def test_unknown_station_code_is_a_400(api, observer, visit_body):
    body = visit_body()
    del body["station"]
    body["station_code"] = "NOPE"

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["station_code"], "NOPE")


def test_a_visit_without_a_station_is_a_400(api, observer, visit_body):
    body = visit_body()
    del body["station"]

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["station"], "station_code")


def test_station_and_station_code_that_disagree_are_a_400(
    api, observer, station, other_station, visit_body
):
    errors = errors_of(post(api, observer.user, visit_body(station_code=other_station.code)))

    assert_names(errors["station_code"], other_station.code, station.code)


def test_unknown_checklist_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(checklist=999999)))

    assert_names(errors["checklist"], "999999")


def test_another_missions_checklist_is_a_400(api, observer, other_mission, visit_body):
    foreign = other_mission.checklists.get(stage="VOTING")

    errors = errors_of(post(api, observer.user, visit_body(checklist=foreign.pk)))

    assert_names(errors["checklist"], str(foreign.pk))


def answer_errors(api, observer, visit_body, **answers):
    body = visit_body()
    body["answers"].update(answers)
    return errors_of(post(api, observer.user, body))["answers"]


def test_a_yes_no_answer_of_the_wrong_type_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V03="yes")

    assert_names(errors["V03"], "V03", "true or false")


def test_an_integer_answer_of_the_wrong_type_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V09=True, V10="many")

    assert_names(errors["V10"], "V10", "whole number")


def test_a_boolean_is_not_a_number(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V09=True, V10=True)

    assert_names(errors["V10"], "whole number")


def test_an_answer_below_min_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V09=True, V10=0)

    assert_names(errors["V10"], "V10", "at least 1")


def test_an_answer_above_max_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V09=True, V10=5001)

    assert_names(errors["V10"], "V10", "at most 5000")


def test_a_choice_not_among_the_choices_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V07="HUGE")

    assert_names(errors["V07"], "V07", "NONE, QUEUE, OVERCROWDED", "HUGE")


def test_a_multi_choice_not_among_the_choices_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V01=True, V02=["POLICE", "ALIENS"])

    assert_names(errors["V02"], "V02", "ALIENS")


def test_an_unknown_question_code_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, Z99=True)

    assert_names(errors["Z99"], "Z99", "remove it")


def test_a_missing_required_answer_is_a_400(api, observer, visit_body):
    body = visit_body()
    del body["answers"]["V03"]

    errors = errors_of(post(api, observer.user, body))["answers"]

    assert_names(errors["V03"], "V03", "required")


def test_a_required_follow_up_missing_when_its_condition_holds_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V01=True)

    assert_names(errors["V02"], "V02", "required")


def test_an_answer_present_while_its_show_if_is_false_is_a_400(api, observer, visit_body):
    errors = answer_errors(api, observer, visit_body, V01=False, V02=["POLICE"])

    assert_names(errors["V02"], "V02", "V01", "false")


def test_answers_that_are_not_an_object_are_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(answers=["V01"])))

    assert_names(errors["answers"], "object")


def test_departed_before_arrived_is_a_400(api, observer, visit_body):
    body = visit_body(departed_at="2022-11-20T09:00:00+06:00")

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["departed_at"], "departed_at", "arrived_at")


def test_a_time_without_an_offset_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(arrived_at="2022-11-20T10:05:00")))

    assert_names(errors["arrived_at"], "arrived_at", "offset")


def test_a_departure_without_an_offset_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(departed_at="2022-11-20T10:40:00")))

    assert_names(errors["departed_at"], "departed_at", "offset")


def test_a_time_that_is_not_a_time_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(arrived_at="ten past ten")))

    assert_names(errors["arrived_at"], "ISO 8601")


def test_a_missing_arrival_time_is_a_400(api, observer, visit_body):
    body = visit_body()
    del body["arrived_at"]

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["arrived_at"], "required")


def test_a_time_before_the_election_day_is_a_400(api, observer, visit_body):
    body = visit_body(arrived_at="2022-11-19T23:30:00+06:00")

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["arrived_at"], "2022-11-20", "Asia/Almaty")


def test_the_election_day_is_counted_in_the_missions_time_zone(api, observer, visit_body):
    # 20:00 UTC on the 19th is 02:00 on the 20th in Almaty: on the day, but bold.
    on_the_day = post(api, observer.user, visit_body(arrived_at="2022-11-19T20:00:00Z"))
    # 19:00 UTC on the 20th is 01:00 on the 21st in Almaty: the day after.
    day_after = post(
        api,
        observer.user,
        visit_body(arrived_at="2022-11-20T19:00:00Z", departed_at="2022-11-20T19:30:00Z"),
    )

    assert on_the_day.status_code == 201, on_the_day.json()
    assert_names(errors_of(day_after)["arrived_at"], "2022-11-21 01:00")


def test_a_voting_visit_ending_the_next_day_is_a_400(api, observer, visit_body):
    body = visit_body(departed_at="2022-11-21T00:30:00+06:00")

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["departed_at"], "departed_at", "2022-11-20")


def test_a_counting_visit_ending_the_next_afternoon_is_a_400(api, observer, mission, visit_body):
    counting = mission.checklists.get(stage="COUNTING", is_current=True)
    body = visit_body(
        checklist=counting.pk,
        answers={},
        arrived_at="2022-11-20T20:05:00+06:00",
        departed_at="2022-11-21T13:00:00+06:00",
    )

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["departed_at"], "departed_at", "2022-11-21 13:00")


def test_negative_voters_so_far_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(voters_so_far=-1)))

    assert_names(errors["voters_so_far"], "voters_so_far", "0 or more")


def test_voters_so_far_that_is_not_a_number_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(voters_so_far="lots")))

    assert_names(errors["voters_so_far"], "voters_so_far")


def test_an_unknown_assessment_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(assessment="FINE")))

    assert_names(errors["assessment"], "VERY_GOOD", "FINE")


def test_a_finding_with_an_unknown_category_is_a_400(api, observer, visit_body):
    findings = [
        {"category": "SECRECY", "severity": "MINOR"},
        {"category": "GOSSIP", "severity": "MINOR"},
    ]

    errors = errors_of(post(api, observer.user, visit_body(findings=findings)))

    assert errors["findings"][0] == {}
    assert_names(errors["findings"][1]["category"], "GOSSIP", "BALLOT_STUFFING")


def test_a_finding_with_an_unknown_severity_is_a_400(api, observer, visit_body):
    findings = [{"category": "SECRECY", "severity": "HUGE"}]

    errors = errors_of(post(api, observer.user, visit_body(findings=findings)))

    assert_names(errors["findings"][0]["severity"], "HUGE", "CRITICAL")


def test_a_missing_client_uuid_is_a_400(api, observer, visit_body):
    body = visit_body()
    del body["client_uuid"]

    errors = errors_of(post(api, observer.user, body))

    assert_names(errors["client_uuid"], "client_uuid", "UUID")


def test_a_malformed_client_uuid_is_a_400(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(client_uuid="not-a-uuid")))

    assert "client_uuid" in errors


def test_a_nul_character_in_the_notes_is_a_400_not_a_500(api, observer, visit_body):
    errors = errors_of(post(api, observer.user, visit_body(notes="bad\x00byte")))

    assert_names(errors["notes"], "notes", "NUL")


def test_a_body_that_is_not_an_object_is_a_400(api, observer):
    response = api.as_user(observer.user).post(URL, [1, 2], format="json")

    assert response.status_code == 400


def test_every_mistake_is_reported_at_once_and_nothing_is_stored(api, observer, visit_body):
    body = visit_body(voters_so_far=-5, assessment="FINE", station=999999)

    errors = errors_of(post(api, observer.user, body))

    assert {"voters_so_far", "assessment", "station"} <= set(errors)
    assert Visit.objects.count() == 0


# --- Flagged but accepted ---------------------------------------------------------------


def flags_of(response):
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "FLAGGED"
    return {flag["code"]: flag["message"] for flag in response.json()["flags"]}


def test_more_ballots_issued_than_registered_voters_is_flagged(api, observer, station, visit_body):
    flags = flags_of(post(api, observer.user, visit_body(voters_so_far=1200)))

    assert flags["VOTERS_ABOVE_REGISTERED"] == (
        f"Ballots issued (1,200) exceed the voters registered at {station.code} (1,000)."
    )


def test_a_visit_longer_than_the_polls_are_open_is_flagged(api, observer, visit_body):
    body = visit_body(
        arrived_at="2022-11-20T06:00:00+06:00", departed_at="2022-11-20T19:30:00+06:00"
    )

    flags = flags_of(post(api, observer.user, body))

    assert flags["VISIT_LONGER_THAN_POLLS"] == (
        "The visit lasted 13 h 30 min, longer than the polls are open (07:00–20:00)."
    )


def test_the_same_team_at_two_stations_at_once_is_flagged(
    api, observer, teammate, station, other_station, visit_body
):
    post(api, observer.user, visit_body())  # 10:05-10:40 at station
    body = visit_body(
        station=other_station.pk,
        arrived_at="2022-11-20T10:30:00+06:00",
        departed_at="2022-11-20T11:00:00+06:00",
    )

    flags = flags_of(post(api, teammate.user, body))

    assert station.code in flags["TEAM_IN_TWO_PLACES"]
    assert "10:05" in flags["TEAM_IN_TWO_PLACES"] and "T001" in flags["TEAM_IN_TWO_PLACES"]


def test_the_same_team_at_two_stations_one_after_the_other_is_not_flagged(
    api, observer, teammate, other_station, visit_body
):
    post(api, observer.user, visit_body())  # 10:05-10:40 at station
    body = visit_body(
        station=other_station.pk,
        arrived_at="2022-11-20T10:40:00+06:00",
        departed_at="2022-11-20T11:00:00+06:00",
    )

    response = post(api, teammate.user, body)

    assert response.json()["status"] == "SUBMITTED"


def test_an_observer_without_a_team_at_two_stations_at_once_is_flagged_by_name(
    api, mission, station, other_station, visit_body
):
    loner = ObserverFactory(mission=mission, team=None, full_name="Lone Ranger")
    post(api, loner.user, visit_body())  # 10:05-10:40 at station
    exact = visit_body(station=other_station.pk)  # the very same arrival time
    later = visit_body(
        station=other_station.pk,
        arrived_at="2022-11-20T10:30:00+06:00",
        departed_at="2022-11-20T11:00:00+06:00",
    )

    for body in (exact, later):
        message = flags_of(post(api, loner.user, body))["TEAM_IN_TWO_PLACES"]

        assert "Lone Ranger" in message and station.code in message and "10:05" in message


def test_another_team_at_another_station_at_the_same_time_is_not_flagged(
    api, observer, other_team_observer, other_station, visit_body
):
    post(api, observer.user, visit_body())

    response = post(api, other_team_observer.user, visit_body(station=other_station.pk))

    assert response.json()["status"] == "SUBMITTED"


def test_a_count_lower_than_an_earlier_count_at_the_station_is_flagged(
    api, observer, other_team_observer, visit_body
):
    post(api, observer.user, visit_body(voters_so_far=400))  # at 10:05
    body = visit_body(
        voters_so_far=350,
        arrived_at="2022-11-20T12:00:00+06:00",
        departed_at="2022-11-20T12:20:00+06:00",
    )

    flags = flags_of(post(api, other_team_observer.user, body))

    assert "350" in flags["COUNT_DECREASED"] and "400" in flags["COUNT_DECREASED"]


def test_a_higher_later_count_is_not_flagged(api, observer, other_team_observer, visit_body):
    post(api, observer.user, visit_body(voters_so_far=400))
    body = visit_body(
        voters_so_far=450,
        arrived_at="2022-11-20T12:00:00+06:00",
        departed_at="2022-11-20T12:20:00+06:00",
    )

    response = post(api, other_team_observer.user, body)

    assert response.json()["status"] == "SUBMITTED"


def test_a_rejected_earlier_count_does_not_flag(
    api, observer, other_team_observer, coordinator, visit_body
):
    first = post(api, observer.user, visit_body(voters_so_far=400)).json()
    Visit.objects.filter(pk=first["id"]).update(status="REJECTED")
    body = visit_body(
        voters_so_far=350,
        arrived_at="2022-11-20T12:00:00+06:00",
        departed_at="2022-11-20T12:20:00+06:00",
    )

    response = post(api, other_team_observer.user, body)

    assert response.json()["status"] == "SUBMITTED"


# --- Who may submit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["coordinator", "analyst", "press", "outsider", "other_mission_coordinator"]
)
def test_only_observers_submit_visits(api, persona, request, visit_body):
    user = request.getfixturevalue(persona)

    response = post(api, user, visit_body())

    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_an_observer_of_another_mission_cannot_report_on_this_missions_station(
    api, other_mission_observer, station, visit_body
):
    response = post(api, other_mission_observer.user, visit_body())

    assert response.status_code == 400
    assert "station" in response.json()
    assert Visit.objects.count() == 0


def test_a_browser_session_submits_with_its_csrf_token_and_not_without(observer, visit_body):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(observer.user)
    browser.cookies["csrftoken"] = "a" * 32  # the CSRF secret a page would have set

    refused = browser.post(URL, visit_body(), content_type="application/json")
    accepted = browser.post(
        URL, visit_body(), content_type="application/json", HTTP_X_CSRFTOKEN="a" * 32
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["observer"] == observer.pk
    assert Visit.objects.count() == 1


def test_without_credentials_it_is_a_401(api, visit_body):
    assert api.post(URL, visit_body(), format="json").status_code == 401


def test_an_observer_of_two_missions_reports_in_the_stations_mission(
    api, observer, other_mission, visit_body
):
    from tests.missions.factories import ObserverFactory

    ObserverFactory(mission=other_mission, user=observer.user)
    foreign = StationFactory(district__parent__mission=other_mission)
    checklist = other_mission.checklists.get(stage="VOTING")

    response = post(api, observer.user, visit_body(station=foreign.pk, checklist=checklist.pk))

    assert response.status_code == 201, response.json()
    assert response.json()["mission"] == other_mission.pk


def test_the_submission_profile_and_station_come_in_one_query_each(
    observer, station, other_mission, django_assert_num_queries
):
    from observation.selectors import observer_for_submission

    ObserverFactory(mission=other_mission, user=observer.user)
    for payload in ({"station": station.pk}, {"station_code": station.code}):
        observer_for_submission(user=observer.user, payload=payload)  # prepares the statements
    with django_assert_num_queries(2):
        by_id, station_by_id = observer_for_submission(
            user=observer.user, payload={"station": str(station.pk)}
        )
        by_code, station_by_code = observer_for_submission(
            user=observer.user, payload={"station_code": station.code}
        )
        assert by_id.mission.timezone and by_id.team.code and by_id.user is observer.user

    assert by_id.pk == by_code.pk == observer.pk
    for found in (station_by_id, station_by_code):
        assert (found.pk, found.code, found.registered_voters, found.mission_id) == (
            station.pk,
            station.code,
            station.registered_voters,
            station.mission_id,
        )


def test_the_submission_profile_of_an_unknown_or_ambiguous_station_is_the_first_one(
    observer, station, other_mission
):
    from observation.selectors import observer_for_submission

    second = ObserverFactory(mission=other_mission, user=observer.user, team=None)
    StationFactory(district__parent__mission=other_mission, code=station.code)
    foreign = StationFactory(district__parent__mission=MissionFactory())

    for payload in (
        {"station": foreign.pk},
        {"station": 10**30},
        {"station": "x"},
        {"station_code": station.code},  # a station in both of the user's missions
        {},
        [],
    ):
        assert observer_for_submission(user=observer.user, payload=payload) == (observer, None)
    assert second.pk > observer.pk


# --- Speed ------------------------------------------------------------------------------


def test_the_post_is_a_handful_of_queries_whatever_the_number_of_answers_and_findings(
    api, observer, visit_body, django_assert_num_queries
):
    client = api.as_user(observer.user)
    client.post(URL, visit_body(), format="json")  # warms the checklist schema cache
    answers = {**visit_body()["answers"], "V01": True, "V02": ["POLICE"], "V13": "Long day."}
    findings = [
        {"category": c, "severity": "MINOR", "description": "x"}
        for c in ("SECRECY", "CAMPAIGNING", "PROCEDURE", "VOTER_LIST", "OTHER")
    ]
    body = visit_body(answers=answers, findings=findings, voters_so_far=500)

    # token, observer with mission, team and station, flag check, and one statement that
    # writes the visit, findings, finding revisions, visit revision, audit event and the
    # aggregates' pending mark; plus the request's savepoint pair.
    with django_assert_num_queries(6):
        response = client.post(URL, body, format="json")

    assert response.status_code == 201, response.json()


def test_the_checklist_schema_is_read_from_the_cache(
    observer, visit_body, django_assert_num_queries
):
    services.visit_submit(observer=observer, payload=visit_body(), now=timezone.now())
    # station, flag check, and the visit with everything it writes: no checklist
    # or question read.
    with django_assert_num_queries(3) as warm:
        services.visit_submit(observer=observer, payload=visit_body(), now=timezone.now())

    assert not any("observation_question" in q["sql"] for q in warm.captured_queries)


def test_a_checklist_edited_in_place_is_seen_after_invalidation(
    observer, voting_checklist, visit_body
):
    now = timezone.now()
    services.visit_submit(observer=observer, payload=visit_body(), now=now)
    question = voting_checklist.questions.get(code="V07")
    question.choices = [*question.choices, "EMPTY"]
    question.save(update_fields=["choices"])
    body = visit_body()
    body["answers"]["V07"] = "EMPTY"

    with pytest.raises(services.VisitInvalid):
        services.visit_submit(observer=observer, payload=body, now=now)  # stale cache
    checklist_schema_invalidate(voting_checklist.pk)
    visit, created = services.visit_submit(observer=observer, payload=body, now=now)

    assert created and visit.answers["V07"] == "EMPTY"


def test_the_service_returns_created_false_on_a_replay(observer, visit_body):
    body = visit_body()
    now = timezone.now()
    first, created = services.visit_submit(observer=observer, payload=body, now=now)

    again, created_again = services.visit_submit(
        observer=observer, payload=body, now=now + dt.timedelta(minutes=5)
    )

    assert created and not created_again
    assert again.pk == first.pk


def test_the_service_raises_a_conflict_for_a_different_body(observer, visit_body):
    body = visit_body()
    now = timezone.now()
    services.visit_submit(observer=observer, payload=body, now=now)

    with pytest.raises(services.VisitConflict):
        services.visit_submit(observer=observer, payload={**body, "notes": "Other"}, now=now)


def test_a_fresh_client_uuid_makes_a_second_visit(api, observer, visit_body):
    post(api, observer.user, visit_body())

    response = post(api, observer.user, visit_body(client_uuid=str(uuid.uuid4())))

    assert response.status_code == 201
    assert Visit.objects.count() == 2


# --- Never a 500 for what a client can send ---------------------------------------------


@pytest.mark.parametrize(
    "override",
    [{"station": 10**30}, {"checklist": 10**30}, {"station": -5}, {"station": True}],
    ids=["huge-station", "huge-checklist", "negative-station", "boolean-station"],
)
def test_absurd_ids_are_a_400(api, observer, visit_body, override):
    response = post(api, observer.user, visit_body(**override))

    assert response.status_code == 400
    assert set(override) <= set(response.json())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/visits/abc/",
        "/api/v1/visits/99999999999999999999999/",
        "/api/v1/visits/?station=99999999999999999999999",
    ],
)
def test_absurd_urls_are_not_a_500(api, coordinator, path):
    assert api.as_user(coordinator).get(path).status_code in (200, 400, 404)


def test_a_review_of_a_non_numeric_visit_is_a_404(api, coordinator):
    response = api.as_user(coordinator).post(
        "/api/v1/visits/abc/review/", {"status": "VERIFIED"}, format="json"
    )

    assert response.status_code == 404


def test_a_hundred_thousand_made_up_answer_codes_give_a_short_400(api, observer, visit_body):
    from tests.observation.conftest import VOTING_ANSWERS

    answers = VOTING_ANSWERS | {f"X{n}": True for n in range(100_000)}

    response = api.as_user(observer.user).post(
        "/api/v1/visits/", visit_body(answers=answers), format="json"
    )

    assert response.status_code == 400
    listed = response.json()["answers"]
    assert len(response.content) < 10_000
    assert len(listed) == 21
    assert "This and 99979 more codes" in " ".join(sum(listed.values(), []))
