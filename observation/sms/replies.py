"""The SMS replies: ``OK <visit id> <station>``, or every problem the visit API found, named
short, in the observer's language, within one SMS segment where possible.

One segment holds 160 characters of the GSM 03.38 alphabet (its extension characters such as
``{`` count twice) or, when any character is outside it (Cyrillic), 70 UTF-16 code units.
A refusal lists as many problems as fit and ends with how many more there are; if not even
the first one fits, it is sent anyway over more segments.

The problems come from ``VisitInvalid.errors`` (the API's 400 body): this module only names
them, using the pairs the parser read (``parsing.Reading``) and the checklist's questions.
"""

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
from django.utils import translation
from django.utils.translation import gettext as _

from ..checklists.schema import question_shown
from ..models import QuestionType
from .parsing import (
    CATEGORIES,
    NO_CODE,
    NO_VALUE,
    RESERVED_ASSESSMENT,
    RESERVED_VOTERS,
    SEVERITIES,
    TWICE,
    Reading,
    SmsTokens,
)

GSM_SEGMENT, UCS2_SEGMENT = 160, 70


def sms_length(text: str) -> tuple[int, int]:
    """``(length, one segment's capacity)`` of ``text`` as a phone counts them."""
    try:
        return len(text.encode("gsm03.38")), GSM_SEGMENT
    except UnicodeEncodeError:
        return len(text.encode("utf-16-le")) // 2, UCS2_SEGMENT


def sms_fits(text: str) -> bool:
    length, capacity = sms_length(text)
    return length <= capacity


def reply_stored(*, visit) -> str:
    return f"OK {visit.pk} {visit.station.code}"


def reply_unknown_sender(*, language: str) -> str:
    with translation.override(language):
        return _("This number is not an observer's phone. Ask your coordinator to add it.")


def _fit(header: str, items: list[str]) -> str:
    """``header`` and as many ``items`` as fit one segment, then "+N more"."""
    for shown in range(len(items), 0, -1):
        text = f"{header} {'; '.join(items[:shown])}"
        if shown < len(items):
            text += " " + _("+%(count)s more") % {"count": len(items) - shown}
        if sms_fits(text) or shown == 1:
            return text
    return header


def sms_value(question: dict | None, value) -> str:
    """An API value as the SMS writes it (show_if conditions on the cheat-sheet and replies)."""
    if value is True:
        return "Y"
    if value is False:
        return "N"
    if question and question["type"] == QuestionType.CHOICE and value in question["choices"]:
        return str(question["choices"].index(value) + 1)
    return str(value)


def answer_hint(question: dict) -> str:
    """What a question accepts, in the SMS's spelling: ``Y/N``, ``0-50``, ``1-3``, ``1-5 +``."""
    qtype = question["type"]
    if qtype == QuestionType.YES_NO:
        return "Y/N"
    if qtype == QuestionType.INTEGER:
        low, high = question["min"], question["max"]
        if low is not None and high is not None:
            return f"{low}-{high}"
        if low is not None:
            return f"{low}+"
        if high is not None:
            return _("at most %(max)s") % {"max": high}
        return _("a number")
    if qtype == QuestionType.CHOICE:
        return f"1-{len(question['choices'])}"
    if qtype == QuestionType.MULTI_CHOICE:
        return f"1-{len(question['choices'])}, 1+2"
    return _("one word")


def condition_text(*, schema: dict, question: dict) -> str:
    """``V01=Y``: when a question with ``show_if`` is asked, in the SMS's spelling."""
    show_if = question["show_if"]
    parent = next((q for q in schema["questions"] if q["code"] == show_if["question"]), None)
    return f"{show_if['question']}={sms_value(parent, show_if['equals'])}"


def _unreadable(reading: Reading) -> str:
    pair = reading.pair
    if reading.problem == TWICE:
        return _("%(code)s twice") % {"code": pair.code}
    if reading.problem == NO_CODE:
        return _("%(token)s: no code") % {"token": pair.token}
    return _("%(code)s: no value") % {"code": pair.code}


