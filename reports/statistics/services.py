"""Writes for the quick count: a mission's candidates and the counting form's vote questions.

When a mission has candidates, its current COUNTING checklist carries one INTEGER question per
candidate (``PVT_<code>``: the candidate's votes), then ``PVT_INVALID`` (invalid ballots) and
``PVT_BALLOTS`` (ballots found in the box). Every change of candidates revises the checklist
through the checklist editor's own service (``observation.checklists.checklist_revise``): a
checklist that already has visits gets a new version, the old one stays with its visits.
"""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from missions.audit import audit_event, audit_record, audit_records
from missions.languages import site_languages
from observation.checklists import checklist_revise, question_spec
from observation.models import Checklist, QuestionType, Stage
from reports.models import PVT_BALLOTS, PVT_INVALID, PVT_PREFIX, Candidate

# Bounds of a count at one polling station, as for the default counting form's counts.
COUNT_MAX = 10000


def _candidate_data(candidate: Candidate) -> dict:
    return {"code": candidate.code, "name": candidate.name, "position": candidate.position}


def _in_languages(languages: list[str], write) -> tuple[str, dict]:
    """A text the code writes (``write()`` under each language): English, and the others."""
    with translation.override("en"):
        english = write()
    translations = {}
    for language in languages:
        if language != "en":
            with translation.override(language):
                translations[language] = write()
    return english, translations


def pvt_question_specs(*, candidates, languages: list[str] = ()) -> list[dict]:
    """The quick count's questions for these candidates, in ballot order (none without any),
    in English with their translations into ``languages`` (the mission's)."""
    candidates = list(candidates)
    if not candidates:
        return []

    def count(code, write):
        text, text_i18n = _in_languages(languages, write)
        return {
            "code": code,
            "text": text,
            "text_i18n": text_i18n,
            "help": "",
            "help_i18n": {},
            "type": QuestionType.INTEGER,
            "required": True,
            "choices": [],
            "min": 0,
            "max": COUNT_MAX,
            "show_if": None,
        }

    return [
        *(
            count(PVT_PREFIX + c.code, lambda c=c: _("Votes for %(name)s") % {"name": c.name})
            for c in candidates
        ),
        count(PVT_INVALID, lambda: _("Invalid ballots (quick count)")),
        count(PVT_BALLOTS, lambda: _("Ballots found in the ballot box (quick count)")),
    ]


def pvt_checklist_sync(*, mission, actor, now) -> Checklist | None:
    """Make the current COUNTING checklist ask for the votes of the mission's candidates.

    Other questions keep their place; the quick count's questions come last, in ballot order.
    Returns the checklist that holds them (a new version if the old one had visits), or None
    when the mission has no COUNTING checklist.
    """
    checklist = Checklist.objects.filter(
        mission=mission, stage=Stage.COUNTING, is_current=True
    ).first()
    if checklist is None:
        return None
    candidates = Candidate.objects.filter(mission=mission).order_by("position", "code", "id")
    kept = [
        question_spec(q)
        for q in checklist.questions.order_by("position", "id")
        if not q.code.startswith(PVT_PREFIX)
    ]
    return checklist_revise(
        checklist=checklist,
        actor=actor,
        by_code=True,
        questions=[
            *kept,
            *pvt_question_specs(
                # Written by the code, not the coordinator: in every language the site speaks.
                candidates=candidates,
                languages=site_languages(),
            ),
        ],
        now=now,
    )


@transaction.atomic
def candidate_create(*, mission, actor, code: str, name: str, position: int, now) -> Candidate:
    """Add a candidate and its vote question to the counting form. Raises ValidationError."""
    candidate = Candidate(mission=mission, code=(code or "").strip().upper(), name=name.strip())
    candidate.position = position
    candidate.full_clean()
    candidate.save()
    audit_record(
        actor=actor,
        mission=mission,
        action="candidate.create",
        obj=candidate,
        after=_candidate_data(candidate),
        at=now,
    )
    pvt_checklist_sync(mission=mission, actor=actor, now=now)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor, name: str, position: int, now) -> Candidate:
    """Rename or reorder a candidate (its code, and so its answers, stay)."""
    before = _candidate_data(candidate)
    candidate.name = name.strip()
    candidate.position = position
    candidate.full_clean()
    if _candidate_data(candidate) == before:
        return candidate
    candidate.save(update_fields=["name", "position"])
    audit_record(
        actor=actor,
        mission=candidate.mission,
        action="candidate.update",
        obj=candidate,
        before=before,
        after=_candidate_data(candidate),
        at=now,
    )
    pvt_checklist_sync(mission=candidate.mission, actor=actor, now=now)
    return candidate


@transaction.atomic
def candidate_delete(*, candidate: Candidate, actor, now) -> None:
    """Remove a candidate; counts already reported stay in their visits' answers."""
    mission = candidate.mission
    audit_record(
        actor=actor,
        mission=mission,
        action="candidate.delete",
        obj=candidate,
        before=_candidate_data(candidate),
        at=now,
    )
    candidate.delete()
    pvt_checklist_sync(mission=mission, actor=actor, now=now)


def candidates_copy(*, mission, source, actor, now) -> list[Candidate]:
    """A new mission's candidates copied from ``source`` (on ``mission_created``), each with
    its audit event; the counting form then asks for their votes (the copied checklist
    already does, unless the source's had drifted)."""
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(mission=mission, code=c.code, name=c.name, position=c.position)
            for c in Candidate.objects.filter(mission=source).order_by("position", "code", "id")
        ]
    )
    if not candidates:
        return []
    audit_records(
        [
            audit_event(
                actor=actor,
                mission=mission,
                action="candidate.create",
                obj=candidate,
                after={**_candidate_data(candidate), "copied_from": source.pk},
                at=now,
            )
            for candidate in candidates
        ]
    )
    pvt_checklist_sync(mission=mission, actor=actor, now=now)
    return candidates
