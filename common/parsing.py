"""The one way to read a whole number, a day, a time or a JSON body that a client sent.

Every view, form, serializer and service that turns client text into a number or a date
calls these, so they all refuse the same things, and a refusal is a 400, never a 500:

- digits that are not ASCII. ``"²".isdigit()`` is true and ``int("²")`` raises (a 500 where a
  check used ``isdigit``); ``int("١")`` (Arabic-Indic one) is 1, so ``"١"`` was accepted as 1.
- years outside ``YEARS``. ``9999-12-31T23:00:00-05:00`` overflows when it is turned into UTC,
  ``0001-01-01T01:00:00+06:00`` too, and ``?day=9999-12-31`` has no next day to end on.
- a yes or a no in a language the site does not speak. ``yes_no`` reads the site's languages'
  own words for them from the catalogs ("да", "иә", "oui", "sí", "نعم", "是"), so the words a
  coordinator may type follow ``settings.LANGUAGES`` and their translations, not a list here.
- JSON nested deeper than ``JSON_MAX_DEPTH``. ``[[[[...]]]]`` 100,000 deep makes Python's
  parser raise RecursionError (a 500, even on the anonymous token endpoint); shallower but
  still absurd nesting would make whoever walks the value later recurse as deep.

Each function returns None for text it cannot read; callers say what they expected.
"""

import datetime as dt
import json
import re
import unicodedata
from functools import cache

from django.conf import settings
from django.utils import translation
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Optional sign, 1 to 18 ASCII digits: fits a bigint, and ``[0-9]`` is ASCII whatever the flags.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Elections of this world: the first and last year a day or time may name.
YEARS = (1900, 2199)
JSON_MAX_DEPTH = 64
# Yes and no in every language: numbers, English (also when the site speaks no English) and
# marks. Each language's own words come from its catalog (``yes_no``).
_YES = frozenset({"1", "true", "yes", "y", "t", "x"})
_NO = frozenset({"0", "false", "no", "n", "f"})


def whole_number(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An int from an int (not a bool) or from text of ASCII digits with an optional sign
    (surrounding spaces allowed); None for anything else or outside ``minimum..maximum``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def object_id(value) -> int | None:
    """A primary key from a URL, a query string or a form: a positive whole number."""
    return whole_number(value, minimum=1, maximum=2**63 - 1)


def yes_no(value) -> bool | None:
    """True for a yes, False for a no (``"1"``, ``"true"``, ``"x"``, or "Yes" and "No" as the
    catalog of any language in ``settings.LANGUAGES`` writes them, in any case and with or
    without accents, "si" for "Sí"; surrounding spaces allowed), None for anything else."""
    yes, no = _yes_no_words(tuple(settings.LANGUAGES))
    word = _plain_word(str(value))
    if word in yes:
        return True
    if word in no:
        return False
    return None


@cache
def _yes_no_words(languages: tuple) -> tuple[frozenset, frozenset]:
    yes, no = set(_YES), set(_NO)
    for code, _name in languages:
        with translation.override(code):
            yes.add(_plain_word(translation.gettext("Yes")))
            no.add(_plain_word(translation.gettext("No")))
    both = yes & no  # a word that is yes in one language and no in another means neither
    return frozenset(yes - both), frozenset(no - both)


def _plain_word(text: str) -> str:
    """Trimmed, case-folded, without accents (NFKD without its combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _in_years(year: int) -> bool:
    return YEARS[0] <= year <= YEARS[1]


def day(value) -> dt.date | None:
    """A ``YYYY-MM-DD`` day (ASCII digits, a year in ``YEARS``), or None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value if _in_years(value.year) else None
    if not isinstance(value, str) or not _DAY.fullmatch(value.strip()):
        return None
    try:
        parsed = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if _in_years(parsed.year) else None


def moment(value) -> dt.datetime | None:
    """An ISO 8601 time (``2022-11-20T10:05:00+06:00``, ``...Z``; ASCII only, a year in
    ``YEARS``), or None. Naive when the text has no offset: the caller decides whether that
    is a mistake or a local time."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip().isascii() and 10 <= len(value.strip()) <= 40:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return parsed if _in_years(parsed.year) else None


def moment_outside_years(value) -> bool:
    """Is ``value`` a well-formed ISO 8601 time whose year is outside ``YEARS`` (so that the
    caller can say so, rather than "wrong format")?"""
    if not isinstance(value, str) or not value.strip().isascii():
        return False
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return not _in_years(parsed.year)


def json_depth_ok(value, *, limit: int = JSON_MAX_DEPTH) -> bool:
    """Is ``value`` (parsed JSON) nested at most ``limit`` deep? Walks without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def json_loads(text, *, max_depth: int = JSON_MAX_DEPTH, **kwargs):
    """``json.loads`` that raises ValueError (never RecursionError) on nesting beyond
    ``max_depth``."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError(f"JSON nested more than {max_depth} deep") from None
    if not json_depth_ok(value, limit=max_depth):
        raise ValueError(f"JSON nested more than {max_depth} deep")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through ``json_loads``: too deep a body is a 400 like any bad JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        kwargs = {"parse_constant": parsers.json.strict_constant} if self.strict else {}
        try:
            data = stream.read() if stream is not None else b""
            return json_loads(data.decode(encoding), **kwargs)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(f"JSON parse error - {exc}") from None
