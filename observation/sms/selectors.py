"""Reads for reports by SMS: who sent a message, which checklist and station it names, the
mission's SMS log and its cheat-sheets.

Which mission and observer a message belongs to (README, "Reports by SMS"):
- A message sent to a number a mission receives on (``SmsNumber``) belongs to that mission.
- Its sender is the observer whose phone (E.164) is the sender's, in that mission if the
  message was sent to one of its numbers. A phone listed in several missions picks the
  mission whose election day it is (in the mission's time zone), else the latest election.
- A message from an unknown number belongs to the mission of its ``To`` number; failing that,
  to the one mission that has a station with the code it names; failing that, to none: it is
  kept for platform staff (Django admin), since showing it to the coordinators of every
  mission would show one mission's reports to another.
"""

from django.db.models import Q
from django.utils import translation

from missions.models import Mission, Observer, PollingStation
from missions.phones import PhoneInvalid, phone_normalise

from ..checklists.schema import checklist_schema, question_shown
from ..models import (
    Checklist,
    FindingCategory,
    QuestionType,
    Severity,
    SmsDirection,
    SmsMessage,
    SmsNumber,
    Stage,
)
from ..observe.selectors import choice_label, question_text
from .parsing import ASSESSMENTS, CATEGORIES, RESERVED
from .replies import answer_hint, condition_text


