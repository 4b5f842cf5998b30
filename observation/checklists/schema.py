"""A checklist as plain data, cached, and the validation of answers against it.

Visit submission is the hottest path of the product, so the questions of a checklist are read
from the cache (keyed by checklist id) and answers are checked in memory: no query per answer.
Whoever edits a checklist *in place* (rather than making a new version) must call
``checklist_schema_invalidate(checklist_id)`` in the same breath.
"""

from django.core.cache import cache
from django.utils.translation import gettext as _

from ..models import Checklist, Question, QuestionType

SCHEMA_CACHE_SECONDS = 6 * 3600
TEXT_ANSWER_MAX_LENGTH = 2000
# Unknown answer codes named one by one in a 400; beyond them, one message counts the rest.
UNKNOWN_CODES_LISTED = 20


def _cache_key(checklist_id) -> str:
    return f"observation:checklist-schema:v1:{int(checklist_id)}"


def choice_values(choices) -> list[str]:
    """Choices are stored as plain strings or as ``{"value", "label", ...}`` dicts."""
    return [c["value"] if isinstance(c, dict) else c for c in choices or []]


def _schema_build(checklist_id) -> dict | None:
    checklist = (
        Checklist.objects.filter(pk=checklist_id)
        .values("id", "mission_id", "stage", "version")
        .first()
    )
    if checklist is None:
        return None
    questions = Question.objects.filter(checklist_id=checklist_id).order_by("position", "id")
    checklist["questions"] = [
        {
            "code": q.code,
            "type": q.type,
            "required": q.required,
            "choices": choice_values(q.choices),
            "min": q.min,
            "max": q.max,
            "show_if": q.show_if or None,
        }
        for q in questions
    ]
    return checklist


def checklist_schema(checklist_id) -> dict | None:
    """``{"id", "mission_id", "stage", "version", "questions": [...]}`` or None if unknown."""
    key = _cache_key(checklist_id)
    schema = cache.get(key)
    if schema is None:
        schema = _schema_build(checklist_id)
        if schema is not None:
            cache.set(key, schema, SCHEMA_CACHE_SECONDS)
    return schema


def checklist_schema_invalidate(checklist_id) -> None:
    """Forget the cached schema of a checklist whose questions were edited in place."""
    cache.delete(_cache_key(checklist_id))


def _matches(value, expected) -> bool:
    """Does an answer satisfy ``show_if.equals``? Strict about types: 1 is not True."""
    if value is None:
        return False
    if isinstance(value, list) and not isinstance(expected, list):
        return expected in value
    return type(value) is type(expected) and value == expected


def _shown(code, by_code, answers, seen=()) -> bool:
    show_if = by_code[code]["show_if"]
    if not show_if:
        return True
    parent = show_if.get("question")
    if parent not in by_code or parent in seen:  # a broken or circular condition hides nothing
        return True
    return _shown(parent, by_code, answers, (*seen, code)) and _matches(
        answers.get(parent), show_if.get("equals")
    )


