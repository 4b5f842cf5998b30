"""Candidates per mission: the counting form asks for each one's votes (coordinators manage)."""

import pytest
from django.utils import timezone

from missions.models import AuditEvent
from observation.models import Checklist
from reports.models import Candidate
from reports.statistics.services import candidate_create, candidate_delete, candidate_update
from tests.reports.factories import VisitFactory
from tests.world import NOT_STAFF, persona_user

pytestmark = pytest.mark.django_db


def counting_codes(mission):
    checklist = Checklist.objects.get(mission=mission, stage="COUNTING", is_current=True)
    return checklist.version, [q.code for q in checklist.questions.order_by("position", "id")]


def url(mission):
    return f"/missions/{mission.pk}/candidates/"


def test_adding_candidates_puts_their_votes_last_on_the_counting_form(mission, coordinator):
    now = timezone.now()
    candidate_create(
        mission=mission, actor=coordinator, code="b", name="Bolat", position=2, now=now
    )
    candidate_create(mission=mission, actor=coordinator, code="A", name="Alma", position=1, now=now)

    version, codes = counting_codes(mission)

    # No visits yet: the checklist is edited in place, in ballot order.
    assert version == 1
    assert codes[-4:] == ["PVT_A", "PVT_B", "PVT_INVALID", "PVT_BALLOTS"]
    assert codes[:12] == [f"C{n:02d}" for n in range(1, 13)]
    checklist = Checklist.objects.get(mission=mission, stage="COUNTING", is_current=True)
    question = checklist.questions.get(code="PVT_A")
    assert (question.type, question.text, question.min, question.max) == (
        "INTEGER",
        "Votes for Alma",
        0,
        10000,
    )
    assert AuditEvent.objects.filter(mission=mission, action="candidate.create").count() == 2


def test_a_candidate_is_added_before_the_counting_form_is_translated(mission, coordinator):
    """The mission requires Arabic and a coordinator's counting question has none: adding a
    candidate (a revision the code makes) still works; saving the form by hand would not."""
    checklist = Checklist.objects.get(mission=mission, stage="COUNTING", is_current=True)
    checklist.questions.filter(code="C01").update(text_i18n={})
    mission.languages, mission.required_languages = ["en", "ar"], ["ar"]
    mission.save(update_fields=["languages", "required_languages"])

    candidate_create(
        mission=mission, actor=coordinator, code="A", name="Alma", position=1, now=timezone.now()
    )

    assert "PVT_A" in counting_codes(mission)[1]


def test_a_counting_form_with_visits_gets_a_new_version(mission, coordinator, station):
    first = Checklist.objects.get(mission=mission, stage="COUNTING")
    VisitFactory(station=station, stage="COUNTING")

    candidate_create(
        mission=mission, actor=coordinator, code="A", name="Alma", position=1, now=timezone.now()
    )

    version, codes = counting_codes(mission)
    assert version == 2 and "PVT_A" in codes
    first.refresh_from_db()
    assert not first.is_current
    assert "PVT_A" not in [q.code for q in first.questions.all()]


def test_renaming_and_removing_follow_on_the_form(mission, coordinator):
    now = timezone.now()
    alma = candidate_create(
        mission=mission, actor=coordinator, code="A", name="Alma", position=1, now=now
    )
    bolat = candidate_create(
        mission=mission, actor=coordinator, code="B", name="Bolat", position=2, now=now
    )

    candidate_update(candidate=alma, actor=coordinator, name="Alma K.", position=3, now=now)
    _version, codes = counting_codes(mission)
    assert codes[-4:] == ["PVT_B", "PVT_A", "PVT_INVALID", "PVT_BALLOTS"]
    candidate_delete(candidate=bolat, actor=coordinator, now=now)
    candidate_delete(candidate=alma, actor=coordinator, now=now)

    _version, codes = counting_codes(mission)
    assert not [c for c in codes if c.startswith("PVT_")]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("INVALID", "INVALID is kept for the quick count"),
        ("1ABC", "starting with a letter"),
        ("ABCDEFGHIJKLM", "at most 12 characters"),
    ],
)
def test_bad_codes_are_refused(client, coordinator, mission, code, message):
    client.force_login(coordinator)

    response = client.post(
        url(mission), {"action": "add", "code": code, "name": "X", "position": "1"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Candidate.objects.filter(mission=mission).exists()
    _version, codes = counting_codes(mission)
    assert "PVT_INVALID" not in codes


def test_a_code_used_twice_is_refused(client, coordinator, mission):
    client.force_login(coordinator)
    client.post(url(mission), {"action": "add", "code": "A", "name": "Alma", "position": "1"})

    response = client.post(
        url(mission), {"action": "add", "code": "a", "name": "Other", "position": "2"}
    )

    assert response.status_code == 400
    assert Candidate.objects.filter(mission=mission).count() == 1


def test_the_coordinator_manages_candidates_in_the_browser(client, coordinator, mission):
    client.force_login(coordinator)

    added = client.post(
        url(mission), {"action": "add", "code": "a", "name": "<i>Alma</i>", "position": "1"}
    )
    candidate = Candidate.objects.get(mission=mission)
    renamed = client.post(
        url(mission),
        {"action": "update", "candidate": candidate.pk, "name": "Alma", "position": "2"},
    )
    page = client.get(url(mission)).content.decode()
    removed = client.post(url(mission), {"action": "delete", "candidate": candidate.pk})

    assert added.status_code == renamed.status_code == removed.status_code == 302
    assert candidate.code == "A"
    assert 'value="Alma"' in page
    assert not Candidate.objects.filter(mission=mission).exists()


def test_the_page_escapes_names(client, coordinator, mission):
    Candidate.objects.create(mission=mission, code="A", name="<script>x</script>", position=1)
    client.force_login(coordinator)

    page = client.get(url(mission)).content.decode()

    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_another_missions_candidate_cannot_be_touched(client, coordinator, mission, other_mission):
    foreign = Candidate.objects.create(mission=other_mission, code="A", name="A", position=1)
    client.force_login(coordinator)

    response = client.post(url(mission), {"action": "delete", "candidate": foreign.pk})

    assert response.status_code == 404
    assert Candidate.objects.filter(pk=foreign.pk).exists()


def test_an_analyst_reads_the_candidates_but_cannot_change_them(client, analyst, mission):
    Candidate.objects.create(mission=mission, code="KA", name="Kairat <b>Aliev</b>", position=1)
    client.force_login(analyst)

    page = client.get(url(mission))
    response = client.post(url(mission), {"action": "add", "code": "B", "name": "B", "position": 2})

    assert page.status_code == 200
    assert "Kairat &lt;b&gt;Aliev&lt;/b&gt;" in page.content.decode()
    assert 'name="action"' not in page.content.decode()
    assert response.status_code == 403
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize(
    "persona",
    NOT_STAFF,
)
def test_only_coordinators_manage_candidates(client, request, mission, persona):
    user = persona_user(request, persona)
    client.force_login(user)

    assert client.get(url(mission)).status_code == 404
    response = client.post(url(mission), {"action": "add", "code": "A", "name": "A", "position": 1})
    assert response.status_code == 404
    assert not Candidate.objects.exists()


def test_anonymous_users_log_in_first(client, mission):
    response = client.get(url(mission))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
