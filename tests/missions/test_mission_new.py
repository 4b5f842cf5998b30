"""Setting a mission up without the admin: /missions/new/ and POST /api/v1/missions/, from the
default checklists or as a copy of an earlier mission the creator coordinates."""

import datetime as dt

import pytest
from django.utils import timezone

from missions.models import AuditEvent, Membership, Mission, Team
from missions.services import mission_create
from missions.signals import mission_created
from observation.checklists import checklist_revise, question_spec
from observation.models import Checklist, Question
from reports.models import Candidate
from reports.statistics.services import candidate_create
from tests.missions.factories import TeamFactory
from tests.reports.factories import VisitFactory
from tests.world import persona_user

pytestmark = pytest.mark.django_db

URL = "/missions/new/"

FORM = {
    "name": "Kyrgyzstan 2026 <b>presidential</b>",
    "country": "KG",
    "election_date": "2026-01-11",
    "timezone": "Asia/Bishkek",
    "polls_open": "08:00",
    "polls_close": "20:00",
    "registered_voters": "3700000",
    "languages": "ru, en",
    "due_OPENING": "09:30",
    "due_COUNTING": "",
    "copy_from": "",
}


def new_missions():
    return Mission.objects.filter(name=FORM["name"])


# --- Who may ----------------------------------------------------------------------------------


def test_coordinators_find_new_mission_on_the_home_page(client, coordinator):
    client.force_login(coordinator)

    html = client.get("/").content.decode()

    assert f'href="{URL}"' in html


@pytest.mark.parametrize("persona", ["analyst", "press", "observer", "outsider"])
def test_the_others_neither_see_the_link_nor_open_the_page(client, request, mission, persona):
    client.force_login(persona_user(request, persona))

    assert f'href="{URL}"' not in client.get("/").content.decode()
    assert client.get(URL).status_code == 403
    assert client.post(URL, FORM).status_code == 403
    assert not new_missions().exists()


def test_platform_staff_without_a_mission_create_one(client, staff_user):
    client.force_login(staff_user)

    response = client.post(URL, FORM)

    assert response.status_code == 302
    assert Membership.objects.get(mission=new_missions().get()).user == staff_user


def test_anonymous_users_log_in_first(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- From the defaults ------------------------------------------------------------------------


def test_a_coordinator_sets_a_mission_up_and_becomes_its_coordinator(client, coordinator, mission):
    client.force_login(coordinator)

    response = client.post(URL, FORM, follow=True)

    new = new_missions().get()
    assert response.redirect_chain[-1][0] == f"/missions/{new.pk}/import/stations/"
    assert "is set up. Next: import its polling stations." in response.content.decode()
    assert (new.country, new.election_date, new.timezone) == (
        "KG",
        dt.date(2026, 1, 11),
        "Asia/Bishkek",
    )
    assert (new.polls_open, new.polls_close) == (dt.time(8), dt.time(20))
    assert new.registered_voters == 3_700_000
    assert new.languages == ["ru", "en"]
    assert new.report_due == {"OPENING": "09:30"}  # the empty ones keep their defaults
    assert Membership.objects.get(mission=new).role == "COORDINATOR"
    assert Membership.objects.get(mission=new).user == coordinator
    assert sorted(Checklist.objects.filter(mission=new).values_list("stage", flat=True)) == [
        "CLOSING",
        "COUNTING",
        "OPENING",
        "TABULATION",
        "VOTING",
    ]
    created = AuditEvent.objects.get(mission=new, action="mission.create")
    assert created.actor == coordinator and "copied_from" not in created.after


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"polls_close": "07:00"}, "polls_close", "The polls must close after they open."),
        ({"languages": "en, xx"}, "languages", "Unknown language xx"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice."),
        ({"country": "ZZ"}, "country", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
        ({"due_VOTING": "25:00"}, "due_VOTING", "Enter a valid time."),
    ],
)
def test_bad_input_is_shown_and_creates_nothing(
    client, coordinator, mission, change, field, message
):
    client.force_login(coordinator)
    before = AuditEvent.objects.count()

    response = client.post(URL, {**FORM, **change})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Mission.objects.count() == 1
    assert AuditEvent.objects.count() == before


