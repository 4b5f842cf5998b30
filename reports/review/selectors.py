"""Reads for the review queue and the visit page (selectors: they only read)."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from missions.languages import list_text
from missions.models import AuditEvent
from observation.checklists.schema import choice_values
from observation.models import (
    Finding,
    FindingPhoto,
    FindingRevision,
    QuestionType,
    Visit,
    VisitRevision,
    VisitStatus,
)
from observation.observe.selectors import choice_label, question_text
from reports.dashboard.selectors import DashboardFilters, visits_in_window


def review_queue(*, mission, filters: DashboardFilters | None = None):
    """Flagged visits, oldest first (a queryset: the view paginates it)."""
    visits = Visit.objects.filter(mission=mission, status=VisitStatus.FLAGGED)
    if filters is not None:
        if filters.region_id:
            visits = visits.filter(station__region_id=filters.region_id)
        if filters.organisation_id:
            visits = visits.filter(observer__organisation_id=filters.organisation_id)
        if filters.stage:
            visits = visits.filter(stage=filters.stage)
        visits = visits_in_window(visits, filters)
    return visits.select_related(
        "station__region", "station__district", "team", "observer__organisation"
    ).order_by("created_at", "id")


def review_queue_findings(*, visits) -> dict[int, list[Finding]]:
    """The findings of one page of the queue, by visit id (one query)."""
    result: dict[int, list[Finding]] = {}
    for finding in Finding.objects.filter(visit__in=[v.pk for v in visits]).order_by(
        "visit_id", "id"
    ):
        result.setdefault(finding.visit_id, []).append(finding)
    return result


def visit_for(*, mission, visit_id: int) -> Visit | None:
    """One visit with everything its page shows, in a fixed number of queries."""
    return (
        Visit.objects.filter(mission=mission, pk=visit_id)
        .select_related(
            "station__region",
            "station__district",
            "team",
            "observer__organisation",
            "checklist",
        )
        .prefetch_related(
            "checklist__questions",
            Prefetch(
                "findings",
                queryset=Finding.objects.order_by("id").prefetch_related(
                    Prefetch("photos", queryset=_photos()),
                    Prefetch(
                        "revisions",
                        queryset=FindingRevision.objects.select_related("author").order_by(
                            "number", "id"
                        ),
                    ),
                ),
            ),
            Prefetch(
                "revisions",
                queryset=VisitRevision.objects.select_related("author").order_by("number", "id"),
            ),
        )
        .first()
    )


def _photos():
    return FindingPhoto.objects.order_by("id")


def visit_answers(*, visit) -> list[dict]:
    """The visit's answers in the order of its checklist, each question and answer in the
    reader's language (``text.fallback``: English, the checklist lacking that language)."""
    questions = sorted(visit.checklist.questions.all(), key=lambda q: (q.position, q.id))
    known = set()
    rows = []
    for question in questions:
        known.add(question.code)
        if question.code in visit.answers:
            rows.append(
                {
                    "code": question.code,
                    "text": question_text(question),
                    "type": question.type,
                    "value": _display(_choice_labels(question, visit.answers[question.code])),
                }
            )
    for code, value in sorted(visit.answers.items()):
        if code not in known:
            rows.append({"code": code, "text": "", "type": "", "value": _display(value)})
    return rows


def _display(value) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value is None:
        return "–"
    if isinstance(value, list):
        return list_text(value)
    return str(value)


def _choice_labels(question, value):
    """A choice answer shown by its label in the reader's language ("NONE" -> "Not
    crowded"), the checklist's own labels first; a number or a text as given."""
    if question.type not in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
        return value
    labels = {choice_values([c])[0]: choice_label(c) for c in question.choices or []}
    if isinstance(value, list):
        return [labels.get(item, item) if isinstance(item, str) else item for item in value]
    return labels.get(value, value) if isinstance(value, str) else value


def visit_audit(*, visit) -> list:
    """Audit events about the visit and its findings, oldest first."""
    finding_ids = [str(f.pk) for f in visit.findings.all()]
    return list(
        AuditEvent.objects.filter(mission_id=visit.mission_id)
        .filter(
            Q(object_type="observation.visit", object_id=str(visit.pk))
            | Q(object_type="observation.finding", object_id__in=finding_ids)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
