"""Writes of the operations room: contacts with teams, incident triage and notes, messages.

Each runs in one transaction with its audit rows (``missions.audit``); a refused change
raises ``ValidationError`` and writes nothing.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from missions.audit import audit_event, audit_record, audit_records
from missions.languages import mission_languages
from missions.models import MemberRole, Membership, Observer, Team
from missions.report_due import REPORT_STAGES
from observation.models import Finding

from ..models import (
    MESSAGE_MAX_LENGTH,
    IncidentNote,
    IncidentTriage,
    MessageRecipient,
    ObserverMessage,
    TeamContact,
    Triage,
)
from .selectors import areas_by_code, incidents, live_cache_key, team_area_ids
from .tasks import sms_relay_task

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 1000
INCIDENT_NOTE_MAX_LENGTH = 2000


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError({field: [_("Give text.")]})
    if required and not text:
        raise ValidationError({field: [_("This field may not be blank.")]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("At most %(limit)s characters.") % {"limit": f"{limit:,}"}]}
        )
    return text


# --- reporting status ---------------------------------------------------------------------------


@transaction.atomic
def team_contact_record(*, mission, team_code: str, stage: str, note: str, actor, now):
    """The centre contacted a team about a stage (a call, a message): who, when, what was said."""
    if stage not in REPORT_STAGES:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    team = Team.objects.filter(mission=mission, code=team_code).first()
    if team is None:
        raise ValidationError({"team": [_("Unknown team.")]})
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH)
    contact = TeamContact.objects.create(
        mission=mission, team=team, stage=stage, note=note, by=actor, at=now
    )
    audit_record(
        actor=actor,
        mission=mission,
        action="team.contact",
        obj=team,
        after={"stage": stage, "note": note},
        at=now,
    )
    return contact


# --- incidents ----------------------------------------------------------------------------------


def _forget_live(mission_id: int) -> None:
    transaction.on_commit(lambda: cache.delete(live_cache_key(mission_id)))


KEEP = object()  # the assignee is left as it is


@transaction.atomic
def incident_triage(
    *, finding: Finding, actor, status: str | None, assignee=KEEP, note: str = "", now
) -> IncidentTriage:
    """Move an incident along NEW -> ACKNOWLEDGED -> FOLLOW_UP -> CLOSED, assign it to a
    coordinator of the mission (a username; "" or None unassigns), add a note; audited.

    ``status`` None keeps the status (a note or a new assignee alone). Any status but NEW may
    be set, in any order: a closed incident may be reopened for follow-up.
    """
    mission = finding.visit.mission
    if status is not None and status not in Triage.values:
        raise ValidationError({"status": [_("Unknown triage status.")]})
    if status == Triage.NEW:
        raise ValidationError({"status": [_("An incident cannot be set back to NEW.")]})
    note = _text(note, field="note", limit=INCIDENT_NOTE_MAX_LENGTH)
    user = None
    if assignee is not KEEP and assignee:
        membership = (
            Membership.objects.filter(
                mission=mission, role=MemberRole.COORDINATOR, user__username=assignee
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise ValidationError(
                {"assignee": [_("Assign the incident to a coordinator of the mission.")]}
            )
        user = membership.user
    # Lock the finding: two coordinators triaging it at once are applied one after the other.
    Finding.objects.select_for_update().filter(pk=finding.pk).values_list("pk").first()
    triage = IncidentTriage.objects.filter(pk=finding.pk).select_related("assignee").first()
    if triage is None:
        triage = IncidentTriage(finding=finding, mission=mission, status=Triage.NEW)
    before = {
        "status": triage.status,
        "assignee": triage.assignee.username if triage.assignee_id else None,
    }
    if status is not None:
        triage.status = status
    if assignee is not KEEP:
        triage.assignee = user
    triage.updated_by = actor
    triage.updated_at = now
    triage.save()
    after = {
        "status": triage.status,
        "assignee": triage.assignee.username if triage.assignee_id else None,
    }
    if note:
        IncidentNote.objects.create(
            finding=finding, mission=mission, author=actor, text=note, at=now
        )
    if after != before or note:
        audit_record(
            actor=actor,
            mission=mission,
            action="incident.triage",
            obj=finding,
            before=before,
            after={**after, **({"note": note} if note else {})},
            reason=note,
            at=now,
        )
    _forget_live(mission.pk)
    return triage


@transaction.atomic
def incidents_acknowledge(*, mission, finding_ids: list[int], actor, now) -> int:
    """Acknowledge every NEW incident among ``finding_ids`` at once (the others are left as
    they are); one audit row each. An id that is not an incident of the mission: nothing
    changes. Returns how many were acknowledged."""
    ids = sorted(set(finding_ids))
    if not ids:
        raise ValidationError({"findings": [_("Choose at least one incident.")]})
    if len(ids) > 1000:
        raise ValidationError({"findings": [_("At most 1,000 incidents at once.")]})
    found = list(incidents(mission=mission).filter(pk__in=ids).select_for_update(of=("self",)))
    if len(found) != len(ids):
        raise ValidationError({"findings": [_("Unknown incident.")]})
    states = {t.pk: t for t in IncidentTriage.objects.filter(pk__in=ids)}
    changed, events = [], []
    for finding in found:
        triage = states.get(finding.pk)
        if triage is not None and triage.status != Triage.NEW:
            continue
        if triage is None:
            triage = IncidentTriage(finding=finding, mission=mission)
        triage.status = Triage.ACKNOWLEDGED
        triage.updated_by = actor
        triage.updated_at = now
        changed.append(triage)
        events.append(
            audit_event(
                actor=actor,
                mission=mission,
                action="incident.triage",
                obj=finding,
                before={"status": Triage.NEW},
                after={"status": Triage.ACKNOWLEDGED},
                at=now,
            )
        )
    IncidentTriage.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["finding"],
        update_fields=["status", "updated_by", "updated_at"],
    )
    audit_records(events)
    _forget_live(mission.pk)
    return len(changed)


# --- messages to observers ----------------------------------------------------------------------


def _codes(value, *, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: [_("Give a list of codes.")]})
    seen: list[str] = []
    for code in (v.strip() for v in value):
        if code and code not in seen:
            seen.append(code)
    return seen


def message_recipients(*, mission, regions: list[str], teams: list[str]):
    """The observers a message to these regions and teams reaches (both empty: everyone).

    An observer is in a region when their team is deployed there on election day (to the
    area, an area inside it, or stations in it). Unknown codes are a ValidationError.
    """
    observers = Observer.objects.filter(mission=mission)
    if not regions and not teams:
        return observers
    problems = {}
    known_areas = areas_by_code(mission=mission)
    unknown = [code for code in regions if code not in known_areas]
    if unknown:
        problems["regions"] = [
            _("Unknown area code: %(codes)s.") % {"codes": ", ".join(c[:64] for c in unknown[:10])}
        ]
    team_ids = dict(Team.objects.filter(mission=mission, code__in=teams).values_list("code", "id"))
    unknown = [code for code in teams if code not in team_ids]
    if unknown:
        problems["teams"] = [
            _("Unknown team code: %(codes)s.") % {"codes": ", ".join(c[:64] for c in unknown[:10])}
        ]
    if problems:
        raise ValidationError(problems)
    chosen = set(team_ids.values())
    if regions:
        wanted = {known_areas[code]["id"] for code in regions}
        chosen |= {team for team, areas in team_area_ids(mission=mission).items() if areas & wanted}
    return observers.filter(team_id__in=chosen)


def _enqueue_sms_relay(message_id: int) -> None:
    """Hand the SMS copies of a message to a worker; a broker that is down costs the SMS
    copies (logged), never the message, which the phones already show."""
    try:
        sms_relay_task.delay(message_id=message_id)
    except Exception:  # the message is committed: the request must not fail now
        logger.exception("message %s: could not enqueue its SMS copies", message_id)


@transaction.atomic
def message_send(
    *,
    mission,
    actor,
    text: str,
    text_i18n: dict | None = None,
    regions: list[str] | None = None,
    teams: list[str] | None = None,
    now,
) -> ObserverMessage:
    """Send a notice to every observer of the mission, of some regions or of some teams, in
    the mission's languages (``text`` in its default language, ``text_i18n`` the others)."""
    text = _text(text, field="text", limit=MESSAGE_MAX_LENGTH, required=True)
    languages = mission_languages(mission=mission)
    if text_i18n in (None, ""):
        text_i18n = {}
    if not isinstance(text_i18n, dict):
        raise ValidationError({"text_i18n": [_('Give translations as {"ru": "...", ...}.')]})
    translations = {}
    for language, translated in text_i18n.items():
        if language not in languages:
            raise ValidationError(
                {
                    "text_i18n": [
                        _("%(language)s is not one of the mission's languages (%(languages)s).")
                        % {"language": str(language)[:20], "languages": ", ".join(languages)}
                    ]
                }
            )
        translated = _text(translated, field="text_i18n", limit=MESSAGE_MAX_LENGTH)
        if translated:
            translations[language] = translated
    regions = _codes(regions, field="regions")
    teams = _codes(teams, field="teams")
    observer_ids = list(
        message_recipients(mission=mission, regions=regions, teams=teams)
        .order_by("id")
        .values_list("id", flat=True)
    )
    message = ObserverMessage.objects.create(
        mission=mission,
        text=text,
        text_i18n=translations,
        regions=regions,
        teams=teams,
        recipients=len(observer_ids),
        sent_by=actor,
        sent_at=now,
    )
    MessageRecipient.objects.bulk_create(
        [MessageRecipient(message=message, observer_id=pk) for pk in observer_ids],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        mission=mission,
        action="message.send",
        obj=message,
        after={
            "text": text,
            "languages": sorted(translations),
            "regions": regions,
            "teams": teams,
            "recipients": len(observer_ids),
        },
        at=now,
    )
    transaction.on_commit(partial(_enqueue_sms_relay, message.pk), robust=True)
    return message


@transaction.atomic
def message_mark_read(*, delivery: MessageRecipient, now) -> MessageRecipient:
    """The observer opened the message: the first reading counts, later ones change nothing."""
    if delivery.read_at is None:
        updated = MessageRecipient.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            delivery.read_at = now
        else:
            delivery.refresh_from_db(fields=["read_at"])
    return delivery