def _answer_problem(*, code, reading, schema, payload) -> str:
    questions = {q["code"]: q for q in (schema or {}).get("questions", [])}
    question = questions.get(code)
    if reading is not None and reading.problem in (TWICE, NO_CODE, NO_VALUE):
        return _unreadable(reading)
    if question is None:
        return _("%(code)s unknown") % {"code": reading.pair.code if reading else code}
    if reading is None:
        return _("%(code)s missing") % {"code": code}
    if not question_shown(schema=schema, code=code, answers=payload.get("answers", {})):
        return _("%(code)s only if %(condition)s") % {
            "code": code,
            "condition": condition_text(schema=schema, question=question),
        }
    return f"{reading.pair.token}: {answer_hint(question)}"


def _problems(*, errors, tokens, readings, schema, payload) -> list[str]:
    """One short item per problem, in the order the observer wrote them."""
    by_field: dict[tuple, Reading] = {}
    for reading in readings:
        key = (reading.field, reading.key)
        if key not in by_field or reading.problem:
            by_field[key] = reading
    items: list[tuple[tuple, str]] = []

    def add(order, text):
        items.append((order, text))

    if tokens.keyword is None and not tokens.pairs:
        return [_("empty message")]
    if "checklist" in errors:
        if tokens.keyword is None:
            add((0,), _("no form word"))
        else:
            add((0,), _("form %(word)s unknown") % {"word": tokens.keyword.upper()})
    for name in ("station", "station_code"):
        if name in errors:
            if tokens.station:
                add((1,), _("station %(code)s unknown") % {"code": tokens.station})
            else:
                add((1,), _("no station code"))
            break
    if "arrived_at" in errors or "departed_at" in errors:
        add((2,), _("not election day"))
    for name, reserved, hint in (
        ("voters_so_far", RESERVED_VOTERS, "0+"),
        ("assessment", RESERVED_ASSESSMENT, "1-4"),
    ):
        if name in errors:
            reading = by_field.get((name, None))
            if reading is None:
                add((5,), f"{reserved}: {hint}")
            elif reading.problem:
                add((3, reading.pair.position), _unreadable(reading))
            else:
                add((3, reading.pair.position), f"{reading.pair.token}: {hint}")
    finding_errors = errors.get("findings")
    if finding_errors:
        hint = f"1-{len(CATEGORIES)} {'/'.join(SEVERITIES)}"
        per_finding = finding_errors if isinstance(finding_errors[0], dict) else None
        for index in range(len(per_finding) if per_finding else 1):
            if per_finding and not per_finding[index]:
                continue
            reading = by_field.get(("findings", index))
            if reading is None:
                add((5,), f"F: {hint}")
            elif reading.problem:
                add((3, reading.pair.position), _unreadable(reading))
            else:
                add((3, reading.pair.position), f"{reading.pair.token}: {hint}")
    answer_errors = errors.get("answers")
    if isinstance(answer_errors, dict):
        positions = {q["code"]: n for n, q in enumerate((schema or {}).get("questions", []))}
        for code in answer_errors:
            reading = by_field.get(("answers", code))
            text = _answer_problem(code=code, reading=reading, schema=schema, payload=payload)
            order = (3, reading.pair.position) if reading else (4, positions.get(code, 0))
            add(order, text)
    elif answer_errors:
        add((5,), _("answers unreadable"))
    named = {"checklist", "station", "station_code", "arrived_at", "departed_at", "answers"}
    named |= {"voters_so_far", "assessment", "findings"}
    for name in errors:
        if name not in named:
            add((6,), f"{name}?")
    return [text for _order, text in sorted(items, key=lambda item: item[0])]


def reply_refused(*, errors: dict, tokens: SmsTokens, readings, schema, payload, language) -> str:
    """Every problem of a refused report, short, in ``language``, fitted to one segment."""
    with translation.override(language):
        items = _problems(
            errors=errors, tokens=tokens, readings=readings, schema=schema, payload=payload
        )
        return _fit(_("Not stored:"), items)
