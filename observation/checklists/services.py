"""Checklist editing: validate a coordinator's questions and store them as a revision.

A checklist that already has visits is never changed under them: the edit becomes a new
version (``version + 1``, ``is_current``) and the old one stays with its visits. A checklist
without visits is edited in place.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from missions.audit import audit_event, audit_record, audit_records
from missions.languages import (
    language_name,
    list_text,
    mission_languages,
    required_languages,
    site_languages,
    translation_languages,
)

from ..models import Checklist, Question, QuestionType, Stage, Visit
from .defaults import DEFAULT_CHECKLISTS, default_questions
from .schema import checklist_schema_invalidate

CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CODE_MAX = Question._meta.get_field("code").max_length
TEXT_MAX = Question._meta.get_field("text").max_length
CHOICE_VALUE_MAX = 64
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)
HELP_MAX = 1000
QUESTION_FIELDS = (
    "code",
    "text",
    "text_i18n",
    "help",
    "help_i18n",
    "type",
    "required",
    "choices",
    "min",
    "max",
    "show_if",
)


@dataclass(frozen=True)
class QuestionError:
    """One thing to fix: ``index`` is the question's place in the list (None: the whole form)."""

    index: int | None
    field: str
    message: str


class ChecklistInvalid(ValidationError):
    """The questions cannot be stored; ``errors`` says what to fix, question by question."""

    def __init__(self, errors: list[QuestionError]):
        self.errors = errors
        super().__init__(
            [
                f"{_('Question %(number)s') % {'number': e.index + 1}}: {e.message}"
                if e.index is not None
                else e.message
                for e in errors
            ]
        )


def choice_value(choice) -> str:
    return choice["value"] if isinstance(choice, dict) else choice


def question_spec(question: Question) -> dict:
    """A stored question as the plain dict ``checklist_revise`` takes."""
    return {field: getattr(question, field) for field in QUESTION_FIELDS}


def checklist_questions_clean(*, questions: list[dict]) -> list[dict]:
    """Check a whole list of question specs; return them normalised or raise ChecklistInvalid.

    Rules: at least one question; codes present, well formed and unique; a text; a known
    type; choices (two or more, distinct values) exactly for CHOICE and MULTI_CHOICE; bounds
    only for INTEGER, with min <= max; ``show_if`` naming an earlier question of this list
    and a value that question can take (for MULTI_CHOICE: one choice the answer includes).
    """
    errors: list[QuestionError] = []
    if not questions:
        errors.append(
            QuestionError(None, "questions", _("A checklist needs at least one question."))
        )
    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(questions):
        spec, problems = _clean_one(index, raw, cleaned, seen)
        errors.extend(problems)
        cleaned.append(spec)
        if spec["code"]:
            seen.setdefault(spec["code"].upper(), index)
    if errors:
        raise ChecklistInvalid(errors)
    return cleaned


def _clean_one(index, raw, earlier, seen):
    errors = []

    def error(field, message):
        errors.append(QuestionError(index, field, message))

    code = str(raw.get("code") or "").strip()
    if not code:
        error("code", _("Give the question a code, such as V07."))
    elif len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        error(
            "code",
            _(
                "The code %(code)s must start with a letter and have at most %(max)s letters, "
                "digits or underscores."
            )
            % {"code": code, "max": CODE_MAX},
        )
    elif code.upper() in seen:
        error(
            "code",
            _("The code %(code)s is already used by question %(number)s.")
            % {"code": code, "number": seen[code.upper()] + 1},
        )

    text = str(raw.get("text") or "").strip()
    if not text:
        error("text", _("Write the question's text in English."))
    elif len(text) > TEXT_MAX:
        error("text", _("The text is longer than %(max)s characters.") % {"max": TEXT_MAX})

    text_i18n = _clean_translations(raw.get("text_i18n"), "text_i18n", TEXT_MAX, error)
    help_text = str(raw.get("help") or "").strip()
    if len(help_text) > HELP_MAX:
        error("help", _("The help is longer than %(max)s characters.") % {"max": HELP_MAX})
    help_i18n = _clean_translations(raw.get("help_i18n"), "help_i18n", HELP_MAX, error)
    if help_i18n and not help_text:
        error("help", _("Write the help in English too."))

    type_ = raw.get("type")
    if type_ not in QuestionType.values:
        error("type", _("Choose the type of answer."))

    choices = _clean_choices(raw.get("choices") or [], type_, error)
    low, high = _clean_bounds(raw.get("min"), raw.get("max"), type_, error)
    show_if = _clean_show_if(raw.get("show_if"), code, earlier, error)

    spec = {
        "code": code,
        "text": text,
        "text_i18n": text_i18n,
        "help": help_text,
        "help_i18n": help_i18n,
        "type": type_,
        "required": bool(raw.get("required")),
        "choices": choices,
        "min": low,
        "max": high,
        "show_if": show_if,
    }
    return spec, errors


