"""The catalogs keep to locale/GLOSSARY.md: every translated message whose English text holds a
glossary term (a whole word, plural allowed) holds one of that term's accepted forms in each
language, so "polling station" is the same words on every page of a language."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.test_i18n import read_po

LOCALE = Path(settings.BASE_DIR) / "locale"
GLOSSARY = LOCALE / "GLOSSARY.md"
# Every interface language, and every catalog there is (a catalog for a language not yet offered).
LANGUAGES = sorted(
    {to_locale(code) for code, _name in settings.LANGUAGES if code != "en"}
    | {path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
)


def table_rows(lines: list[str]) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return [row for row in rows if row and not set(row[0]) <= {"-"} and row[0] != "English"]


def sections() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].split(" ")[0]
            found[current] = []
        elif current and line.startswith("|"):
            found[current].append(line)
    return found


def terms() -> list[str]:
    return [row[0] for row in table_rows(sections()["Terms"])]


def glossary(language: str) -> dict[str, tuple[str, list[str]]]:
    """{English term: (the term, its accepted forms)} of a language's section."""
    return {
        row[0]: (row[1], [form.strip().lower() for form in row[2].split(",") if form.strip()])
        for row in table_rows(sections().get(language, []))
    }


def term_pattern(term: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(term)}(?:s|es)?\b", re.IGNORECASE)


# What a message holds that is not its words: placeholders (filled with words translated on
# their own) and codes in capitals (OPENING stays OPENING in every language).
NOT_WORDS = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}|\b[A-Z][A-Z0-9_]+\b")


def terms_in(text: str, english_terms: list[str]) -> set[str]:
    """The terms a text holds; a term inside a longer one ("ballot" in "ballot box") counts once."""
    text = NOT_WORDS.sub(" ", text)
    spans = []
    for term in sorted(english_terms, key=len, reverse=True):
        for match in term_pattern(term).finditer(text):
            if not any(start <= match.start() and match.end() <= end for _t, start, end in spans):
                spans.append((term, match.start(), match.end()))
    return {term for term, _start, _end in spans}


def test_the_longer_term_wins():
    assert terms_in("Were the ballot boxes sealed?", ["ballot", "ballot box"]) == {"ballot box"}
    assert terms_in("Ballots issued", ["ballot", "ballot box"]) == {"ballot"}
    assert terms_in("Revisited", ["visit"]) == set()


def test_placeholders_and_codes_are_not_words():
    terms = ["observer", "opening", "region"]
    assert terms_in("%(observers)s in %(regions)s at {region}", terms) == set()
    assert terms_in('Give the times as {"OPENING": "08:00"}.', terms) == set()
    assert terms_in("The observer's Opening visit", terms) == {"observer", "opening"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_glossary_names_every_term_in_every_language(language):
    entries = glossary(language)

    assert list(entries) == terms()
    incomplete = [english for english, (term, forms) in entries.items() if not term or not forms]
    assert incomplete == [], f"{language}: no term or accepted forms for {incomplete}"
    unaccepted = [
        english
        for english, (term, forms) in entries.items()
        if not any(form in term.lower() for form in forms)
    ]
    assert unaccepted == [], f"{language}: the term itself is not among its forms: {unaccepted}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_keeps_to_the_glossary(language):
    entries = glossary(language)
    english_terms = terms()
    departures = []
    for entry in read_po(LOCALE / language / "LC_MESSAGES" / "django.po"):
        if not entry["msgid"] or entry["fuzzy"] or not all(entry["msgstr"]):
            continue
        english = entry["msgid"] + " " + (entry["msgid_plural"] or "")
        for term in terms_in(english, english_terms):
            forms = entries[term][1]
            if not all(any(form in text.lower() for form in forms) for text in entry["msgstr"]):
                departures.append(f"{term!r}: {entry['msgid']!r} -> {entry['msgstr'][0]!r}")

    assert departures == [], f"{language} departs from the glossary:\n" + "\n".join(departures)
