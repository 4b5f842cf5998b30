"""The interface languages: the message catalogs are complete for the pages observers,
coordinators and the press use, the compiled catalogs match their sources, and the login
page follows Accept-Language, the language cookie and the switcher."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
LOCALE = BASE / "locale"
TEMPLATES = BASE / "templates"
MAKEFILE = (BASE / "Makefile").read_text()
# Every catalog: the languages of settings.LANGUAGES but English, by locale folder name.
TRANSLATED = ["ru", "kk", "ar", "fr", "es", "zh_Hans"]

# The pages whose every string must be translated; their includes and parents are followed.
COMPLETE_PAGES = [
    "registration/login.html",
    "registration/locked_out.html",
    "observation/observe_index.html",
    "observation/observe_device.html",
    "observation/observe_stations.html",
    "observation/observe_visit.html",
    "observation/observe_visits.html",
    "reports/dashboard.html",
    "reports/review.html",
    "reports/visit.html",
    "reports/station.html",
    "reports/area.html",
    "reports/briefing.html",
    "reports/briefing_list.html",
]


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields: dict[str, list[str]] = {}
        flags: set[str] = set()
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key].append(line)
            else:
                key, value = line.split(" ", 1)
                fields[key] = [value]
        if "msgid" not in fields:
            continue
        strs = sorted(k for k in fields if k.startswith("msgstr"))
        entries.append(
            {
                "msgctxt": _unquote(fields["msgctxt"]) if "msgctxt" in fields else None,
                "msgid": _unquote(fields["msgid"]),
                "msgid_plural": _unquote(fields["msgid_plural"])
                if "msgid_plural" in fields
                else None,
                "msgstr": [_unquote(fields[k]) for k in strs],
                "fuzzy": "fuzzy" in flags,
            }
        )
    return entries


def template_with_includes(name: str, seen: set[str]) -> None:
    if name in seen:
        return
    seen.add(name)
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    for other in re.findall(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']", source):
        template_with_includes(other, seen)


GETTEXT_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)")


def template_msgids(name: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked for translation in a template."""
    found = set()
    for function, arguments in GETTEXT_CALL.findall(templatize((TEMPLATES / name).read_text())):
        strings = ast.literal_eval(f"({arguments.rstrip(', ')},)")
        context = strings[0] if function.startswith(("pgettext", "npgettext")) else None
        msgid = strings[1] if context is not None else strings[0]
        found.add((context, msgid))
    return found


@pytest.fixture(scope="module")
def catalogs():
    return {
        language: {
            (entry["msgctxt"], entry["msgid"]): entry
            for entry in read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
        }
        for language in TRANSLATED
    }


def test_the_pages_templates_are_found_with_their_includes():
    names: set[str] = set()
    for page in COMPLETE_PAGES:
        template_with_includes(page, names)

    assert {"base.html", "observation/observe_base.html", "reports/_feed.html"} <= names
    assert ("", "Log in") not in template_msgids("registration/login.html")
    assert (None, "Log in") in template_msgids("registration/login.html")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_main_pages_is_translated(catalogs, language):
    names: set[str] = set()
    for page in COMPLETE_PAGES:
        template_with_includes(page, names)
    msgids = set().union(*(template_msgids(name) for name in names))
    catalog = catalogs[language]

    missing = sorted(
        msgid
        for context, msgid in msgids
        if (context, msgid) not in catalog
        or catalog[(context, msgid)]["fuzzy"]
        or not all(catalog[(context, msgid)]["msgstr"])
    )

    assert len(msgids) > 150
    assert missing == [], f"not translated into {language}: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_its_source(language):
    """The committed .mo is what msgfmt makes of the .po (run `make messages` after editing)."""
    folder = LOCALE / language / "LC_MESSAGES"
    entries = read_po(folder / "django.po")
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog

    expected = {}
    for entry in entries:
        if entry["fuzzy"] or not entry["msgid"] or not all(entry["msgstr"]):
            continue
        key = (
            entry["msgid"]
            if entry["msgctxt"] is None
            else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        if entry["msgid_plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            for n, text in enumerate(entry["msgstr"]):
                expected[(key, n)] = text
    actual = {key: text for key, text in catalog.items() if key != ""}

    assert len(expected) > 300
    assert actual == expected


@pytest.mark.parametrize(
    ("language", "title", "field"),
    [
        ("ru", "<h1>Войти</h1>", "Имя пользователя"),
        ("kk", "<h1>Кіру</h1>", "Пайдаланушы аты"),
        ("en", "<h1>Log in</h1>", "Username"),
    ],
)
def test_the_login_page_follows_accept_language(db, client, language, title, field):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="ltr">' in html
    assert title in html
    assert field in html


def test_the_language_cookie_wins_over_accept_language(db, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"

    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Құпиясөз" in html
    assert "Пароль" not in html


def test_the_switcher_sets_the_language_for_the_next_pages(db, client):
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": "/accounts/login/"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Имя пользователя и пароль" not in html  # no error shown on a fresh page
    assert "<h1>Войти</h1>" in html
    assert 'value="ru" class="link current"' in html
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_every_language_of_the_site_has_a_catalog():
    """A language added to settings.LANGUAGES gets a catalog (and `make messages` its -l)."""
    assert sorted(TRANSLATED) == sorted(
        to_locale(code) for code, _name in settings.LANGUAGES if code != "en"
    )
    assert set(TRANSLATED) == set(re.search(r"LOCALES := (.*)", MAKEFILE).group(1).split())


@pytest.mark.parametrize(
    ("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("zh-hans", "ltr")]
)
def test_arabic_pages_are_right_to_left(db, client, language, direction):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'<html lang="{language}" dir="{direction}">' in html


def test_an_unknown_language_falls_back_to_english(db, client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "<h1>Log in</h1>" in html


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_message_in_the_catalog_is_left_untranslated_or_fuzzy(catalogs, language):
    untranslated = sorted(
        entry["msgid"]
        for key, entry in catalogs[language].items()
        if entry["msgid"] and (entry["fuzzy"] or not all(entry["msgstr"]))
    )

    assert len(catalogs[language]) > 700
    assert untranslated == []
