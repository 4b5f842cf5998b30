"""The checklist editor: versioning, validation, the pages, and who may use them."""

import datetime as dt
import uuid

import pytest

from missions.models import AuditEvent
from observation.checklists import ChecklistInvalid, checklist_revise, question_spec
from observation.checklists.forms import choices_to_text, condition_value_to_text
from observation.checklists.schema import checklist_schema
from observation.models import Checklist, Visit

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 11, 1, 12, 0, tzinfo=dt.UTC)
ALMATY = dt.timezone(dt.timedelta(hours=6))


@pytest.fixture
def voting(mission):
    return Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)


def specs(checklist):
    return [question_spec(q) for q in checklist.questions.order_by("position", "id")]


def q(code, type_="YES_NO", **extra):
    return {"code": code, "text": f"Question {code}?", "type": type_, **extra}


def visit_on(checklist, observer, station):
    return Visit.objects.create(
        mission=checklist.mission,
        station=station,
        team=observer.team,
        observer=observer,
        checklist=checklist,
        stage=checklist.stage,
        arrived_at=dt.datetime(2022, 11, 20, 10, tzinfo=ALMATY),
        answers={"V01": False},
        client_uuid=uuid.uuid4(),
    )


def revise(checklist, coordinator, questions):
    return checklist_revise(checklist=checklist, actor=coordinator, questions=questions, now=NOW)


def error_fields(raised) -> list[tuple[int | None, str]]:
    return [(e.index, e.field) for e in raised.value.errors]


# --- Versioning ---------------------------------------------------------------------------


def test_a_checklist_without_visits_is_edited_in_place(voting, coordinator):
    questions = specs(voting)
    questions[0]["text"] = "Were unauthorised persons inside the station?"

    revised = revise(voting, coordinator, questions)

    assert revised.pk == voting.pk and revised.version == 1
    assert Checklist.objects.filter(mission=voting.mission, stage="VOTING").count() == 1
    assert specs(revised)[0]["text"] == "Were unauthorised persons inside the station?"


def test_a_checklist_with_visits_gets_a_new_version_and_visits_keep_theirs(
    voting, coordinator, observer, station
):
    visit = visit_on(voting, observer, station)
    old_questions = specs(voting)
    questions = [*old_questions, q("V99", text="Was the ballot box moved?")]

    revised = revise(voting, coordinator, questions)

    voting.refresh_from_db()
    visit.refresh_from_db()
    assert revised.pk != voting.pk
    assert (revised.version, revised.is_current) == (2, True)
    assert voting.is_current is False
    assert visit.checklist_id == voting.pk, "the visit keeps the version it answered"
    assert specs(voting) == old_questions, "the old version is untouched"
    assert [s["code"] for s in specs(revised)][-1] == "V99"
    current = Checklist.objects.get(mission=voting.mission, stage="VOTING", is_current=True)
    assert current == revised


def test_the_new_version_is_edited_in_place_until_it_has_visits(
    voting, coordinator, observer, station
):
    visit_on(voting, observer, station)
    v2 = revise(voting, coordinator, specs(voting)[:-1])

    v2_again = revise(v2, coordinator, specs(v2)[:-1])
    visit_on(v2, observer, station)
    v3 = revise(v2, coordinator, specs(v2)[:-1])

    assert v2_again.pk == v2.pk
    assert v3.version == 3 and v3.is_current
    assert Checklist.objects.filter(mission=voting.mission, stage="VOTING").count() == 3


def test_unchanged_questions_make_no_version_and_no_audit(voting, coordinator, observer, station):
    visit_on(voting, observer, station)

    revised = revise(voting, coordinator, specs(voting))

    assert revised.pk == voting.pk
    assert not AuditEvent.objects.filter(action="checklist.revise").exists()


def test_a_revision_is_audited_with_before_and_after(voting, coordinator):
    questions = specs(voting)[:3]

    revised = revise(voting, coordinator, questions)

    event = AuditEvent.objects.get(action="checklist.revise")
    assert event.actor == coordinator and event.mission == voting.mission
    assert event.object_id == str(revised.pk) and event.at == NOW
    assert len(event.before["questions"]) > 3
    assert [x["code"] for x in event.after["questions"]] == [x["code"] for x in questions]


