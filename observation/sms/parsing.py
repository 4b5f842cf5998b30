"""The coded SMS report (API.md, "SMS reports") read into the body ``POST /api/v1/visits/``
takes, so that ``visit_submit`` alone decides what is stored: there is no second set of rules.

A message is ``<KEYWORD> <STATION_CODE> <CODE>=<VALUE> ...``, case-insensitive, tokens
separated by spaces (``V01 = Y`` is read as ``V01=Y``). This module only translates SMS
spelling into the API's values:

- YES_NO ``Y``/``YES``/``1`` -> true, ``N``/``NO``/``0`` -> false; INTEGER digits (a leading
  minus kept, so the API refuses a negative count); CHOICE a value or its 1-based position;
  MULTI_CHOICE such values joined by ``+``; TEXT the value as written.
- Reserved codes: ``T`` -> ``voters_so_far``, ``A`` -> ``assessment`` (1 very good .. 4 very
  bad), ``F=<n><M|S|C>`` -> a finding (the n-th category of ``FindingCategory``, the severity's
  initial); ``F`` may repeat.

A value it cannot translate is passed on as written (``V01=maybe`` -> ``"maybe"``), and the
API refuses it as of the wrong type. A token it cannot read at all (``V01`` without a value,
a code given twice) is passed on as ``UNREADABLE``, an object no question, count or
assessment accepts, so the API refuses it too; ``Reading.problem`` keeps why, for the reply.
"""

import re
from dataclasses import dataclass, field

from ..models import Assessment, FindingCategory, QuestionType, Severity

RESERVED_VOTERS, RESERVED_ASSESSMENT, RESERVED_FINDING = "T", "A", "F"
RESERVED = (RESERVED_VOTERS, RESERVED_ASSESSMENT, RESERVED_FINDING)
YES_WORDS = ("Y", "YES", "1")
NO_WORDS = ("N", "NO", "0")
# A = 1..4, in this order.
ASSESSMENTS = (Assessment.VERY_GOOD, Assessment.GOOD, Assessment.BAD, Assessment.VERY_BAD)
# F = <n><initial>: the categories in API.md's order, the severities by their initial.
CATEGORIES = tuple(FindingCategory.values)
SEVERITIES = {severity[0]: severity for severity in Severity.values}
FINDING = re.compile(r"^(\d{1,3})([A-Z])$")
INTEGER = re.compile(r"^-?\d{1,18}$")

# What an unreadable token is sent as: an object, which no answer type, count, assessment
# or finding accepts. Never stored: the API refuses it.
UNREADABLE = {"sms": "unreadable"}

NO_VALUE, NO_CODE, TWICE = "no_value", "no_code", "twice"


@dataclass(frozen=True)
class Pair:
    """One ``CODE=VALUE`` token: ``code`` upper-cased, ``value`` as written."""

    position: int
    token: str
    code: str
    value: str
    has_equals: bool


@dataclass
class SmsTokens:
    keyword: str | None = None
    station: str | None = None
    pairs: list[Pair] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """Where one pair went in the payload: ``field`` (``answers``, ``voters_so_far``,
    ``assessment``, ``findings``) and ``key`` (the question code, the finding's index), and
    ``problem`` when the token could not be read (``no_value``, ``no_code``, ``twice``)."""

    pair: Pair
    field: str
    key: str | int | None
    problem: str | None = None


def _words(text: str) -> list[str]:
    """The message's words, with ``V01 = Y``, ``V01 =Y`` and ``V01= Y`` glued into ``V01=Y``
    when neither side already holds an ``=`` (``A= F=2C`` stays two words)."""
    words: list[str] = []
    for word in (text or "").split():
        previous = words[-1] if words else None
        if word.startswith("=") and previous and "=" not in previous:
            words[-1] = previous + word
        elif (
            previous
            and previous.endswith("=")
            and previous.count("=") == 1
            and ("=" not in word and not previous.startswith("="))
        ):
            words[-1] = previous + word
        else:
            words.append(word)
    return words