def _describe(value) -> str:
    """An answer as the API writes it (JSON's true/false, a quoted text): not translated."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return repr(value) if isinstance(value, str) else str(value)


def _check_one(question, value) -> str | None:
    """The error message for one present answer, or None if it is fine."""
    code, qtype = question["code"], question["type"]
    if qtype == QuestionType.YES_NO:
        if not isinstance(value, bool):
            return _("%(code)s must be true or false.") % {"code": code}
    elif qtype == QuestionType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return _("%(code)s must be a whole number.") % {"code": code}
        low, high = question["min"], question["max"]
        if low is not None and value < low:
            return _("%(code)s must be at least %(min)s; %(value)s is too low.") % {
                "code": code,
                "min": low,
                "value": value,
            }
        if high is not None and value > high:
            return _("%(code)s must be at most %(max)s; %(value)s is too high.") % {
                "code": code,
                "max": high,
                "value": value,
            }
    elif qtype == QuestionType.CHOICE:
        if not isinstance(value, str) or value not in question["choices"]:
            return _("%(code)s must be one of %(choices)s; got %(value)s.") % {
                "code": code,
                "choices": ", ".join(question["choices"]),
                "value": _describe(value),
            }
    elif qtype == QuestionType.MULTI_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _("%(code)s must be a list of choices from %(choices)s.") % {
                "code": code,
                "choices": ", ".join(question["choices"]),
            }
        unknown = [v for v in value if v not in question["choices"]]
        if unknown:
            return _("%(code)s: %(values)s not among the choices %(choices)s.") % {
                "code": code,
                "values": ", ".join(map(repr, unknown)),
                "choices": ", ".join(question["choices"]),
            }
        if len(set(value)) != len(value):
            return _("%(code)s lists the same choice twice; send each choice once.") % {
                "code": code
            }
    elif qtype == QuestionType.TEXT:
        if not isinstance(value, str):
            return _("%(code)s must be text.") % {"code": code}
        if len(value) > TEXT_ANSWER_MAX_LENGTH:
            return _("%(code)s is %(length)s characters long; shorten it to %(max)s.") % {
                "code": code,
                "length": len(value),
                "max": TEXT_ANSWER_MAX_LENGTH,
            }
        if "\x00" in value:
            return _("%(code)s contains a NUL character; remove it.") % {"code": code}
    return None


def answers_check(*, schema: dict, answers) -> tuple[dict, dict]:
    """Check answers against a checklist schema: ``(cleaned_answers, errors_by_code)``.

    ``cleaned_answers`` keeps the non-null answers; ``errors_by_code`` maps each offending
    question code to a list of messages that say what to fix.
    """
    by_code = {q["code"]: q for q in schema["questions"]}
    errors: dict[str, list[str]] = {}
    unknown = [code for code in answers if code not in by_code]
    for code in unknown[:UNKNOWN_CODES_LISTED]:
        errors[code] = [
            _(
                "%(code)s is not a question of the %(stage)s checklist (version %(version)s); "
                "remove it."
            )
            % {"code": code, "stage": schema["stage"], "version": schema["version"]}
        ]
    if len(unknown) > UNKNOWN_CODES_LISTED:
        # 100,000 made-up codes made an 8.6 MB answer: the rest are counted, not listed.
        more = len(unknown) - UNKNOWN_CODES_LISTED
        errors[str(unknown[UNKNOWN_CODES_LISTED])[:64]] = [
            _(
                "This and %(more)s more codes are not questions of the %(stage)s checklist; "
                "remove them."
            )
            % {"more": more - 1, "stage": schema["stage"]}
        ]
    cleaned = {}
    for question in schema["questions"]:
        code = question["code"]
        value = answers.get(code)
        if not _shown(code, by_code, answers):
            if value is not None:
                parent = question["show_if"]["question"]
                current = answers.get(parent)
                if current is None:
                    message = _(
                        "%(code)s only applies when %(parent)s is %(equals)s; leave it out or "
                        "send null."
                    )
                else:
                    message = _(
                        "%(code)s only applies when %(parent)s is %(equals)s (it is "
                        "%(current)s); leave it out or send null."
                    )
                errors[code] = [
                    message
                    % {
                        "code": code,
                        "parent": parent,
                        "equals": _describe(question["show_if"]["equals"]),
                        "current": _describe(current),
                    }
                ]
            continue
        if value is None:
            if question["required"]:
                errors[code] = [_("%(code)s is required; answer it.") % {"code": code}]
            continue
        problem = _check_one(question, value)
        if problem is None and question["required"] and value in ("", []):
            problem = _("%(code)s is required; answer it.") % {"code": code}
        if problem:
            errors[code] = [problem]
        else:
            cleaned[code] = value
    return cleaned, errors


def question_shown(*, schema: dict, code: str, answers: dict) -> bool:
    """Is the question ``code`` asked, given ``answers`` (its ``show_if`` chain holds)?"""
    by_code = {q["code"]: q for q in schema["questions"]}
    return code not in by_code or _shown(code, by_code, answers)
