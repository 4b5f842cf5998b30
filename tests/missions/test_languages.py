"""The language a person reads: the switcher keeps it on their account (observers too), every
page of theirs follows it on any device, and the observer import sets it from the first of
an observer's ``languages`` (missions/languages.py)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from missions.imports import observers_import
from missions.languages import language_code, languages_parse, text_in
from missions.models import Observer, Profile
from tests.missions.uploads import OBSERVER_HEADER, csv_upload

pytestmark = pytest.mark.django_db


def switch(client, language, next_url="/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def test_the_switcher_keeps_the_choice_on_the_account_and_other_devices_follow(coordinator):
    laptop, phone = Client(), Client()
    laptop.force_login(coordinator)

    response = switch(laptop, "ar")

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert Profile.objects.get(user=coordinator).language == "ar"
    # Another browser, which asks for English and has no cookie: the account decides.
    phone.force_login(coordinator)
    html = phone.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_an_observers_choice_is_kept_too(observer):
    client = Client()
    client.force_login(observer.user)

    switch(client, "fr", next_url=f"/observe/{observer.mission_id}/")
    html = client.get(f"/observe/{observer.mission_id}/", HTTP_ACCEPT_LANGUAGE="ru").content

    assert Profile.objects.get(user=observer.user).language == "fr"
    assert b'<html lang="fr" dir="ltr">' in html


def test_a_page_of_a_signed_in_user_sets_the_cookie_their_api_calls_carry(observer):
    Profile.objects.create(user=observer.user, language="kk")
    client = Client()
    client.force_login(observer.user)

    response = client.get(f"/observe/{observer.mission_id}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"
    assert '<html lang="kk" dir="ltr">' in response.content.decode()


def test_the_accounts_language_costs_no_query_per_page(coordinator):
    Profile.objects.create(user=coordinator, language="ru")
    client = Client()
    client.force_login(coordinator)  # the session learns the language at login
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()

    assert '<html lang="ru" dir="ltr">' in html
    assert not [q["sql"] for q in queries.captured_queries if "missions_profile" in q["sql"]]


def test_without_an_account_choice_the_cookie_and_accept_language_decide(coordinator):
    client = Client()
    client.force_login(coordinator)

    assert '<html lang="es"' in client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert '<html lang="zh-hans"' in client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_an_unknown_language_changes_nothing(coordinator):
    client = Client()
    client.force_login(coordinator)

    switch(client, "de")

    assert not Profile.objects.filter(user=coordinator).exists()


def test_anonymous_visitors_only_get_the_cookie(db):
    client = Client()

    response = switch(client, "es", next_url="/accounts/login/")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert Profile.objects.count() == 0


def test_the_switcher_lists_every_language_by_its_own_name(coordinator):
    client = Client()
    client.force_login(coordinator)

    html = client.get("/").content.decode()

    for code, name in settings.LANGUAGES:
        assert f'value="{code}"' in html and name in html
    assert 'value="en" class="link current" lang="en" aria-current="true"' in html


# --- the observer import ------------------------------------------------------------------


ROWS = [
    OBSERVER_HEADER + ["languages"],
    ["amina", "Amina Haddad", "OSCE/ODIHR", "JO", "STO", "T1", "ar, en"],
    ["li.wei", "Li Wei", "OSCE/ODIHR", "CN", "STO", "T1", "zh_Hans"],
    ["hans", "Hans Meier", "OSCE/ODIHR", "DE", "STO", "T1", "de, fr"],
    ["nobody", "No Languages", "OSCE/ODIHR", "DE", "STO", "T1", ""],
]


def test_the_import_sets_each_observers_account_language(mission):
    result = observers_import(mission=mission, file=csv_upload(ROWS))

    assert result.errors == []
    languages = dict(Profile.objects.values_list("user__username", "language"))
    # The first the site speaks: Hans speaks German first, which the site does not.
    assert languages == {"amina": "ar", "li.wei": "zh-hans", "hans": "fr"}
    assert Observer.objects.get(user__username="li.wei").languages == "zh-hans"


def test_a_reimport_leaves_an_observers_own_choice_alone_unless_languages_change(mission):
    observers_import(mission=mission, file=csv_upload(ROWS))
    Profile.objects.filter(user__username="amina").update(language="fr")

    observers_import(mission=mission, file=csv_upload(ROWS))
    assert Profile.objects.get(user__username="amina").language == "fr"

    changed = [ROWS[0], [*ROWS[1][:-1], "es, ar"]]
    observers_import(mission=mission, file=csv_upload(changed))
    assert Profile.objects.get(user__username="amina").language == "es"


def test_an_unknown_language_is_a_clear_error_and_imports_nothing(mission):
    rows = [ROWS[0], [*ROWS[1][:-1], "ar, xx-klingon"]]

    result = observers_import(mission=mission, file=csv_upload(rows))

    assert [(e["row"], e["field"]) for e in result.errors] == [(2, "languages")]
    assert "xx-klingon" in result.errors[0]["message"]
    assert not Observer.objects.exists() and not Profile.objects.exists()


@pytest.mark.parametrize(
    ("written", "code"),
    [("RU", "ru"), ("zh_Hans", "zh-hans"), ("zh-CN", "zh-hans"), ("fr-CA", "fr"), ("de", None)],
)
def test_language_codes_as_people_write_them(written, code):
    assert language_code(written) == code


def test_languages_parse_keeps_the_order_and_each_once():
    assert languages_parse("ru; EN ru de") == ["ru", "en", "de"]


def test_a_text_falls_back_to_english_and_says_so():
    translations = {"ru": "Были ли урны опечатаны?"}

    assert text_in("Were the boxes sealed?", translations, "ru").text == "Были ли урны опечатаны?"
    fallback = text_in("Were the boxes sealed?", translations, "ar")
    assert (fallback.text, fallback.language, fallback.fallback) == (
        "Were the boxes sealed?",
        "en",
        True,
    )