def sms_tokenise(text: str) -> SmsTokens:
    """Split a message into its keyword, station code and ``CODE=VALUE`` pairs."""
    words = _words(text)
    tokens = SmsTokens()
    rest = words
    if rest and "=" not in rest[0]:
        tokens.keyword, rest = rest[0], rest[1:]
        if rest and "=" not in rest[0]:
            tokens.station, rest = rest[0], rest[1:]
    for position, word in enumerate(rest):
        code, equals, value = word.partition("=")
        tokens.pairs.append(
            Pair(
                position=position,
                token=word,
                code=code.upper(),
                value=value,
                has_equals=bool(equals),
            )
        )
    return tokens


def _choice(value: str, choices: list[str]):
    """A CHOICE value from its spelling or its 1-based position; as written if neither."""
    by_upper = {choice.upper(): choice for choice in choices}
    if value.upper() in by_upper:
        return by_upper[value.upper()]
    if value.isdigit() and 1 <= int(value) <= len(choices):
        return choices[int(value) - 1]
    return value


def answer_value(question: dict, value: str):
    """The API's value for one answer written ``value`` in an SMS."""
    qtype = question["type"]
    if qtype == QuestionType.YES_NO:
        word = value.upper()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        return value
    if qtype == QuestionType.INTEGER:
        return int(value) if INTEGER.match(value) else value
    if qtype == QuestionType.CHOICE:
        return _choice(value, question["choices"])
    if qtype == QuestionType.MULTI_CHOICE:
        return [_choice(part, question["choices"]) for part in value.split("+")]
    return value  # TEXT


def _voters(value: str):
    return int(value) if INTEGER.match(value) else value


def _assessment(value: str):
    if value.isdigit() and 1 <= int(value) <= len(ASSESSMENTS):
        return ASSESSMENTS[int(value) - 1].value
    return value


def _finding(value: str) -> dict:
    match = FINDING.match(value.upper())
    if not match:
        return {"category": value, "severity": None, "description": ""}
    number, initial = int(match.group(1)), match.group(2)
    category = CATEGORIES[number - 1] if 1 <= number <= len(CATEGORIES) else str(number)
    return {"category": category, "severity": SEVERITIES.get(initial, initial), "description": ""}


def payload_build(
    *,
    tokens: SmsTokens,
    schema: dict | None,
    station_code: str | None,
    arrived_at: str,
    client_uuid: str,
) -> tuple[dict, list[Reading]]:
    """The visit API's body for a tokenised message, and where each pair went.

    ``schema`` is the checklist the keyword names (``checklist_schema``), None when it names
    none (the body then has no ``checklist`` and the API refuses it); ``station_code`` is the
    station's code as stored, or as written when no station has it.
    """
    payload: dict = {"client_uuid": client_uuid, "arrived_at": arrived_at}
    if schema is not None:
        payload["checklist"] = schema["id"]
    if station_code is not None:
        payload["station_code"] = station_code
    questions = {q["code"].upper(): q for q in (schema or {}).get("questions", [])}
    answers: dict = {}
    findings: list[dict] = []
    readings: list[Reading] = []
    seen: set[str] = set()
    for pair in tokens.pairs:
        if not pair.code:
            key = pair.token
            answers[key] = UNREADABLE
            readings.append(Reading(pair, "answers", key, NO_CODE))
            continue
        if pair.code == RESERVED_FINDING:
            reading_key = len(findings)
            if not pair.value:
                findings.append(dict(UNREADABLE))
                readings.append(Reading(pair, "findings", reading_key, NO_VALUE))
            else:
                findings.append(_finding(pair.value))
                readings.append(Reading(pair, "findings", reading_key))
            continue
        if pair.code == RESERVED_VOTERS:
            target, key, convert = "voters_so_far", None, _voters
        elif pair.code == RESERVED_ASSESSMENT:
            target, key, convert = "assessment", None, _assessment
        else:
            question = questions.get(pair.code)
            key = question["code"] if question else pair.code
            target = "answers"

            def convert(value, question=question):
                return answer_value(question, value) if question else value

        problem = None
        if pair.code in seen:
            problem = TWICE
        elif not pair.value:
            problem = NO_VALUE
        seen.add(pair.code)
        value = UNREADABLE if problem else convert(pair.value)
        if target == "answers":
            answers[key] = value
        else:
            payload[target] = value
        readings.append(Reading(pair, target, key, problem))
    payload["answers"] = answers
    if findings:
        payload["findings"] = findings
    return payload, readings
