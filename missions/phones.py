"""Phone numbers in E.164 (``+77011234567``), the form observers are matched by when they
report by SMS (API.md, "SMS reports").

The observer import writes numbers as people do: ``8 (701) 123-45-67``, ``+7 701 123 4567``,
``0671234567``. ``phone_normalise`` reads them with Google's libphonenumber (the
``phonenumbers`` package) under the mission country's rules: its trunk prefix (``8`` in
Kazakhstan and Russia, ``0`` in most of Europe), its international prefix (``810``, ``00``)
and its number lengths. A number without ``+`` is read as a national number of the mission's
country; when its digits also begin with that country's calling code (``7701...`` in
Kazakhstan: the ``+`` was left out) both readings are tried, and if they give two different
valid numbers the number is ambiguous. Ambiguous and invalid numbers are refused (an import
error naming the row), never guessed.
"""

import re

import phonenumbers
from django.utils.translation import gettext as _

# What a written phone number may contain besides its digits.
WRITTEN = re.compile(r"^\+?[\d\s\-().\u00a0/]+$")


class PhoneInvalid(ValueError):
    """The number cannot be read as exactly one valid phone number; the message says why."""


def _valid(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalise(raw: str, *, country: str) -> str:
    """``raw`` in E.164, read under the rules of ``country`` (ISO alpha-2); ``""`` for an
    empty cell. Raises PhoneInvalid for a number that is not valid or that reads two ways."""
    text = (raw or "").strip()
    if not text:
        return ""
    if not WRITTEN.match(text):
        raise PhoneInvalid(
            _('"%(value)s" is not a phone number: use digits, spaces, dashes and a leading +.')
            % {"value": text[:50]}
        )
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        readings = {_valid("+" + digits, None)}
    else:
        readings = {_valid(text, country)}
        calling_code = str(phonenumbers.country_code_for_region(country))
        if digits.startswith("00"):
            readings.add(_valid("+" + digits[2:], None))
        elif calling_code != "0" and digits.startswith(calling_code):
            readings.add(_valid("+" + digits, None))
    readings.discard(None)
    if not readings:
        raise PhoneInvalid(
            _(
                '"%(value)s" is not a valid phone number in %(country)s; write it in full '
                "with its country code, such as +77011234567."
            )
            % {"value": text[:50], "country": country}
        )
    if len(readings) > 1:
        raise PhoneInvalid(
            _('"%(value)s" can be read as %(readings)s; write it with + and its country code.')
            % {"value": text[:50], "readings": " / ".join(sorted(readings))}
        )
    return readings.pop()
