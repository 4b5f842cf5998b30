"""What an observer reads comes in their language: flag reasons (the API keeps its codes),
the visit API's validation messages, the questions and choices of the phone's form with a
visible fall-back to English, and the checklists every mission gets (issue 19)."""

import pytest
from django.conf import settings
from django.test import Client

from missions.models import Profile
from observation.checklists import ChecklistInvalid, checklist_revise, question_spec
from observation.checklists.services import checklists_create_default
from observation.models import Checklist, Question, Visit
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/visits/"


def post(api, user, body, language):
    return api.as_user(user).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Выдано бюллетеней (1\xa0200) больше, чем зарегистрировано избирателей"),
        ("ar", "بطاقات الاقتراع المسلمة (1,200) تتجاوز عدد الناخبين المسجلين"),
        ("fr", "Les bulletins remis (1\xa0200) dépassent le nombre d’électeurs inscrits"),
        ("en", "Ballots issued (1,200) exceed the voters registered"),
    ],
)
def test_a_flag_keeps_its_code_and_speaks_the_readers_language(
    api, observer, visit_body, language, message
):
    response = post(api, observer.user, visit_body(voters_so_far=1200), language)

    flags = response.json()["flags"]
    assert response.status_code == 201
    assert [flag["code"] for flag in flags] == ["VOTERS_ABOVE_REGISTERED"]
    assert flags[0]["message"].startswith(message)


