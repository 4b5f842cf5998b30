"""Plural forms for page scripts (common/plurals.py, read by static/js/plural.js)."""

import gettext
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext, to_locale

from common.plurals import SPAN, script_plural


def read(table: dict, n: int) -> str:
    """The form plural.js picks for ``n`` (its reading of the table, in Python)."""
    key = n if n < SPAN else SPAN // 2 + n % 100
    return table["forms"][int(table["index"][key])]


def station_count(n: int) -> str:
    return ngettext("%(count)s station", "%(count)s stations", n)


def test_russian_counts_take_their_three_forms():
    with translation.override("ru"):
        table = script_plural(station_count)

        texts = {n: read(table, n) % {"count": n} for n in (1, 2, 5, 11, 21, 22, 25, 111, 1001)}

    assert texts == {
        1: "1 участок",
        2: "2 участка",
        5: "5 участков",
        11: "11 участков",
        21: "21 участок",
        22: "22 участка",
        25: "25 участков",
        111: "111 участков",
        1001: "1001 участок",
    }


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_the_table_gives_every_count_the_form_ngettext_gives_it(code):
    with translation.override(code):
        table = script_plural(station_count)

        wrong = [n for n in range(10_000) if read(table, n) != station_count(n)]

    assert wrong == []


def _catalogs(code: str) -> list[Path]:
    """The project's catalog of a language and Django's: each has its own plural rule."""
    where = Path("LC_MESSAGES") / "django.mo"
    roots = [Path(settings.BASE_DIR) / "locale", Path(django.__file__).parent / "conf" / "locale"]
    return [path for root in roots if (path := root / to_locale(code) / where).exists()]


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_every_plural_rule_of_the_sites_languages_reads_large_counts_by_their_last_two_digits(
    code,
):
    rules = [gettext.GNUTranslations(path.open("rb")).plural for path in _catalogs(code)]

    wrong = [
        (n, rule(n))
        for rule in rules
        for n in range(SPAN, 100_000)
        if rule(n) != rule(SPAN // 2 + n % 100)
    ]

    assert rules
    assert wrong == []