def test_an_old_version_cannot_be_revised(voting, coordinator, observer, station):
    visit_on(voting, observer, station)
    revise(voting, coordinator, specs(voting)[:-1])
    voting.refresh_from_db()

    with pytest.raises(ChecklistInvalid) as raised:
        revise(voting, coordinator, specs(voting)[:-2])

    assert "no longer the current version" in raised.value.errors[0].message


def test_an_in_place_edit_drops_the_cached_schema_after_commit(
    voting, coordinator, django_capture_on_commit_callbacks
):
    assert len(checklist_schema(voting.pk)["questions"]) > 2  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        revise(voting, coordinator, specs(voting)[:2])

    assert [q["code"] for q in checklist_schema(voting.pk)["questions"]] == ["V01", "V02"]


def test_reordering_keeps_the_new_order(voting, coordinator):
    questions = specs(voting)
    assert [x["code"] for x in questions[2:4]] == ["V03", "V04"]
    moved = [*questions[:2], questions[3], questions[2], *questions[4:]]

    revised = revise(voting, coordinator, moved)

    assert [x["code"] for x in specs(revised)][:4] == ["V01", "V02", "V04", "V03"]


# --- Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        ([], [(None, "questions")]),
        ([q("A1"), q("A1")], [(1, "code")]),
        ([q("A1"), q("a1")], [(1, "code")]),
        ([q("")], [(0, "code")]),
        ([q("1A")], [(0, "code")]),
        ([q("A" * 17)], [(0, "code")]),
        ([{"code": "A1", "text": "", "type": "YES_NO"}], [(0, "text")]),
        ([q("A1", type_="DATE")], [(0, "type")]),
        ([q("A1", type_="CHOICE")], [(0, "choices")]),
        ([q("A1", type_="CHOICE", choices=["ONLY"])], [(0, "choices")]),
        ([q("A1", type_="MULTI_CHOICE", choices=["X", "X", "Y"])], [(0, "choices")]),
        ([q("A1", choices=["X", "Y"])], [(0, "choices")]),
        ([q("A1", type_="INTEGER", min=10, max=5)], [(0, "max")]),
        ([q("A1", min=0)], [(0, "min")]),
        ([q("A1", type_="INTEGER", min="3")], [(0, "min")]),
        ([q("A1", show_if={"question": "A2", "equals": True}), q("A2")], [(0, "show_if")]),
        ([q("A1", show_if={"question": "A1", "equals": True})], [(0, "show_if")]),
        ([q("A1"), q("A2", show_if={"question": "ZZ", "equals": True})], [(1, "show_if")]),
        ([q("A1"), q("A2", show_if={"question": "A1", "equals": "yes"})], [(1, "show_if")]),
        ([q("A1"), q("A2", show_if={"question": "A1"})], [(1, "show_if")]),
        (
            [q("N", type_="INTEGER"), q("A2", show_if={"question": "N", "equals": True})],
            [(1, "show_if")],
        ),
        (
            [q("N", type_="INTEGER", max=5), q("A2", show_if={"question": "N", "equals": 6})],
            [(1, "show_if")],
        ),
        (
            [
                q("C", type_="CHOICE", choices=["X", "Y"]),
                q("A2", show_if={"question": "C", "equals": "Z"}),
            ],
            [(1, "show_if")],
        ),
        ([q("A1"), q("A1", show_if={"question": "A1", "equals": True})], [(1, "code")]),
    ],
)
def test_invalid_questions_are_refused_with_the_field_to_fix(
    voting, coordinator, questions, expected
):
    before = specs(voting)

    with pytest.raises(ChecklistInvalid) as raised:
        revise(voting, coordinator, questions)

    assert error_fields(raised) == expected
    assert specs(voting) == before, "nothing changes"
    assert not AuditEvent.objects.exists()