def test_the_name_is_escaped_on_the_home_page(client, coordinator, mission):
    client.force_login(coordinator)
    client.post(URL, FORM)

    html = client.get("/").content.decode()

    assert "Kyrgyzstan 2026 &lt;b&gt;presidential&lt;/b&gt;" in html


# --- Copying an earlier mission ---------------------------------------------------------------


@pytest.fixture
def earlier(mission, coordinator):
    """``mission`` set up and used: a revised VOTING checklist (v1 has a visit, so v2 is
    current) with an SMS keyword, teams (the visit's and two more), two candidates (whose
    votes the counting form asks for)."""
    now = timezone.now()
    voting = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    voting.sms_keyword = "V"
    voting.save(update_fields=["sms_keyword"])
    VisitFactory(station__mission=mission, checklist=voting)
    questions = [question_spec(q) for q in voting.questions.order_by("position", "id")]
    questions[0] = {**questions[0], "text": "Were unauthorised persons present? (2026)"}
    checklist_revise(checklist=voting, actor=coordinator, questions=questions, now=now)
    TeamFactory(mission=mission, code="NORTH-1")
    TeamFactory(mission=mission, code="NORTH-2")
    candidate_create(
        mission=mission, actor=coordinator, code="ALMA", name="Alma", position=1, now=now
    )
    candidate_create(
        mission=mission, actor=coordinator, code="BOLAT", name="Bolat", position=2, now=now
    )
    return mission


def content(mission) -> dict:
    """Each current checklist's stage -> (SMS keyword, its questions as specs, in order)."""
    return {
        c.stage: (
            c.sms_keyword,
            [
                question_spec(q)
                for q in Question.objects.filter(checklist=c).order_by("position", "id")
            ],
        )
        for c in Checklist.objects.filter(mission=mission, is_current=True)
    }


def test_copying_an_earlier_mission_takes_its_checklists_teams_and_candidates(
    client, coordinator, earlier
):
    client.force_login(coordinator)

    response = client.post(URL, {**FORM, "copy_from": earlier.pk})

    assert response.status_code == 302
    new = new_missions().get()
    assert content(new) == content(earlier)
    assert content(new)["VOTING"][0] == "V"
    assert content(new)["VOTING"][1][0]["text"] == "Were unauthorised persons present? (2026)"
    # Copies start at version 1, with no visits.
    assert set(Checklist.objects.filter(mission=new).values_list("version", flat=True)) == {1}
    codes = set(Team.objects.filter(mission=earlier).values_list("code", flat=True))
    assert {"NORTH-1", "NORTH-2"} < codes
    assert set(Team.objects.filter(mission=new).values_list("code", flat=True)) == codes
    assert list(
        Candidate.objects.filter(mission=new).order_by("position").values_list("code", "name")
    ) == [("ALMA", "Alma"), ("BOLAT", "Bolat")]
    # Observers are accredited anew: none come along.
    assert not new.observers.exists()
    assert Membership.objects.filter(mission=new).count() == 1
    # Audited: the mission names its source, each copy is an event of the new mission.
    events = AuditEvent.objects.filter(mission=new)
    assert events.get(action="mission.create").after["copied_from"] == earlier.pk
    assert events.filter(action="checklist.create").count() == 5
    assert events.filter(action="team.create").count() == len(codes)
    assert events.filter(action="candidate.create").count() == 2
    # The source is left as it was.
    assert Checklist.objects.filter(mission=earlier).count() == 6