def _clean_translations(translations, field, limit, error) -> dict:
    """``{"ru": "...", ...}``: known languages but English, blank ones left out."""
    cleaned = {}
    if not isinstance(translations, dict):
        return cleaned
    for language, value in translations.items():
        value = str(value or "").strip()
        if not value:
            continue
        if language not in site_languages() or language == "en":
            error(field, _("Unknown language %(code)s.") % {"code": str(language)[:20]})
        elif len(value) > limit:
            error(
                field,
                _("The %(language)s text is longer than %(max)s characters.")
                % {"language": language_name(language), "max": limit},
            )
        else:
            cleaned[language] = value
    return cleaned


def _clean_choices(choices, type_, error):
    if type_ not in CHOICE_TYPES:
        if choices:
            error("choices", _("Only questions with one or several choices have choices."))
        return []
    cleaned, values = [], set()
    for choice in choices:
        if isinstance(choice, dict):
            value = str(choice.get("value") or "").strip()
            label = str(choice.get("label") or "").strip()
            label_i18n = {
                k: str(v).strip()
                for k, v in (choice.get("label_i18n") or {}).items()
                if k in site_languages() and k != "en" and str(v or "").strip()
            }
            item = {"value": value, "label": label or value, "label_i18n": label_i18n}
        else:
            value = str(choice or "").strip()
            item = value
        if not value:
            error("choices", _("Every choice needs a value."))
            continue
        if len(value) > CHOICE_VALUE_MAX:
            error(
                "choices",
                _("The choice %(value)s is longer than %(max)s characters.")
                % {"value": value[:20], "max": CHOICE_VALUE_MAX},
            )
            continue
        if value in values:
            error("choices", _("The choice %(value)s is listed twice.") % {"value": value})
            continue
        values.add(value)
        cleaned.append(item)
    if len(values) < 2:
        error("choices", _("Give at least two choices."))
    return cleaned


