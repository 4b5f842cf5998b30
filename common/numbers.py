"""Every number the mission publishes is rounded here, once, and written here.

The press found one briefing saying "6.7-13.1%" in a table and "6.6-13.1%" in the sentence
above it: the table rounded the aggregate row's 6.65 (itself 6.6497 rounded to two decimals)
a second time, the sentence rounded 6.6497 once. So:

- ``figure_round(value, kind=...)`` rounds a figure once, half up, from the exact value. Give
  it the exact value: a ``Fraction`` of counts (``share_exact(k, n)``), a Wilson bound as a
  float straight from ``wilson_interval``, a count. Never a figure that was rounded before.
  Its result is what charts plot, CSV files carry and the API answers.
- ``figure_text(value, kind=...)`` is that same rounded figure written for people in the
  active language (``6.6%``; ``6,6 %`` in Russian and French; ``6.6–13.1%``; ``1,234``,
  ``1 234``; ``21:00``): Django's number formats (``config/formats`` for Kazakh, Arabic
  and Chinese) and the percent sign placed as CLDR places it (``PERCENT``).

Pages, sentences, tables, charts, CSV and PDF all go through these two functions, so a figure
reads the same everywhere. ``kind`` is one of:

- ``"share"``: a percentage, one decimal (``value`` in percent, or a ``Fraction`` in percent);
- ``"interval"``: a pair ``(low, high)`` of percentages, one decimal each;
- ``"count"``: a whole number, with the language's thousands separator;
- ``"time"``: an aware datetime as the wall-clock time ``HH:MM`` in ``timezone``;
- ``"datetime"``: an aware datetime as date and ``HH:MM`` in ``timezone``, with the zone's name
  (``common.clock.clock_text``, the one way every time is written).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from django.utils import formats, translation

from common.clock import clock_text

Kind = Literal["share", "interval", "count", "time", "datetime"]
SHARE_DECIMALS = 1
_SHARE_QUANTUM = Decimal(1).scaleb(-SHARE_DECIMALS)  # 0.1
DASH = "\u2013"  # en dash between the ends of an interval
# How each language writes a percentage after its number (CLDR's percent patterns): a
# no-break space in Russian and Spanish, a narrow one in French ("94,1 %"), none in English,
# Kazakh, Arabic (Western digits) and Chinese ("94.1%").
PERCENT = {"ru": "\xa0%", "es": "\xa0%", "fr": "\u202f%"}


# Left-to-right isolate: in a right-to-left language an interval "4.1–9.5%" would otherwise be
# laid out as "9.5%–4.1" (the en dash does not join two numbers as a comma does).
LRI, PDI = "\u2066", "\u2069"


def percent_sign() -> str:
    """The percent sign as the active language writes it after a number."""
    language = (translation.get_language() or "en").lower().split("-")[0]
    return PERCENT.get(language, "%")


def share_exact(part, whole) -> Fraction | None:
    """``100 * part / whole`` as an exact fraction (None when ``whole`` is 0 or missing)."""
    if not whole or part is None:
        return None
    return Fraction(int(part) * 100, int(whole))


def _decimal(value) -> Decimal:
    if isinstance(value, Fraction):
        # Enough digits that rounding the quotient to one decimal is rounding the fraction.
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))  # the float as printed, not its binary expansion
    return Decimal(value)


def _share(value) -> Decimal | None:
    if value is None:
        return None
    return _decimal(value).quantize(_SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def _moment(value, timezone) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    zone = zoneinfo.ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or dt.UTC)
    return value.astimezone(zone) if zone else value


def figure_round(value, *, kind: Kind, timezone=None):
    """The published figure: rounded once, half up, from the exact ``value``.

    ``share`` -> ``Decimal`` with one decimal; ``interval`` -> a pair of them; ``count`` ->
    ``int``; ``time``/``datetime`` -> the aware datetime in ``timezone``, to the minute.
    None stays None (a figure nobody reported).
    """
    if kind == "share":
        return _share(value)
    if kind == "interval":
        if value is None:
            return None
        low, high = value
        return (_share(low), _share(high))
    if kind == "count":
        return None if value is None else int(value)
    if kind in ("time", "datetime"):
        moment = _moment(value, timezone)
        return moment.replace(second=0, microsecond=0) if moment else None
    raise ValueError(f"unknown kind {kind!r}")


def _number(value: Decimal | int, decimals: int | None) -> str:
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def figure_text(value, *, kind: Kind, timezone=None, missing: str = DASH) -> str:
    """The published figure as people read it, in the active language (``missing`` if None)."""
    rounded = figure_round(value, kind=kind, timezone=timezone)
    if rounded is None or (kind == "interval" and None in rounded):
        return missing
    if kind == "share":
        return f"{_number(rounded, SHARE_DECIMALS)}{percent_sign()}"
    if kind == "interval":
        low, high = rounded
        text = f"{_number(low, SHARE_DECIMALS)}{DASH}{_number(high, SHARE_DECIMALS)}"
        text += percent_sign()
        return f"{LRI}{text}{PDI}" if translation.get_language_bidi() else text
    if kind == "count":
        return _number(rounded, None)
    if kind == "time":
        return rounded.strftime("%H:%M")
    # datetime: written like every time people read (common.clock), on the mission's clock
    # and naming its zone: "2022-11-20 21:00 (Asia/Almaty)".
    return clock_text(rounded, rounded.tzinfo, date=True)


def figure_plain(value, *, kind: Kind, timezone=None):
    """The published figure for machines (CSV, JSON, chart data): a float with one decimal
    for shares (``6.6``), a pair of them for intervals, an int for counts, ISO 8601 for
    times; None stays None. The same rounding as ``figure_text``."""
    rounded = figure_round(value, kind=kind, timezone=timezone)
    if rounded is None:
        return None
    if kind == "share":
        return float(rounded)
    if kind == "interval":
        return tuple(None if v is None else float(v) for v in rounded)
    if kind in ("time", "datetime"):
        return rounded.isoformat()
    return rounded