def test_only_missions_the_creator_coordinates_are_offered(
    client, coordinator, analyst, mission, other_mission
):
    Membership.objects.create(user=coordinator, mission=other_mission, role="ANALYST")
    client.force_login(coordinator)

    html = client.get(URL).content.decode()
    refused = client.post(URL, {**FORM, "copy_from": other_mission.pk})

    assert f'<option value="{mission.pk}">' in html
    assert f'<option value="{other_mission.pk}">' not in html
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    assert not new_missions().exists()


def test_a_copy_that_fails_creates_nothing(coordinator, earlier):
    def fail(sender, **kwargs):
        raise RuntimeError("the copy broke half-way")

    # Connected last: the checklists, teams and candidates are copied before it fails.
    mission_created.connect(fail, sender=Mission, dispatch_uid="test-fail")
    counts = [
        m.objects.count() for m in (Mission, Membership, Checklist, Team, Candidate, AuditEvent)
    ]
    try:
        with pytest.raises(RuntimeError):
            mission_create(
                user=coordinator,
                data={
                    "name": "Copy",
                    "country": "KG",
                    "election_date": dt.date(2026, 1, 11),
                    "timezone": "Asia/Bishkek",
                },
                copy_from=earlier.pk,
            )
    finally:
        mission_created.disconnect(sender=Mission, dispatch_uid="test-fail")

    assert [
        m.objects.count() for m in (Mission, Membership, Checklist, Team, Candidate, AuditEvent)
    ] == counts


# --- The API ----------------------------------------------------------------------------------

BODY = {
    "name": "Kyrgyzstan 2026",
    "country": "KG",
    "election_date": "2026-01-11",
    "timezone": "Asia/Bishkek",
    "polls_open": "08:00",
    "polls_close": "20:00",
    "languages": ["ru", "en"],
    "report_due": {"OPENING": "09:30"},
}


def test_a_coordinator_creates_a_mission_through_the_api(api, coordinator, mission):
    response = api.as_user(coordinator).post("/api/v1/missions/", BODY, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["role"] == "COORDINATOR"
    assert data["report_due"]["OPENING"] == "09:30"
    assert "copy_from" not in data
    new = Mission.objects.get(pk=data["id"])
    assert Checklist.objects.filter(mission=new).count() == 5


def test_the_api_copies_an_earlier_mission(api, coordinator, earlier):
    response = api.as_user(coordinator).post(
        "/api/v1/missions/", {**BODY, "copy_from": earlier.pk}, format="json"
    )

    assert response.status_code == 201, response.json()
    new = Mission.objects.get(pk=response.json()["id"])
    assert content(new) == content(earlier)
    assert Candidate.objects.filter(mission=new).count() == 2


def test_a_new_mission_requires_only_languages_it_speaks(api, coordinator, mission):
    client = api.as_user(coordinator)

    outside = client.post(
        "/api/v1/missions/", {**BODY, "required_languages": ["fr"]}, format="json"
    )
    inside = client.post("/api/v1/missions/", {**BODY, "required_languages": ["ru"]}, format="json")

    assert outside.status_code == 400 and "required_languages" in outside.json()
    assert inside.status_code == 201, inside.json()
    assert Mission.objects.get(pk=inside.json()["id"]).required_languages == ["ru"]
    assert Mission.objects.count() == 2  # the refused one created nothing


@pytest.mark.parametrize("source", ["other_mission", "unknown"])
def test_the_api_copies_only_a_mission_the_caller_coordinates(
    api, coordinator, mission, other_mission, source
):
    copy_from = other_mission.pk if source == "other_mission" else 999_999

    response = api.as_user(coordinator).post(
        "/api/v1/missions/", {**BODY, "copy_from": copy_from}, format="json"
    )

    assert response.status_code == 400
    assert "copy_from" in response.json()
    assert Mission.objects.count() == 2


def test_an_existing_mission_copies_nothing(api, coordinator, mission, other_mission):
    response = api.as_user(coordinator).patch(
        f"/api/v1/missions/{mission.pk}/", {"copy_from": mission.pk}, format="json"
    )

    assert response.status_code == 400
    assert "copy_from" in response.json()
