"""Cells: each parser returns a clean value or raises BadValue naming the value and the fix."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from common.parsing import yes_no

MAX_INT = 2_147_483_647

# Besides yes and no (common.parsing.yes_no): the ``urban`` column's own words.
TRUE_WORDS = {"urban", "город", "қала"}
FALSE_WORDS = {"rural", "село", "ауыл"}
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
INTEGER = re.compile(r"^[+-]?\d+$")


class BadValue(Exception):
    """One cell is wrong; the message names the value and says what was expected."""


def _text(value, *, max_length: int, required: bool = True) -> str:
    # An XLSX cell holding the code 1001 arrives as the number 1001.0.
    text = _plain_text(value) if value is not None else ""
    if required and not text:
        raise BadValue(_("This column must not be empty."))
    if len(text) > max_length:
        raise BadValue(
            _("Too long: at most %(max)s characters, this has %(length)s.")
            % {"max": max_length, "length": len(text)}
        )
    return text


def _count(value) -> int:
    """A count of voters: a whole number, zero or more. ``12 345`` is read as 12345."""
    if isinstance(value, bool):
        raise BadValue(_("Expected a whole number, got %(value)s.") % {"value": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(_("Expected a whole number, got %(value)s.") % {"value": value})
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = SPACES.sub("", str(value))
        if not text:
            raise BadValue(_("This column must not be empty."))
        if not INTEGER.match(text):
            raise BadValue(
                _('Expected a whole number, got "%(value)s".') % {"value": str(value)[:50]}
            )
        number = int(text)
    if number < 0:
        raise BadValue(_("Cannot be negative (got %(value)s).") % {"value": number})
    if number > MAX_INT:
        raise BadValue(_("Too large (got %(value)s).") % {"value": number})
    return number


def _coordinate(value, *, limit: int) -> Decimal | None:
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(_("Expected a number such as 43.238949."))
    text = str(value).strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 43,238949 from a semicolon-separated file
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(
            _('Expected a number such as 43.238949, got "%(value)s".') % {"value": text[:50]}
        ) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise BadValue(
            _("Must be between -%(limit)s and %(limit)s (got %(value)s).")
            % {"limit": limit, "value": text[:50]}
        )
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _boolean(value, *, empty):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text == "":
        return empty
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    answer = yes_no(text)
    if answer is not None:
        return answer
    raise BadValue(
        _('Expected yes or no (or true/false, 1/0), got "%(value)s".') % {"value": str(value)[:50]}
    )


class _RowErrors:
    """Collects ``{"row", "field", "message"}`` for one file."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append({"row": row, "field": column, "message": message})

    def parse(self, row: int, column: str, parser, *args, **kwargs):
        try:
            return parser(*args, **kwargs), True
        except BadValue as exc:
            self.add(row, column, str(exc))
            return None, False


def _same_ref(current_id, planned) -> bool:
    """Whether a foreign key holding ``current_id`` already points at ``planned``."""
    if planned is None:
        return current_id is None
    return planned.pk is not None and planned.pk == current_id


def _plain_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value