def test_a_stored_flag_is_written_afresh_for_each_reader(api, observer, coordinator, visit_body):
    visit_id = post(api, observer.user, visit_body(voters_so_far=1200), "en").json()["id"]
    Profile.objects.create(user=observer.user, language="kk")
    phone, desk = Client(), Client()
    phone.force_login(observer.user)
    desk.force_login(coordinator)

    mine = phone.get(f"/observe/{observer.mission_id}/visits/").content.decode()
    page = desk.get(
        f"/missions/{observer.mission_id}/visits/{visit_id}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    answer = api.as_user(coordinator).get(f"{URL}{visit_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "Берілген бюллетеньдер (1\xa0200)" in mine
    assert "Las papeletas entregadas (1\xa0200) superan" in page
    assert answer.json()["flags"] == [
        {"code": "VOTERS_ABOVE_REGISTERED", "message": answer.json()["flags"][0]["message"]}
    ]
    assert answer.json()["flags"][0]["message"].startswith("已发出选票（1,200 张）")
    assert Visit.objects.get(pk=visit_id).flags[0]["params"]["voters"] == 1200


@pytest.mark.parametrize(
    ("language", "field", "message"),
    [
        ("ru", "departed_at", "departed_at раньше arrived_at"),
        ("ar", "departed_at", "departed_at قبل arrived_at"),
        ("es", "departed_at", "departed_at es anterior a arrived_at"),
    ],
)
def test_validation_messages_speak_the_readers_language_and_name_the_field_by_key(
    api, observer, visit_body, language, field, message
):
    body = visit_body(departed_at="2022-11-20T09:00:00+06:00")

    response = post(api, observer.user, body, language)

    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)
    assert not Visit.objects.exists()


def test_an_answer_error_names_the_question_by_its_code_in_russian(api, observer, visit_body):
    body = visit_body(answers={**visit_body()["answers"], "V10": 5})  # V09 is "no": V10 hidden

    response = post(api, observer.user, body, "ru")

    assert response.json()["answers"]["V10"] == [
        "V10 задаётся, только если V09 = true (сейчас false); "
        "не отправляйте его или отправьте null."
    ]


# --- the phone's form ------------------------------------------------------------------------


def phone_form(observer, language):
    client = Client()
    client.force_login(observer.user)
    return client.get(
        f"/observe/{observer.mission_id}/visit/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


@pytest.mark.parametrize(
    ("language", "question", "choice"),
    [
        ("ar", "كم عدد أعضاء اللجنة الحاضرين؟", "غير مزدحم"),
        ("zh-hans", "有多少名委员会成员在场？", "不拥挤"),
        ("fr", "Combien de membres de la commission étaient présents ?", "Pas d’affluence"),
    ],
)
def test_the_phone_shows_questions_and_choices_in_the_observers_language(
    observer, language, question, choice
):
    html = phone_form(observer, language)

    assert f'<span lang="{language}">{question}</span>' in html
    assert f'<span lang="{language}">{choice}</span>' in html
    assert "How many commission members were present?" not in html


def test_a_question_without_the_observers_language_falls_back_to_english_visibly(observer):
    checklist = Checklist.objects.get(mission=observer.mission, stage="VOTING")
    Question.objects.filter(checklist=checklist, code="V03").update(text_i18n={"ru": "Тайна?"})

    html = phone_form(observer, "es")

    legend = html.split('data-code="V03"')[1].split("</legend>")[0]
    assert '<span lang="en">Was the secrecy of the vote ensured?</span>' in legend
    assert 'class="fallback-lang" lang="en"' in legend
    assert 'class="fallback-lang"' not in html.split('data-code="V04"')[1].split("</legend>")[0]


def test_the_phone_form_is_right_to_left_in_arabic_with_codes_kept_left_to_right(observer):
    html = phone_form(observer, "ar")

    assert '<html lang="ar" dir="rtl">' in html
    assert '<bdi class="code">V01</bdi>' in html


def test_a_help_text_shows_under_its_question_in_the_observers_language(observer):
    checklist = Checklist.objects.get(mission=observer.mission, stage="VOTING")
    Question.objects.filter(checklist=checklist, code="V01").update(
        help="Police, officials, party agents.", help_i18n={"ru": "Полиция, чиновники."}
    )

    html = phone_form(observer, "ru")

    assert '<p class="hint muted small" lang="ru">Полиция, чиновники.</p>' in html


# --- the checklists a mission gets -------------------------------------------------------------


def test_a_new_mission_gets_its_defaults_in_its_own_languages_from_the_catalogs(db):
    mission = MissionFactory(languages=["en", "fr", "ar"])

    question = Question.objects.get(checklist__mission=mission, code="V07")

    assert question.text == "How crowded was the station?"
    assert question.text_i18n == {
        "fr": "Quelle était l’affluence au bureau ?",
        "ar": "ما مدى ازدحام المركز؟",
    }
    assert question.choices[0] == {
        "value": "NONE",
        "label": "Not crowded",
        "label_i18n": {"fr": "Pas d’affluence", "ar": "غير مزدحم"},
    }


def test_defaults_are_made_in_english_whatever_the_creators_language(db, settings):
    from django.utils import translation

    with translation.override("ru"):
        mission = MissionFactory(languages=["en", "kk"])

    question = Question.objects.get(checklist__mission=mission, code="O03")
    assert question.text == "Were the voter lists present?"
    assert question.text_i18n == {"kk": "Сайлаушылар тізімдері болды ма?"}


# --- required languages ----------------------------------------------------------------------


@pytest.fixture
def voting(mission):
    return Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)


def test_a_checklist_missing_a_required_language_cannot_go_live(mission, voting, coordinator):
    mission.languages, mission.required_languages = ["en", "ru", "ar"], ["ar"]
    mission.save(update_fields=["languages", "required_languages"])
    questions = [question_spec(q) for q in voting.questions.order_by("position")]
    questions.append(
        {"code": "V99", "text": "Was the ballot box moved?", "type": "YES_NO", "text_i18n": {}}
    )

    with pytest.raises(ChecklistInvalid) as raised:
        checklist_revise(checklist=voting, actor=coordinator, questions=questions, now=None)

    assert [(e.index, e.field) for e in raised.value.errors] == [(len(questions) - 1, "text_i18n")]
    assert "Not translated into Arabic" in raised.value.errors[0].message
    assert not Question.objects.filter(code="V99").exists()

    questions[-1]["text_i18n"] = {"ar": "هل نُقل صندوق الاقتراع؟"}
    revised = checklist_revise(checklist=voting, actor=coordinator, questions=questions, now=None)
    assert revised.questions.filter(code="V99").exists()


def test_the_editor_says_what_is_missing_and_warns_about_a_new_question(
    client, mission, voting, coordinator
):
    mission.languages = ["en", "ru", "fr"]
    mission.save(update_fields=["languages"])
    Question.objects.filter(checklist=voting, code="V03").update(text_i18n={"ru": "Тайна?"})
    client.force_login(coordinator)

    detail = client.get(f"/missions/{mission.pk}/checklists/{voting.pk}/").content.decode()
    listing = client.get(f"/missions/{mission.pk}/checklists/").content.decode()

    row = detail.split('data-code="V03"')[1].split("</tr>")[0]
    assert 'data-missing="fr"' in row and "Missing: French" in row
    assert "French: 1 question missing" in listing

    data = {
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "200",
        "q-0-code": "X1",
        "q-0-text": "Was the ballot box moved?",
        "q-0-text_ru": "Переносили ли урну?",
        "q-0-type": "YES_NO",
        "q-0-ORDER": "1",
    }
    response = client.post(
        f"/missions/{mission.pk}/checklists/{voting.pk}/edit/", data, follow=True
    )

    assert "The new question X1 has no translation into French yet." in (response.content.decode())


def test_the_mission_settings_say_which_languages_are_required(api, mission, coordinator):
    url = f"/api/v1/missions/{mission.pk}/"

    bad = api.as_user(coordinator).patch(
        url, {"languages": ["en", "ru"], "required_languages": ["ar"]}, format="json"
    )
    good = api.as_user(coordinator).patch(
        url, {"languages": ["en", "ru", "ar"], "required_languages": ["ar"]}, format="json"
    )

    assert bad.status_code == 400 and "required_languages" in bad.json()
    assert good.status_code == 200 and good.json()["required_languages"] == ["ar"]


def test_the_language_cookie_is_what_the_switcher_sets(db):
    assert settings.LANGUAGE_COOKIE_NAME == "lang"


def test_defaults_creation_keeps_every_site_language_when_the_mission_names_none(db):
    mission = MissionFactory()
    Checklist.objects.filter(mission=mission).delete()

    checklists_create_default(mission=mission)

    question = Question.objects.get(checklist__mission=mission, code="O01")
    assert set(question.text_i18n) == {"ru", "kk", "ar", "fr", "es", "zh-hans"}
