"""GET /api/v1/missions/{id}/checklists/: the forms observers fill, in their language."""

import pytest

from observation.models import Checklist, Question

pytestmark = pytest.mark.django_db


def url(mission):
    return f"/api/v1/missions/{mission.pk}/checklists/"


def test_an_observer_gets_the_current_checklist_of_every_stage(api, observer, mission):
    response = api.as_user(observer.user).get(url(mission))

    assert response.status_code == 200
    results = response.json()["results"]
    stages = ["OPENING", "VOTING", "CLOSING", "COUNTING", "TABULATION"]
    assert [c["stage"] for c in results] == stages
    assert all(c["version"] == 1 for c in results)


def test_questions_carry_everything_a_form_needs(api, observer, mission):
    response = api.as_user(observer.user).get(url(mission))

    voting = next(c for c in response.json()["results"] if c["stage"] == "VOTING")
    by_code = {q["code"]: q for q in voting["questions"]}
    assert [q["code"] for q in voting["questions"]][:3] == ["V01", "V02", "V03"]
    assert by_code["V01"]["text"] == "Were unauthorised persons present?"
    assert by_code["V01"]["type"] == "YES_NO"
    assert by_code["V01"]["required"] is True
    assert by_code["V01"]["show_if"] is None
    assert by_code["V02"]["type"] == "MULTI_CHOICE"
    assert "POLICE" in by_code["V02"]["choices"]
    assert by_code["V02"]["show_if"] == {"question": "V01", "equals": True}
    assert (by_code["V10"]["min"], by_code["V10"]["max"]) == (1, 5000)
    # A mission that has not named its languages gets its defaults in every site language.
    assert set(by_code["V01"]["text_i18n"]) == {"ru", "kk", "ar", "fr", "es", "zh-hans"}
    assert by_code["V07"]["choices"] == ["NONE", "QUEUE", "OVERCROWDED"]
    assert by_code["V07"]["choice_labels"][0] == {
        "value": "NONE",
        "label": "Not crowded",
        "language": "en",
    }


@pytest.mark.parametrize(
    "language, expected",
    [
        ("ru", "Присутствовали ли посторонние лица?"),
        ("ru-RU,ru;q=0.9", "Присутствовали ли посторонние лица?"),
        ("en", "Were unauthorised persons present?"),
    ],
)
def test_question_text_comes_in_the_requests_language(api, observer, mission, language, expected):
    Question.objects.filter(checklist__mission=mission, code="V01").update(
        text_i18n={"ru": "Присутствовали ли посторонние лица?", "kk": "Бөгде адамдар болды ма?"}
    )

    response = api.as_user(observer.user).get(url(mission), HTTP_ACCEPT_LANGUAGE=language)

    voting = next(c for c in response.json()["results"] if c["stage"] == "VOTING")
    assert voting["questions"][0]["text"] == expected


def test_kazakh_is_served_when_asked_for(api, observer, mission):
    response = api.as_user(observer.user).get(url(mission), HTTP_ACCEPT_LANGUAGE="kk")

    opening = response.json()["results"][0]
    assert opening["questions"][0]["text"] == "Барлық қажетті сайлау материалдары болды ма?"


def test_an_untranslated_question_falls_back_to_english(api, observer, mission):
    Question.objects.filter(checklist__mission=mission, code="V01").update(text_i18n={"kk": "X"})

    response = api.as_user(observer.user).get(url(mission), HTTP_ACCEPT_LANGUAGE="ru")

    voting = next(c for c in response.json()["results"] if c["stage"] == "VOTING")
    assert voting["questions"][0]["text"] == "Were unauthorised persons present?"


@pytest.fixture
def voting_v2(mission):
    """A second version of the VOTING checklist; version 1 stays for the visits that used it."""
    Checklist.objects.filter(mission=mission, stage="VOTING").update(is_current=False)
    v2 = Checklist.objects.create(mission=mission, stage="VOTING", version=2)
    Question.objects.create(checklist=v2, code="V01", text="New question", type="YES_NO")
    return v2


def test_only_current_versions_by_default(api, coordinator, mission, voting_v2):
    response = api.as_user(coordinator).get(url(mission))

    voting = [c for c in response.json()["results"] if c["stage"] == "VOTING"]
    assert [(c["version"], c["questions"][0]["text"]) for c in voting] == [(2, "New question")]


def test_all_versions_on_request(api, coordinator, mission, voting_v2):
    response = api.as_user(coordinator).get(url(mission), {"all": "1"})

    voting = [c for c in response.json()["results"] if c["stage"] == "VOTING"]
    assert [(c["version"], c["is_current"]) for c in voting] == [(1, False), (2, True)]
    assert len(response.json()["results"]) == 6


def test_one_version_on_request(api, coordinator, mission, voting_v2):
    response = api.as_user(coordinator).get(url(mission), {"version": "1"})

    results = response.json()["results"]
    assert len(results) == 5
    voting = next(c for c in results if c["stage"] == "VOTING")
    assert voting["is_current"] is False


def test_a_bad_version_is_a_400(api, coordinator, mission):
    response = api.as_user(coordinator).get(url(mission), {"version": "latest"})

    assert response.status_code == 400
    assert "version" in response.json()


def test_the_stage_filter(api, coordinator, mission):
    response = api.as_user(coordinator).get(url(mission), {"stage": "COUNTING"})

    assert [c["stage"] for c in response.json()["results"]] == ["COUNTING"]


@pytest.mark.parametrize("persona", ["coordinator", "analyst", "other_team_observer"])
def test_the_missions_staff_and_observers_read_checklists(api, persona, request, mission):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)

    assert api.as_user(user).get(url(mission)).status_code == 200


@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
def test_everyone_else_gets_a_404(api, persona, request, mission):
    user = request.getfixturevalue(persona)

    assert api.as_user(user).get(url(mission)).status_code == 404


def test_without_credentials_it_is_a_401(api, mission):
    assert api.get(url(mission)).status_code == 401


def test_the_list_is_a_fixed_number_of_queries(
    api, observer, mission, voting_v2, django_assert_max_num_queries
):
    client = api.as_user(observer.user)

    # token, roles, mission, count, checklists, questions, and the request's savepoint pair
    with django_assert_max_num_queries(8):
        response = client.get(url(mission), {"all": "1"})

    assert len(response.json()["results"]) == 6