def test_error_messages_say_what_to_fix(voting, coordinator):
    questions = [
        q("A1"),
        q("A1"),
        q("B", type_="INTEGER", min=9, max=2),
        q("C", show_if={"question": "D", "equals": True}),
        q("D", type_="CHOICE", choices=["X", "Y"]),
        q("E", show_if={"question": "D", "equals": "Z"}),
        q("F", type_="INTEGER", max="10"),
    ]

    with pytest.raises(ChecklistInvalid) as raised:
        revise(voting, coordinator, questions)

    messages = [e.message for e in raised.value.errors]
    assert "The maximum must be a whole number." in messages
    assert "The code A1 is already used by question 1." in messages
    assert "The minimum (9) is above the maximum (2)." in messages
    assert "C can only depend on an earlier question of this checklist; D is not one." in messages
    assert "The condition on D must be one of its choices (X, Y)." in messages
    assert "Question 2: The code A1 is already used by question 1." in raised.value.messages


def test_valid_conditions_of_every_kind_are_accepted(voting, coordinator):
    questions = [
        q("YN"),
        q("N", type_="INTEGER", min=0, max=10),
        q("C", type_="CHOICE", choices=["X", {"value": "Y", "label": "Why", "label_i18n": {}}]),
        q("M", type_="MULTI_CHOICE", choices=["P", "Q"]),
        q("T", type_="TEXT"),
        q("A", show_if={"question": "YN", "equals": False}),
        q("B", show_if={"question": "N", "equals": 0}),
        q("D", show_if={"question": "C", "equals": "Y"}),
        q("E", show_if={"question": "M", "equals": "Q"}),
        q("F", show_if={"question": "T", "equals": "other"}),
    ]

    revised = revise(voting, coordinator, questions)

    stored = specs(revised)
    assert [s["code"] for s in stored] == ["YN", "N", "C", "M", "T", "A", "B", "D", "E", "F"]
    assert stored[6]["show_if"] == {"question": "N", "equals": 0}
    assert stored[2]["choices"][1] == {"value": "Y", "label": "Why", "label_i18n": {}}


def test_a_condition_on_a_several_choices_question_needs_one_of_its_choices(voting, coordinator):
    questions = [
        q("M", type_="MULTI_CHOICE", choices=["P", "Q"]),
        q("E", show_if={"question": "M", "equals": ["P"]}),
    ]

    with pytest.raises(ChecklistInvalid) as raised:
        revise(voting, coordinator, questions)

    assert error_fields(raised) == [(1, "show_if")]


def test_translations_are_kept_for_known_languages_only(voting, coordinator):
    with pytest.raises(ChecklistInvalid) as raised:
        revise(voting, coordinator, [q("A1", text_i18n={"de": "Frage?"})])
    assert error_fields(raised) == [(0, "text_i18n")]

    revised = revise(voting, coordinator, [q("A1", text_i18n={"ru": "Вопрос?", "kk": ""})])

    assert specs(revised)[0]["text_i18n"] == {"ru": "Вопрос?"}


# --- The pages ----------------------------------------------------------------------------


def form_data(questions, *, initial=None):
    """The editor's POST for these question specs, in this order."""
    data = {
        "q-TOTAL_FORMS": str(len(questions)),
        "q-INITIAL_FORMS": str(initial if initial is not None else len(questions)),
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "200",
    }
    for index, spec in enumerate(questions):
        show_if = spec.get("show_if") or {}
        row = {
            "code": spec["code"],
            "text": spec["text"],
            "text_ru": (spec.get("text_i18n") or {}).get("ru", ""),
            "text_kk": (spec.get("text_i18n") or {}).get("kk", ""),
            "type": spec["type"],
            "choices": choices_to_text(spec.get("choices") or []),
            "min": "" if spec.get("min") is None else spec["min"],
            "max": "" if spec.get("max") is None else spec["max"],
            "show_if_question": show_if.get("question", ""),
            "show_if_equals": condition_value_to_text(show_if.get("equals")),
            "ORDER": str(index + 1),
        }
        if spec.get("required"):
            row["required"] = "on"
        if spec.get("DELETE"):
            row["DELETE"] = "on"
        data.update({f"q-{index}-{key}": value for key, value in row.items()})
    return data


def edit_url(checklist):
    return f"/missions/{checklist.mission_id}/checklists/{checklist.pk}/edit/"


