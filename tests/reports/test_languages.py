"""Each main page in Russian and Kazakh: the observer's pages, the coordinator's dashboard,
review queue and visit page, and the press briefing, chosen by Accept-Language or the
language cookie."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from observation.models import Visit
from reports.briefings.services import briefing_publish

pytestmark = pytest.mark.django_db


def get(user, url, *, language=None, cookie=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ["Мои участки", "Мои посещения", "Выйти", "Ожидают отправки:"]),
        ("kk", ["Менің учаскелерім", "Менің сапарларым", "Шығу", "Жіберуді күтуде:"]),
        ("en", ["My stations", "My visits", "Log out", "Waiting to be sent:"]),
    ],
)
def test_the_observers_stations_page_in_each_language(observer, language, expected):
    html = get(observer.user, f"/observe/{observer.mission_id}/", language=language)

    assert f'<html lang="{language}" dir="ltr">' in html
    for text in expected:
        assert text in html


@pytest.mark.parametrize(
    ("cookie", "expected", "absent"),
    [
        (
            "ru",
            ["Избирательный участок", "Добавить замечание", "Сохранить и отправить"],
            "Save and send",
        ),
        ("kk", ["Сайлау учаскесі", "Ескерту қосу", "Сақтау және жіберу"], "Save and send"),
    ],
)
def test_the_visit_form_follows_the_language_cookie(observer, cookie, expected, absent):
    html = get(
        observer.user, f"/observe/{observer.mission_id}/visit/", language="en", cookie=cookie
    )

    for text in expected:
        assert text in html
    assert absent not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ["Фильтры", "Критические и серьёзные замечания", "Явка по территориям"]),
        (
            "kk",
            [
                "Сүзгілер",
                "Аса маңызды және елеулі ескертулер",
                "Аумақтар бойынша сайлаушылардың келуі",
            ],
        ),
    ],
)
def test_the_dashboard_in_each_language(coordinator, reported, language, expected):
    html = get(coordinator, f"/missions/{reported.pk}/dashboard/", language=language)

    for text in expected:
        assert text in html
    assert "Critical and serious findings" not in html


@pytest.mark.parametrize(
    ("language", "title", "verify"),
    [("ru", "Очередь проверки", "Подтвердить"), ("kk", "Тексеру кезегі", "Растау")],
)
def test_the_review_queue_and_visit_page_in_each_language(
    coordinator, reported, language, title, verify
):
    visit = Visit.objects.filter(mission=reported).order_by("id").first()

    queue = get(coordinator, f"/missions/{reported.pk}/review/", language=language)
    page = get(coordinator, f"/missions/{reported.pk}/visits/{visit.pk}/", language=language)

    assert title in queue
    assert verify in page
    assert "Audit trail" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Ключевые цифры",
                "Как наблюдатели оценили процесс",
                "В наблюдении участвовали 2 наблюдателя. Они представляли 1 государство.",
                "Наблюдаемая явка на 11:00: 26,7\xa0%",  # Russian puts a space before %
                "Нарушение при подсчёте",
                "400 из 1\xa0500 зарегистрированных",  # numbers and dates in Russian style
                "2026 г.",
            ],
        ),
        (
            "kk",
            [
                "Негізгі көрсеткіштер",
                "Байқаушылар үдерісті қалай бағалады",
                "Байқауға 2 байқаушы қатысты. Олар 1 мемлекеттен келді.",
                "кезіндегі сайлаушылардың байқалған келуі: 26,7%",
                "Санау кезіндегі бұзушылық",
                "1\xa0500 тіркелген сайлаушының 400",  # Kazakh number and date formats
                "2026 ж.",
            ],
        ),
    ],
)
def test_the_briefing_page_in_each_language(coordinator, press, reported, language, expected):
    briefing = briefing_publish(
        mission=reported, user=coordinator, now=timezone.now(), title="Statement"
    )

    html = get(press, f"/briefings/{briefing.pk}/", language=language)
    listing = get(press, "/briefings/", language=language)

    for text in expected:
        assert text in html
    assert "Key figures" not in html
    assert ("Брифинги" if language == "ru" else "Брифингтер") in listing


# --- content, not only labels (issue 19) ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentence", "status"),
    [
        (
            "ru",
            "Голосование было оценено как плохое или очень плохое на 50,0\xa0% наблюдавшихся "
            "избирательных участков (95% интервал 9,5–90,5\xa0%; 1 из 2 форм с оценкой).",
            "Отправлено",
        ),
        (
            "ar",
            "قُيّم التصويت بأنه سيئ أو سيئ جدًا في 50.0% من مراكز الاقتراع التي رُوقبت",
            "مرسلة",
        ),
        (
            "fr",
            "Le vote a reçu l’évaluation « mauvais » ou « très mauvais » dans 50,0\u202f% des "
            "bureaux de vote observés",
            "Soumise",
        ),
    ],
)
def test_the_statement_speaks_one_language_in_whole_sentences(
    coordinator, reported, language, sentence, status
):
    html = get(coordinator, f"/missions/{reported.pk}/statement/", language=language)

    assert sentence in html
    assert f"> {status}</label>" in html  # the status filter by its name, not SUBMITTED
    for english in ("polling stations observed", "was assessed", "“Yes”", ">SUBMITTED<"):
        assert english not in html
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html


def test_the_statement_quotes_questions_in_the_readers_language(coordinator, reported):
    Visit.objects.filter(mission=reported, stage="VOTING").update(answers={"V01": False})

    html = get(coordinator, f"/missions/{reported.pk}/statement/", language="ru")

    assert "«Присутствовали ли посторонние лица?»: «да» на " in html
    assert "Were unauthorised persons present?" not in html


def test_the_statement_marks_a_question_it_shows_in_english(coordinator, reported):
    from observation.models import Question

    Question.objects.filter(checklist__mission=reported, code="V03").update(text_i18n={})

    html = get(coordinator, f"/missions/{reported.pk}/statement/", language="kk")

    row = html.split("<code>V03</code>")[1].split("</tr>")[0]
    assert '<span lang="en">Was the secrecy of the vote ensured?</span>' in row
    assert 'class="fallback-lang"' in row


@pytest.mark.parametrize(
    ("language", "question", "answer", "crowd"),
    [
        ("ru", "Обеспечивалась ли тайна голосования?", ">Да<", "Немноголюдно"),
        ("ar", "هل كانت سرية الاقتراع مكفولة؟", ">نعم<", "غير مزدحم"),
    ],
)
def test_the_visit_page_shows_questions_and_answers_in_the_readers_language(
    coordinator, reported, language, question, answer, crowd
):
    from tests.observation.factories import VOTING_ANSWERS

    visit = Visit.objects.filter(mission=reported, stage="VOTING").order_by("id").first()
    visit.answers = {**VOTING_ANSWERS, "V03": True, "V07": "NONE"}
    visit.save(update_fields=["answers"])

    html = get(coordinator, f"/missions/{reported.pk}/visits/{visit.pk}/", language=language)

    v03 = html.split('data-question="V03"')[1].split("</tr>")[0]
    v07 = html.split('data-question="V07"')[1].split("</tr>")[0]
    assert question in v03 and answer in v03
    assert crowd in v07 and "NONE" not in v07
    assert "True" not in v03
