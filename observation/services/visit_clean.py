"""Visit submission, step 1: check a phone's payload and clean it into the visit's fields."""

import datetime as dt
import uuid

from django.utils.translation import gettext as _

from common.parsing import moment, whole_number
from missions.models import PollingStation

from ..checklists.schema import answers_check, checklist_schema
from ..models import (
    Assessment,
    FindingCategory,
    Severity,
    Stage,
)

MAX_FINDINGS_PER_VISIT = 50
MAX_DESCRIPTION_LENGTH = 5000
MAX_NOTES_LENGTH = 10000
MAX_VOTERS = 1_000_000
MAX_PHOTOS_PER_FINDING = 3
# Counting and tabulation often run past midnight: a visit of those stages may end up to
# this hour of the day after the election (local time). Every other time must fall on the day.
LATE_STAGES = (Stage.COUNTING, Stage.TABULATION)
LATE_STAGE_END = dt.time(12, 0)


class VisitInvalid(Exception):
    """The payload breaks a rule. ``errors`` is DRF-shaped: ``{"field": ["message", ...]}``;
    ``answers`` holds ``{"<code>": [...]}`` and ``findings`` a list with one dict per finding."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


class VisitConflict(Exception):
    """The ``client_uuid`` was already used for a different visit."""


def _text(value, *, field, max_length, errors, required=False) -> str:
    if value is None:
        if required:
            errors[field] = [_("%(field)s is required.") % {"field": field}]
        return ""
    if not isinstance(value, str):
        errors[field] = [_("%(field)s must be text.") % {"field": field}]
        return ""
    if len(value) > max_length:
        errors[field] = [
            _("%(field)s is %(length)s characters long; shorten it to %(max)s.")
            % {"field": field, "length": len(value), "max": max_length}
        ]
    elif "\x00" in value:
        errors[field] = [_("%(field)s contains a NUL character; remove it.") % {"field": field}]
    return value


def _integer(value):
    """An int from JSON (a whole number, or a string of digits as form posts send); else None."""
    return whole_number(value)


def _time(value, *, field, errors) -> dt.datetime | None:
    if not isinstance(value, str):
        errors[field] = [
            _(
                "%(field)s must be an ISO 8601 time with its UTC offset, such as "
                "2022-11-20T10:05:00+06:00."
            )
            % {"field": field}
        ]
        return None
    parsed = moment(value)
    if parsed is None:
        errors[field] = [
            _(
                "%(field)s %(value)s is not an ISO 8601 time of this era; send it as "
                "2022-11-20T10:05:00+06:00."
            )
            % {"field": field, "value": repr(value[:40])}
        ]
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        errors[field] = [
            _("%(field)s %(value)s has no UTC offset; add it, as in 2022-11-20T10:05:00+06:00.")
            % {"field": field, "value": repr(value)}
        ]
        return None
    return parsed


def _on_election_day(*, mission, stage, field, at, errors) -> None:
    local = at.astimezone(mission.tzinfo)
    day = mission.election_date
    if local.date() == day:
        return
    late_ok = (
        field == "departed_at"
        and stage in LATE_STAGES
        and local.date() == day + dt.timedelta(days=1)
        and local.time() <= LATE_STAGE_END
    )
    if not late_ok:
        errors[field] = [
            _(
                "%(field)s is %(time)s in %(zone)s time, outside the election day %(day)s; "
                "correct the date or the time."
            )
            % {
                "field": field,
                # ISO 8601, as the times were sent: the same in every language.
                "time": f"{local:%Y-%m-%d %H:%M}",
                "zone": mission.timezone,
                "day": f"{day:%Y-%m-%d}",
            }
        ]


def _station(*, mission, payload, errors, known=None) -> PollingStation | None:
    """The payload's station in the mission (by id or code). ``known``, a station already
    loaded with ``code`` and ``registered_voters``, saves the query when it is that one."""
    raw_id, code = payload.get("station"), payload.get("station_code")
    if known is not None and known.mission_id != mission.pk:
        known = None

    def lookup(**where):
        return (
            PollingStation.objects.filter(mission_id=mission.pk, **where)
            .only("id", "code", "registered_voters", "mission_id")
            .first()
        )

    if raw_id is not None:
        station_id = _integer(raw_id)
        if station_id is None:
            errors["station"] = [_("station must be the id (a whole number) of a polling station.")]
            return None
        if known is not None and known.pk == station_id:
            station = known
        else:
            station = lookup(pk=station_id)
        if station is None:
            errors["station"] = [
                _(
                    "There is no polling station %(id)s in your mission; check the id or send "
                    "station_code instead."
                )
                % {"id": station_id}
            ]
        elif code is not None and code != station.code:
            errors["station_code"] = [
                _(
                    "station_code %(code)s is not station %(id)s (%(station)s); send only one "
                    "of them."
                )
                % {"code": repr(code), "id": station_id, "station": station.code}
            ]
        return station
    if code is not None:
        if not isinstance(code, str) or not code:
            errors["station_code"] = [_("station_code must be the code of a polling station.")]
            return None
        if known is not None and known.code == code:
            station = known
        else:
            station = lookup(code=code)
        if station is None:
            errors["station_code"] = [
                _("There is no polling station with code %(code)s in your mission; check the code.")
                % {"code": repr(code)}
            ]
        return station
    errors["station"] = [_("Send station (the station id) or station_code.")]
    return None


def _findings(value, *, errors) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors["findings"] = [_("findings must be a list of {category, severity, description}.")]
        return []
    if len(value) > MAX_FINDINGS_PER_VISIT:
        errors["findings"] = [
            _("%(count)s findings in one visit; send at most %(max)s.")
            % {"count": len(value), "max": MAX_FINDINGS_PER_VISIT}
        ]
        return []
    cleaned, item_errors = [], []
    for item in value:
        problems = {}
        if not isinstance(item, dict):
            item_errors.append({"non_field_errors": [_("Each finding must be an object.")]})
            continue
        category, severity = item.get("category"), item.get("severity")
        if category not in FindingCategory.values:
            problems["category"] = [
                _("category must be one of %(values)s; got %(value)s.")
                % {"values": ", ".join(FindingCategory.values), "value": repr(category)}
            ]
        if severity not in Severity.values:
            problems["severity"] = [
                _("severity must be one of %(values)s; got %(value)s.")
                % {"values": ", ".join(Severity.values), "value": repr(severity)}
            ]
        description = _text(
            item.get("description"),
            field="description",
            max_length=MAX_DESCRIPTION_LENGTH,
            errors=problems,
        )
        item_errors.append(problems)
        cleaned.append({"category": category, "severity": severity, "description": description})
    if any(item_errors):
        errors["findings"] = item_errors
    return cleaned


def _visit_clean(*, observer, payload, station=None) -> dict:
    """Check a submission against every rule of API.md; raise VisitInvalid listing them all."""
    if not isinstance(payload, dict):
        raise VisitInvalid({"non_field_errors": [_("Send the visit as a JSON object.")]})
    mission = observer.mission
    errors: dict = {}

    raw_uuid = payload.get("client_uuid")
    client_uuid = None
    try:
        client_uuid = uuid.UUID(raw_uuid) if isinstance(raw_uuid, str) else None
    except ValueError:
        pass
    if client_uuid is None:
        errors["client_uuid"] = [
            _(
                "client_uuid is required: a UUID the phone makes once per visit, such as "
                "6f1c2a3e-8d4b-4c51-9a7e-2b1d0c9e8f70."
            )
        ]

    station = _station(mission=mission, payload=payload, errors=errors, known=station)

    schema = None
    checklist_id = _integer(payload.get("checklist"))
    if checklist_id is None:
        errors["checklist"] = [_("checklist is required: the id of the checklist answered.")]
    else:
        schema = checklist_schema(checklist_id)
        if schema is None or schema["mission_id"] != mission.pk:
            errors["checklist"] = [
                _("There is no checklist %(id)s in your mission; see %(url)s.")
                % {"id": checklist_id, "url": f"/api/v1/missions/{mission.pk}/checklists/"}
            ]
            schema = None
    stage = schema["stage"] if schema else None

    arrived = departed = None
    if payload.get("arrived_at") is None:
        errors["arrived_at"] = [_("arrived_at is required, such as 2022-11-20T10:05:00+06:00.")]
    else:
        arrived = _time(payload["arrived_at"], field="arrived_at", errors=errors)
    if payload.get("departed_at") is not None:
        departed = _time(payload["departed_at"], field="departed_at", errors=errors)
    for field, at in (("arrived_at", arrived), ("departed_at", departed)):
        if at is not None:
            _on_election_day(mission=mission, stage=stage, field=field, at=at, errors=errors)
    if arrived and departed and departed < arrived and "departed_at" not in errors:
        errors["departed_at"] = [
            _("departed_at is before arrived_at; the visit must end after it starts.")
        ]

    voters = payload.get("voters_so_far")
    if voters is not None:
        voters = _integer(voters)
        if voters is None or voters < 0 or voters > MAX_VOTERS:
            errors["voters_so_far"] = [
                _(
                    "voters_so_far must be a whole number of 0 or more (ballots issued so "
                    "far), or null when not counted."
                )
            ]
            voters = None

    assessment = payload.get("assessment")
    if assessment is not None and assessment not in Assessment.values:
        errors["assessment"] = [
            _("assessment must be one of %(values)s, or null; got %(value)s.")
            % {"values": ", ".join(Assessment.values), "value": repr(assessment)}
        ]

    answers = payload.get("answers")
    cleaned_answers = {}
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        errors["answers"] = [_('answers must be an object of question codes, {"V01": true, ...}.')]
    elif schema is not None:
        cleaned_answers, answer_errors = answers_check(schema=schema, answers=answers)
        if answer_errors:
            errors["answers"] = answer_errors

    findings = _findings(payload.get("findings"), errors=errors)
    notes = _text(payload.get("notes"), field="notes", max_length=MAX_NOTES_LENGTH, errors=errors)

    if errors:
        raise VisitInvalid(errors)
    return {
        "client_uuid": client_uuid,
        "station": station,
        "checklist_id": checklist_id,
        "stage": stage,
        "arrived_at": arrived,
        "departed_at": departed,
        "voters_so_far": voters,
        "assessment": assessment,
        "answers": cleaned_answers,
        "findings": findings,
        "notes": notes,
    }
