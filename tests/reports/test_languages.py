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
                "2 наблюдателя из 1 государства и 1 организации посетили 2 из 2 ",
                "Наблюдаемая явка на 11:00: 26,7%",
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
                "1 мемлекеттен және 1 ұйымнан келген 2 байқаушы",
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