def test_the_list_shows_every_stage_with_versions_and_visit_counts(
    client, coordinator, voting, observer, station
):
    visit_on(voting, observer, station)
    client.force_login(coordinator)

    response = client.get(f"/missions/{voting.mission_id}/checklists/")

    body = response.content.decode()
    assert response.status_code == 200
    for stage in ("Opening", "Voting", "Closing", "Counting", "Tabulation"):
        assert stage in body
    row = body.split(f'data-checklist="{voting.pk}"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row, "one visit answered it"
    assert edit_url(voting) in body


def test_analysts_read_the_checklists_without_edit_buttons(client, analyst, voting):
    client.force_login(analyst)

    listing = client.get(f"/missions/{voting.mission_id}/checklists/")
    detail = client.get(f"/missions/{voting.mission_id}/checklists/{voting.pk}/")
    edit = client.get(edit_url(voting))

    assert listing.status_code == 200 and detail.status_code == 200
    assert "/edit/" not in listing.content.decode() + detail.content.decode()
    assert "Was the secrecy of the vote ensured?" in detail.content.decode()
    assert edit.status_code == 403  # analysts see the checklist, so: not allowed, not missing


def test_the_detail_page_shows_questions_in_the_users_language_with_conditions(
    client, analyst, voting
):
    client.force_login(analyst)

    body = client.get(
        f"/missions/{voting.mission_id}/checklists/{voting.pk}/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    assert "Обеспечивалась ли тайна голосования?" in body
    assert "если V01 = yes" in body


def test_the_editor_shows_every_question_with_its_fields(client, coordinator, voting):
    client.force_login(coordinator)

    response = client.get(edit_url(voting))

    body = response.content.decode()
    assert response.status_code == 200
    count = voting.questions.count()
    assert f'name="q-TOTAL_FORMS" value="{count + 1}"' in body
    assert 'name="q-0-code" value="V01"' in body
    assert "POLICE | Police | ru=Полиция | kk=Полиция | ar=الشرطة" in body
    assert 'name="q-1-show_if_question" value="V01"' in body
    assert 'name="q-1-show_if_equals" value="yes"' in body
    assert "Какую организацию они представляли?" in body
    assert "/static/js/checklist_edit.js" in body
    assert "it is changed in place" in body


def test_saving_the_editor_reorders_removes_and_adds_questions(client, coordinator, voting):
    questions = specs(voting)
    questions[3]["DELETE"] = True
    questions.append(q("V99", text="Was the ballot box moved?", required=True))
    data = form_data(questions, initial=len(questions) - 1)
    data["q-0-ORDER"], data["q-2-ORDER"] = "3", "1"
    data["q-1-ORDER"] = "4"  # V02 must stay after V01, its condition
    data["q-3-ORDER"] = "2"
    client.force_login(coordinator)

    response = client.post(edit_url(voting), data)

    assert response.status_code == 302
    codes = [s["code"] for s in specs(voting)]
    assert codes[:3] == [questions[2]["code"], questions[0]["code"], questions[1]["code"]]
    assert questions[3]["code"] not in codes
    assert codes[-1] == "V99"
    added = voting.questions.get(code="V99")
    assert added.required is True and added.text == "Was the ballot box moved?"


def test_saving_a_checklist_with_visits_makes_a_new_version(
    client, coordinator, voting, observer, station
):
    visit = visit_on(voting, observer, station)
    questions = specs(voting)
    questions[0]["text_i18n"] = {**questions[0]["text_i18n"], "kk": "Жаңа мәтін"}
    client.force_login(coordinator)

    response = client.post(edit_url(voting), form_data(questions), follow=True)

    new = Checklist.objects.get(mission=voting.mission, stage="VOTING", is_current=True)
    assert new.version == 2
    assert response.redirect_chain[-1][0] == f"/missions/{voting.mission_id}/checklists/{new.pk}/"
    assert "Saved as version 2. Visits already made keep version 1." in response.content.decode()
    visit.refresh_from_db()
    assert visit.checklist_id == voting.pk
    assert new.questions.get(code="V01").text_i18n["kk"] == "Жаңа мәтін"
    assert voting.questions.get(code="V01").text_i18n.get("kk") != "Жаңа мәтін"


def test_choices_bounds_and_conditions_round_trip_through_the_form(client, coordinator, voting):
    questions = [
        q("N", type_="INTEGER", min=0, max=99),
        q(
            "C",
            type_="CHOICE",
            choices=[{"value": "X", "label": "Ex", "label_i18n": {"ru": "Икс"}}, "Y"],
        ),
        q("A", show_if={"question": "C", "equals": "X"}),
        q("B", show_if={"question": "N", "equals": 3}),
        q("D", type_="TEXT", show_if={"question": "A", "equals": False}),
    ]
    client.force_login(coordinator)

    response = client.post(edit_url(voting), form_data(questions, initial=0))

    assert response.status_code == 302
    stored = specs(voting)
    assert stored[0]["min"] == 0 and stored[0]["max"] == 99
    assert stored[1]["choices"] == [
        {"value": "X", "label": "Ex", "label_i18n": {"ru": "Икс"}},
        "Y",
    ]
    assert stored[3]["show_if"] == {"question": "N", "equals": 3}
    assert stored[4]["show_if"] == {"question": "A", "equals": False}


def test_a_type_change_drops_stale_choices_and_bounds(client, coordinator, voting):
    questions = [q("A", choices=["X", "Y"], min=1, max=2)]
    client.force_login(coordinator)

    response = client.post(edit_url(voting), form_data(questions, initial=0))

    assert response.status_code == 302
    assert specs(voting)[0]["choices"] == [] and specs(voting)[0]["min"] is None


def test_errors_are_shown_next_to_the_question_and_nothing_is_saved(client, coordinator, voting):
    before = specs(voting)
    questions = specs(voting)
    questions[0]["DELETE"] = True  # V02 still depends on V01
    client.force_login(coordinator)

    response = client.post(edit_url(voting), form_data(questions))

    body = response.content.decode()
    assert response.status_code == 400
    assert "V02 can only depend on an earlier question of this checklist; V01 is not one." in body
    row = body.split('name="q-1-code"')[1].split("</li>")[0]
    assert "V01 is not one." in row, "the message sits in V02's row"
    assert specs(voting) == before


def test_form_errors_are_shown_without_calling_the_service(client, coordinator, voting):
    questions = specs(voting)
    data = form_data(questions)
    data["q-2-min"] = "many"
    client.force_login(coordinator)

    response = client.post(edit_url(voting), data)

    assert response.status_code == 400
    assert "Enter a whole number." in response.content.decode()


def test_the_editor_escapes_question_texts(client, coordinator, voting):
    voting.questions.filter(code="V01").update(text='"><script>alert(1)</script>')
    client.force_login(coordinator)

    body = client.get(edit_url(voting)).content.decode()

    assert "<script>alert(1)</script>" not in body


def test_an_old_version_sends_the_editor_to_its_read_only_page(
    client, coordinator, voting, observer, station
):
    visit_on(voting, observer, station)
    revise(voting, coordinator, specs(voting)[:-1])
    client.force_login(coordinator)

    response = client.get(edit_url(voting))

    assert response.status_code == 302
    assert response["Location"] == f"/missions/{voting.mission_id}/checklists/{voting.pk}/"


# --- Who may see and edit ------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["press", "outsider", "other_mission_coordinator", "other_team_observer"]
)
def test_everyone_else_gets_404_on_every_checklist_page(client, voting, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    before = specs(voting)

    responses = [
        client.get(f"/missions/{voting.mission_id}/checklists/"),
        client.get(f"/missions/{voting.mission_id}/checklists/{voting.pk}/"),
        client.get(edit_url(voting)),
        client.post(edit_url(voting), form_data(specs(voting)[:1])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert specs(voting) == before


def test_an_analyst_cannot_post_to_the_editor(client, analyst, voting):
    client.force_login(analyst)

    response = client.post(edit_url(voting), form_data(specs(voting)[:1]))

    assert response.status_code == 403
    assert voting.questions.count() > 1


def test_anonymous_users_are_sent_to_log_in(client, voting):
    response = client.get(edit_url(voting))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_missions_checklist_is_404_through_this_mission(
    client, coordinator, mission, other_mission
):
    foreign = Checklist.objects.get(mission=other_mission, stage="VOTING")
    client.force_login(coordinator)

    detail = client.get(f"/missions/{mission.pk}/checklists/{foreign.pk}/")
    edit = client.get(f"/missions/{mission.pk}/checklists/{foreign.pk}/edit/")

    assert (detail.status_code, edit.status_code) == (404, 404)