def phone_e164(raw: str, *, mission=None) -> str:
    """A sender's or recipient's number in E.164 when it reads as one, else as received."""
    text = (raw or "").strip()
    for prefix in ("tel:", "sms:", "whatsapp:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    try:
        if mission is not None or text.startswith("+"):
            return phone_normalise(text, country=mission.country if mission else "ZZ")
        return phone_normalise("+" + text, country="ZZ")
    except PhoneInvalid:
        return text


def mission_for_number(*, number: str) -> Mission | None:
    """The mission that receives SMS on ``number``, if one does."""
    if not number:
        return None
    row = SmsNumber.objects.filter(number=number).select_related("mission").first()
    return row.mission if row else None


def observer_for_phone(*, phone: str, mission=None, now) -> Observer | None:
    """The observer whose phone is ``phone`` (in ``mission`` when given), with their
    mission, team and user, as ``visit_submit`` wants them."""
    if not phone:
        return None
    observers = Observer.objects.filter(phone=phone).select_related("mission", "team", "user")
    if mission is not None:
        observers = observers.filter(mission=mission)
    candidates = list(observers.order_by("-mission__election_date", "id")[:20])
    for observer in candidates:
        if now.astimezone(observer.mission.tzinfo).date() == observer.mission.election_date:
            return observer
    return candidates[0] if candidates else None


def mission_for_station_code(*, code: str | None) -> Mission | None:
    """The one mission with a station of this code (any case); None if none or several."""
    if not code:
        return None
    mission_ids = list(
        PollingStation.objects.filter(code__iexact=code)
        .values_list("mission_id", flat=True)
        .distinct()[:2]
    )
    if len(mission_ids) != 1:
        return None
    return Mission.objects.filter(pk=mission_ids[0]).first()


def checklist_for_keyword(*, mission, keyword: str | None) -> dict | None:
    """The schema of the current checklist a message's first word names (its stage or the
    coordinator's keyword, any case), or None."""
    if not keyword:
        return None
    word = keyword.upper()
    current = Checklist.objects.filter(mission=mission, is_current=True)
    match = current.filter(Q(stage=word) | Q(sms_keyword__iexact=word)).order_by("id").first()
    return checklist_schema(match.pk) if match else None


def station_code_resolve(*, mission, written: str | None) -> str | None:
    """The stored code of the mission's station written ``written`` in any case; as written
    when there is none (or several): the visit API then names it unknown."""
    if written is None:
        return None
    stations = PollingStation.objects.filter(mission=mission)
    if stations.filter(code=written).exists():  # as printed: the unique index answers
        return written
    codes = list(stations.filter(code__iexact=written).values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else written


def sms_log(*, mission, status: str | None = None, gateway: str | None = None):
    """The mission's SMS, newest first: inbound messages with their reply (``reply``), and
    messages sent on their own. A reply is shown with the message it answers."""
    rows = (
        SmsMessage.objects.filter(mission=mission)
        .exclude(direction=SmsDirection.OUT, in_reply_to__isnull=False)
        .select_related("observer", "visit", "visit__station", "reply")
        .order_by("-created_at", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    if gateway:
        rows = rows.filter(gateway=gateway)
    return rows


def sms_numbers(*, mission) -> list[str]:
    return list(
        SmsNumber.objects.filter(mission=mission).order_by("id").values_list("number", flat=True)
    )


def observers_for_simulator(*, mission) -> list[Observer]:
    """The mission's observers who have a phone in E.164, by name."""
    return list(
        Observer.objects.filter(mission=mission, phone__startswith="+")
        .select_related("team")
        .order_by("full_name", "id")
    )


def observers_without_sms_phone(*, mission) -> int:
    """How many of the mission's observers cannot report by SMS (no phone in E.164)."""
    return Observer.objects.filter(mission=mission).exclude(phone__startswith="+").count()


def current_checklists(*, mission) -> list[Checklist]:
    stage_order = {stage: index for index, stage in enumerate(Stage.values)}
    rows = Checklist.objects.filter(mission=mission, is_current=True)
    return sorted(rows, key=lambda c: stage_order[c.stage])


def _example(checklist: Checklist, schema: dict, station_code: str) -> str:
    """A message that the checklist accepts: every required question answered with its first
    allowed value, questions whose condition is false left out."""
    answers, parts = {}, []
    for question in schema["questions"]:
        if question["code"].upper() in RESERVED or not question["required"]:
            continue
        if not question_shown(schema=schema, code=question["code"], answers=answers):
            continue
        qtype = question["type"]
        if qtype == QuestionType.YES_NO:
            value, written = False, "N"
        elif qtype == QuestionType.INTEGER:
            value = question["min"] if question["min"] is not None else 0
            if question["max"] is not None:
                value = min(value, question["max"])
            written = str(value)
        elif qtype == QuestionType.CHOICE:
            value, written = question["choices"][0], "1"
        elif qtype == QuestionType.MULTI_CHOICE:
            value, written = [question["choices"][0]], "1"
        else:
            value, written = "-", "-"
        answers[question["code"]] = value
        parts.append(f"{question['code']}={written}")
    keyword = checklist.sms_keyword or checklist.stage
    return " ".join([keyword, station_code, *parts, "T=250", "A=2"])


def checklist_cheatsheet(*, checklist: Checklist, language: str) -> dict:
    """Everything the printed cheat-sheet of a checklist says, in ``language``."""
    questions = list(checklist.questions.order_by("position", "id"))
    schema = checklist_schema(checklist.pk)
    by_code = {q["code"]: q for q in schema["questions"]}
    station = (
        PollingStation.objects.filter(mission_id=checklist.mission_id)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    with translation.override(language):
        rows = []
        for question in questions:
            spec = by_code[question.code]
            choices = []
            if question.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
                choices = [
                    {"position": n, "label": choice_label(choice, language)}
                    for n, choice in enumerate(question.choices or [], start=1)
                ]
            rows.append(
                {
                    "code": question.code,
                    "text": question_text(question, language),
                    "type": question.get_type_display(),
                    "hint": answer_hint(spec),
                    "required": question.required,
                    "choices": choices,
                    "condition": condition_text(schema=schema, question=spec)
                    if spec["show_if"]
                    else "",
                    "reserved": question.code.upper() in RESERVED,
                }
            )
        return {
            "language": language,
            "keywords": [w for w in (checklist.stage, checklist.sms_keyword) if w],
            "rows": rows,
            "assessments": [
                {"number": n, "label": str(value.label)}
                for n, value in enumerate(ASSESSMENTS, start=1)
            ],
            "categories": [
                {"number": n, "code": code, "label": str(FindingCategory(code).label)}
                for n, code in enumerate(CATEGORIES, start=1)
            ],
            "severities": [
                {"letter": value[0], "label": str(Severity(value).label)}
                for value in Severity.values
            ],
            "example": _example(checklist, schema, station or "123"),
        }
