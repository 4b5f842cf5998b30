"""Reads behind the statistics pages: the preliminary statement, the turnout estimate, the quick
count and the forensic views.

Every function costs a fixed number of queries, whatever the number of questions, stations or
visits (set-based SQL: conditional aggregates, window functions). Every interval comes from
``reports.statistics``. The SQL is the ORM's and runs on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, JSONField, Q, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from observation.models import (
    NEGATIVE_ASSESSMENTS,
    Checklist,
    Finding,
    FindingCategory,
    Question,
    QuestionType,
    ReviewStatus,
    Stage,
    Visit,
    VisitStatus,
)

from .phrasing import yes_statement
from .statistics import share_interval

# Every status but REJECTED counts; a rejected report never does, whatever the filter says.
COUNTED_STATUSES = (VisitStatus.SUBMITTED, VisitStatus.FLAGGED, VisitStatus.VERIFIED)
CONFIDENCES = (0.95, 0.99)
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# --- the preliminary statement -----------------------------------------------------------------


@dataclass(frozen=True)
class StatementFilter:
    """Which reports a statement counts: anyone can apply the same filter and get its figures.

    ``start``/``end`` bound the visits' arrival time (inclusive); ``current_only`` keeps only
    visits made on the current version of each stage's checklist.
    """

    statuses: tuple[str, ...] = COUNTED_STATUSES
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    current_only: bool = False

    def __post_init__(self):
        statuses = tuple(s for s in COUNTED_STATUSES if s in set(self.statuses))
        object.__setattr__(self, "statuses", statuses or COUNTED_STATUSES)

    def visits(self, *, mission):
        queryset = Visit.objects.filter(mission=mission, status__in=self.statuses)
        if self.start is not None:
            queryset = queryset.filter(arrived_at__gte=self.start)
        if self.end is not None:
            queryset = queryset.filter(arrived_at__lte=self.end)
        if self.current_only:
            queryset = queryset.filter(checklist__is_current=True)
        return queryset

    def describe(self, *, mission, stage: str, versions: list[int]) -> str:
        """The filter as one sentence, e.g. for a footnote under a figure."""
        tz = mission.tzinfo
        if self.start or self.end:
            start = self.start.astimezone(tz).strftime("%Y-%m-%d %H:%M") if self.start else "…"
            end = self.end.astimezone(tz).strftime("%Y-%m-%d %H:%M") if self.end else "…"
            window = _("arrived from %(start)s to %(end)s (%(tz)s)") % {
                "start": start,
                "end": end,
                "tz": mission.timezone,
            }
        else:
            window = _("any arrival time")
        version_text = ", ".join(f"v{v}" for v in versions) if versions else _("none")
        return _(
            "%(stage)s forms; status %(statuses)s (never REJECTED); %(window)s; "
            "checklist versions %(versions)s"
        ) % {
            "stage": stage,
            "statuses": ", ".join(self.statuses),
            "window": window,
            "versions": version_text,
        }


def _answer_is(code: str, value: bool) -> Q:
    # KeyTransform, not ``answers__<code>``: a code such as "contains" would read as a lookup.
    return Q(Exact(KeyTransform(code, "answers"), Value(value, output_field=JSONField())))


def _sentence(subject: str, share) -> str:
    return _("%(subject)s in %(pct)s%% (%(low)s%% to %(high)s%%) of polling stations observed") % {
        "subject": subject,
        "pct": f"{share.pct:.0f}",
        "low": f"{share.low:.0f}",
        "high": f"{share.high:.0f}",
    }


def statement_figures(*, mission, filter: StatementFilter | None = None) -> dict:
    """Per stage: forms, the negative share, every yes/no question's "yes" share and the most
    frequent findings, each share with its 95% Wilson interval and the filter that made it.

    Four queries: checklists, yes/no questions, one conditional aggregate over the visits
    (all questions at once), and one over the findings.
    """
    filter = filter or StatementFilter()
    checklists = list(
        Checklist.objects.filter(mission=mission).values("id", "stage", "version", "is_current")
    )
    questions = list(
        Question.objects.filter(checklist__mission=mission, type=QuestionType.YES_NO)
        .values("code", "text", "position", "checklist_id")
        .order_by("checklist_id", "position", "id")
    )
    checklist_by_id = {c["id"]: c for c in checklists}
    # Each stage's yes/no codes, with the text of the newest version that asks them.
    stage_questions: dict[str, dict[str, dict]] = defaultdict(dict)
    for question in questions:
        checklist = checklist_by_id[question["checklist_id"]]
        if filter.current_only and not checklist["is_current"]:
            continue
        known = stage_questions[checklist["stage"]].get(question["code"])
        if known is None or checklist["version"] > known["version"]:
            stage_questions[checklist["stage"]][question["code"]] = {
                "code": question["code"],
                "text": question["text"],
                "position": question["position"],
                "version": checklist["version"],
            }
    codes = sorted({code for per_stage in stage_questions.values() for code in per_stage})
    # Aliases are positional so no question code can clash with an aggregate's name.
    annotations = {
        "forms": Count("id"),
        "assessed": Count("id", filter=Q(assessment__isnull=False)),
        "negative": Count("id", filter=Q(assessment__in=NEGATIVE_ASSESSMENTS)),
    }
    for index, code in enumerate(codes):
        annotations[f"yes_{index}"] = Count("id", filter=_answer_is(code, True))
        annotations[f"no_{index}"] = Count("id", filter=_answer_is(code, False))
    visits = filter.visits(mission=mission)
    counts = {
        row["stage"]: row
        for row in visits.order_by().values("stage").annotate(**annotations).order_by("stage")
    }
    versions_used = {
        row["stage"]: sorted(v for v in row["versions"] if v is not None)
        for row in _versions_by_stage(visits)
    }
    finding_counts = (
        Finding.objects.filter(visit__in=visits.values("id"))
        .exclude(review_status=ReviewStatus.DISMISSED)
        .order_by()
        .values("visit__stage", "category")
        .annotate(findings=Count("id"), visits=Count("visit_id", distinct=True))
    )
    findings_by_stage: dict[str, list[dict]] = defaultdict(list)
    for row in finding_counts:
        findings_by_stage[row["visit__stage"]].append(row)

    stages = []
    for stage in Stage.values:
        row = counts.get(stage)
        forms = row["forms"] if row else 0
        stage_label = _label(Stage, stage)
        versions = versions_used.get(stage, [])
        filter_text = filter.describe(mission=mission, stage=stage, versions=versions)
        negative = share_interval(row["negative"] if row else 0, row["assessed"] if row else 0)
        question_rows = []
        for spec in sorted(stage_questions.get(stage, {}).values(), key=lambda q: q["position"]):
            index = codes.index(spec["code"])
            yes = row[f"yes_{index}"] if row else 0
            no = row[f"no_{index}"] if row else 0
            share = share_interval(yes, yes + no)
            phrase = yes_statement(spec["text"])
            if share.n == 0:
                sentence = None
            elif phrase:
                sentence = _sentence(phrase, share)
            else:
                sentence = _sentence(
                    _("“Yes” to “%(question)s”") % {"question": spec["text"]}, share
                )
            question_rows.append(
                {**spec, "yes": yes, "no": no, "share": share, "sentence": sentence}
            )
        finding_rows = []
        for finding in sorted(
            findings_by_stage.get(stage, []),
            key=lambda r: (-r["visits"], -r["findings"], r["category"]),
        ):
            share = share_interval(finding["visits"], forms)
            label = _label(FindingCategory, finding["category"])
            finding_rows.append(
                {
                    "category": finding["category"],
                    "label": label,
                    "findings": finding["findings"],
                    "visits": finding["visits"],
                    "share": share,
                    "sentence": _sentence(
                        _("%(category)s was reported") % {"category": label}, share
                    ),
                }
            )
        stages.append(
            {
                "stage": stage,
                "label": stage_label,
                "forms": forms,
                "assessed": negative.n,
                "negative": negative,
                "negative_sentence": (
                    _sentence(
                        _("%(stage)s was assessed as bad or very bad") % {"stage": stage_label},
                        negative,
                    )
                    if negative.n
                    else None
                ),
                "questions": question_rows,
                "findings": finding_rows,
                "versions": versions,
                "filter_text": filter_text,
            }
        )
    return {"filter": filter, "stages": stages}


def _versions_by_stage(visits):
    """The checklist versions the counted visits were made on, per stage (one query)."""
    rows = visits.order_by().values("stage", "checklist__version").distinct()
    by_stage: dict[str, set] = defaultdict(set)
    for row in rows:
        by_stage[row["stage"]].add(row["checklist__version"])
    return [{"stage": stage, "versions": versions} for stage, versions in by_stage.items()]