def _clean_bounds(low, high, type_, error):
    if type_ != QuestionType.INTEGER:
        if low is not None or high is not None:
            error("min", _("Only number questions have a minimum and a maximum."))
        return None, None
    not_whole = {
        "min": _("The minimum must be a whole number."),
        "max": _("The maximum must be a whole number."),
    }
    for field, value in (("min", low), ("max", high)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            error(field, not_whole[field])
            return None, None
    if low is not None and high is not None and low > high:
        error(
            "max",
            _("The minimum (%(min)s) is above the maximum (%(max)s).") % {"min": low, "max": high},
        )
    return low, high


def _clean_show_if(show_if, code, earlier, error):
    if show_if in (None, {}, ""):
        return None
    if not isinstance(show_if, dict) or set(show_if) != {"question", "equals"}:
        error("show_if", _("A condition names a question and the answer it must equal."))
        return None
    target_code = str(show_if["question"] or "").strip()
    value = show_if["equals"]
    target = next((q for q in earlier if q["code"] and q["code"] == target_code), None)
    if target is None:
        error(
            "show_if",
            _(
                "%(code)s can only depend on an earlier question of this checklist; "
                "%(target)s is not one."
            )
            % {"code": code or "?", "target": target_code or "?"},
        )
        return None
    kind = target["type"]
    ok = True
    if kind == QuestionType.YES_NO:
        ok = isinstance(value, bool)
        expected = _("yes or no")
    elif kind == QuestionType.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = _("a whole number")
        if ok and (
            (target["min"] is not None and value < target["min"])
            or (target["max"] is not None and value > target["max"])
        ):
            ok = False
            expected = _("a whole number between its minimum and maximum")
    elif kind in CHOICE_TYPES:
        # For several choices the condition holds when the chosen ones include this value.
        values = [choice_value(c) for c in target["choices"]]
        ok = isinstance(value, str) and value in values
        expected = _("one of its choices (%(values)s)") % {"values": ", ".join(values)}
    else:
        ok = isinstance(value, str) and value != ""
        expected = _("a text")
    if not ok:
        error(
            "show_if",
            _("The condition on %(target)s must be %(expected)s.")
            % {"target": target_code, "expected": expected},
        )
        return None
    return {"question": target_code, "equals": value}


def translations_missing(question, languages: list[str]) -> list[str]:
    """The languages of ``languages`` that ``question`` (a spec or a Question) has no text in:
    its text, its help when it has one, or the label of one of its choices. English is the
    questions' own language. Choices written as plain values take their labels from the
    catalogs, which are complete."""

    def get(name):
        return question.get(name) if isinstance(question, dict) else getattr(question, name)

    missing = []
    for language in languages:
        if language == "en":
            continue
        if (
            not (get("text_i18n") or {}).get(language)
            or (get("help") and not (get("help_i18n") or {}).get(language))
            or any(
                isinstance(c, dict) and not (c.get("label_i18n") or {}).get(language)
                for c in get("choices") or []
            )
        ):
            missing.append(language)
    return missing


def _languages_text(languages: list[str]) -> str:
    return list_text(language_name(code) for code in languages)


def _required_languages_check(*, mission, questions: list[dict]) -> None:
    """A checklist goes live only complete in the mission's required languages."""
    required = required_languages(mission=mission)
    errors = []
    for index, spec in enumerate(questions):
        missing = translations_missing(spec, required)
        if missing:
            errors.append(
                QuestionError(
                    index,
                    "text_i18n",
                    _(
                        "Not translated into %(languages)s: the mission requires these "
                        "languages before a checklist goes live (its text, help and choices)."
                    )
                    % {"languages": _languages_text(missing)},
                )
            )
    if errors:
        raise ChecklistInvalid(errors)


def _invalidate_schema(checklist_ids):
    """Drop the visit API's cached schema of these checklists."""
    for checklist_id in checklist_ids:
        checklist_schema_invalidate(checklist_id)


def checklist_revise(
    *, checklist: Checklist, actor, questions: list[dict], now, by_code: bool = False
) -> Checklist:
    """Store ``questions`` as the checklist's new content and return the checklist that holds it.

    Raises ChecklistInvalid if the questions break a rule, or if ``checklist`` is no longer the
    current version (someone else revised it meanwhile). Unchanged questions change nothing.
    ``by_code``: a revision the code makes (the quick count's questions follow the candidates)
    keeps the coordinator's questions as they are, so it does not hold them to the mission's
    required languages: a candidate can be added before the checklist is translated.
    """
    cleaned = checklist_questions_clean(questions=questions)
    if not by_code:
        _required_languages_check(mission=checklist.mission, questions=cleaned)
    with transaction.atomic():
        # FOR UPDATE also conflicts with the key-share lock a visit insert takes on the
        # checklist it references, so "has no visits" stays true until we commit.
        locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
        if not locked.is_current:
            raise ChecklistInvalid(
                [
                    QuestionError(
                        None,
                        "checklist",
                        _(
                            "This is no longer the current version of the checklist: "
                            "open the current one and make your changes there."
                        ),
                    )
                ]
            )
        before = [question_spec(q) for q in locked.questions.order_by("position", "id")]
        if before == cleaned:
            return locked
        has_visits = Visit.objects.filter(checklist=locked).exists()
        if has_visits:
            locked.is_current = False
            locked.save(update_fields=["is_current"])
            latest = Checklist.objects.filter(
                mission_id=locked.mission_id, stage=locked.stage
            ).aggregate(latest=Max("version"))["latest"]
            target = Checklist.objects.create(
                mission_id=locked.mission_id,
                stage=locked.stage,
                version=latest + 1,
                is_current=True,
                sms_keyword=locked.sms_keyword,
            )
        else:
            target = locked
            Question.objects.filter(checklist=locked).delete()
        new_questions = [
            Question(checklist=target, position=position, **spec)
            for position, spec in enumerate(cleaned, start=1)
        ]
        for question in new_questions:
            question.full_clean(
                exclude=["checklist"], validate_unique=False, validate_constraints=False
            )
        Question.objects.bulk_create(new_questions)
        audit_record(
            actor=actor,
            mission=locked.mission,
            action="checklist.revise",
            obj=target,
            before={
                "checklist": locked.pk,
                "stage": locked.stage,
                "version": locked.version,
                "questions": before,
            },
            after={
                "checklist": target.pk,
                "stage": target.stage,
                "version": target.version,
                "new_version": has_visits,
                "questions": cleaned,
            },
            at=now,
        )
        ids = {locked.pk, target.pk}
        transaction.on_commit(lambda: _invalidate_schema(ids))
    return target


def checklists_overview(*, mission) -> list[Checklist]:
    """Every checklist of the mission in stage order, current first, with their counts."""
    visits = (
        Visit.objects.filter(checklist=OuterRef("pk"))
        .order_by()
        .values("checklist")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Checklist.objects.filter(mission=mission)
        .annotate(
            question_count=Count("questions"),
            visit_count=Coalesce(Subquery(visits), 0),
        )
        .order_by("-is_current", "-version", "id")
    )
    stage_order = {stage: index for index, stage in enumerate(Stage.values)}
    return sorted(rows, key=lambda c: stage_order[c.stage])


def checklists_translation_gaps(*, mission, checklists: list[Checklist]) -> None:
    """Set ``translation_gaps`` on each checklist: ``[{"code", "name", "questions"}]``, how
    many of its questions lack each of the mission's languages (one query)."""
    languages = translation_languages(mission=mission)
    counts: dict[int, dict[str, int]] = {c.pk: {} for c in checklists}
    questions = Question.objects.filter(checklist__in=[c.pk for c in checklists]).only(
        "checklist_id", "text_i18n", "help", "help_i18n", "choices"
    )
    for question in questions:
        for code in translations_missing(question, languages):
            per = counts[question.checklist_id]
            per[code] = per.get(code, 0) + 1
    for checklist in checklists:
        checklist.translation_gaps = [
            {"code": code, "name": language_name(code), "questions": counts[checklist.pk][code]}
            for code in languages
            if counts[checklist.pk].get(code)
        ]


def checklist_questions(*, checklist: Checklist) -> list[Question]:
    return list(checklist.questions.order_by("position", "id"))


def checklists_create_default(*, mission) -> list[Checklist]:
    """Give a mission its default checklist for every stage (version 1, current), its
    texts translated from the catalogs into the mission's languages (all the site's when it
    has none yet)."""
    languages = mission_languages(mission=mission)
    checklists = Checklist.objects.bulk_create(
        [Checklist(mission=mission, stage=stage, version=1) for stage in DEFAULT_CHECKLISTS]
    )
    Question.objects.bulk_create(
        [
            Question(checklist=checklist, position=position, **spec)
            for checklist in checklists
            for position, spec in enumerate(
                default_questions(checklist.stage, languages=languages), start=1
            )
        ]
    )
    return checklists


def checklist_translations(*, mission, questions) -> list[dict]:
    """For the editor and the checklist's page: per question, the mission's languages it
    lacks (``missing``) and which of them the mission requires (``required``)."""
    languages = translation_languages(mission=mission)
    required = required_languages(mission=mission)
    rows = []
    for question in questions:
        missing = translations_missing(question, languages)
        rows.append(
            {
                "missing": missing,
                "missing_text": _languages_text(missing),
                "required": [code for code in missing if code in required],
            }
        )
    return rows


def mission_checklists_create(*, mission, actor, now) -> list[Checklist]:
    """A new mission's default checklists, each with its audit event (on ``mission_created``)."""
    checklists = checklists_create_default(mission=mission)
    audit_records(
        [
            audit_event(
                actor=actor,
                mission=mission,
                action="checklist.create",
                obj=checklist,
                after={
                    "stage": checklist.stage,
                    "version": checklist.version,
                    "questions": [spec["code"] for spec in DEFAULT_CHECKLISTS[checklist.stage]],
                },
                at=now,
            )
            for checklist in checklists
        ]
    )
    return checklists


def mission_checklists_copy(*, mission, source, actor, now) -> list[Checklist]:
    """A new mission's checklists copied from ``source``'s current ones (their questions and
    SMS keywords; version 1 here), each with its audit event (on ``mission_created``)."""
    originals = list(
        Checklist.objects.filter(mission=source, is_current=True)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )
        .order_by("stage", "id")
    )
    copies = Checklist.objects.bulk_create(
        [
            Checklist(
                mission=mission, stage=original.stage, version=1, sms_keyword=original.sms_keyword
            )
            for original in originals
        ]
    )
    Question.objects.bulk_create(
        [
            Question(checklist=copy, position=question.position, **question_spec(question))
            for copy, original in zip(copies, originals, strict=True)
            for question in original.questions.all()
        ]
    )
    audit_records(
        [
            audit_event(
                actor=actor,
                mission=mission,
                action="checklist.create",
                obj=copy,
                after={
                    "stage": copy.stage,
                    "version": copy.version,
                    "questions": [question.code for question in original.questions.all()],
                    "copied_from": original.pk,
                },
                at=now,
            )
            for copy, original in zip(copies, originals, strict=True)
        ]
    )
    return copies
