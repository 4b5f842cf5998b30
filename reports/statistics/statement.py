"""The preliminary statement: its figures (a read, ``statement_figures``) and the same figures
as a Markdown file and as a PDF (printed by Chromium like the briefing pack: figures in,
text or bytes out).

Every figure carries the filter that produced it, as on the page, so a reader can reproduce it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, JSONField, Q, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import Exact
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.clock import clock_text
from common.numbers import figure_text, share_exact
from missions.languages import list_text, text_in
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
from reports.charts import printing
from reports.charts.base import choice_label
from reports.statistics import share_interval
from reports.statistics.phrasing import (
    finding_sentence,
    negative_sentence,
    share_texts,
    yes_sentence,
)
from reports.statistics.selectors import COUNTED_STATUSES

# What CommonMark acts on wherever it stands: emphasis (an underscore inside a word, as in
# PVT_NURLANOVA, does not act), code, links, HTML, table cells, strikethrough, entities...
MARKDOWN_INLINE = re.compile(r"([\\`*\[\]<>|~]|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;))")
# ... and what it acts on only at the start of a line: a heading, a bullet, a setext underline
# or an ordered list's "1." / "1)".
MARKDOWN_LINE_START = re.compile(r"^([#+\-=])|^(\d+)([.)])(?=\s|$)")


def md(text) -> str:
    """Free text made inert in Markdown, line breaks made spaces, and nothing more escaped
    than Markdown would act on: "4.1% (2.0–8.0%)" stays as it is (issue 20: the file read
    "4\\.1% \\(2\\.0–8\\.0%\\)"), "*bold*" and "<b>" do not act."""
    text = MARKDOWN_INLINE.sub(r"\\\1", " ".join(str(text).split()))
    return MARKDOWN_LINE_START.sub(
        lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text, count=1
    )


def _generated(mission, at) -> str:
    """ "Kazakhstan ... · 20 November 2022 · Generated 21 November 2022 09:00 (Asia/Almaty)"."""
    return _("%(mission)s · %(date)s · Generated %(at)s") % {
        "mission": mission.name,
        "date": formats.date_format(mission.election_date, "DATE_FORMAT"),
        "at": clock_text(at, mission, date=True),
    }


def _pct(share) -> str:
    """ "12.3% (5.0–20.1%)": written by ``common.numbers`` like every published figure."""
    if share.pct is None:
        return "–"
    interval = figure_text((share.low, share.high), kind="interval")
    return f"{figure_text(share_exact(share.k, share.n), kind='share')} ({interval})"


def _forms(n: int) -> str:
    return ngettext("%(n)s form.", "%(n)s forms.", n) % {"n": figure_text(n, kind="count")}


def statement_markdown(*, mission, figures: dict, generated_at) -> str:
    lines = [
        f"# {md(_('Preliminary statement: figures'))}",
        "",
        md(_generated(mission, generated_at)),
        "",
        md(
            _(
                "Shares are of observation forms (one per polling-station visit) with 95% "
                "Wilson intervals. Rejected forms never count."
            )
        ),
        "",
    ]
    for stage in figures["stages"]:
        lines += [f"## {md(stage['label'])}", ""]
        lines += [f"*{md(stage['filter_text'])}*", ""]
        lines.append(md(_forms(stage["forms"])))
        lines.append("")
        if not stage["forms"]:
            continue
        if stage["negative_sentence"]:
            lines.append("- " + md(stage["negative_sentence"]))
        for question in stage["questions"]:
            if question["sentence"] is not None:
                lines.append(f"- `{question['code']}` " + md(question["sentence"]))
        lines.append("")
        if stage["findings"]:
            lines += [
                f"### {md(_('Most frequent findings'))}",
                "",
                "| "
                + " | ".join(
                    md(h)
                    for h in (
                        _("Category"),
                        _("Findings"),
                        _("Forms with one"),
                        # xgettext:no-python-format
                        _("Share of forms (95% interval)"),
                    )
                )
                + " |",
                "|---|---:|---:|---|",
            ]
            for finding in stage["findings"]:
                lines.append(
                    f"| {md(finding['label'])} | {finding['findings']} | {finding['visits']} | "
                    f"{md(_pct(finding['share']))} |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def statement_html(*, mission, figures: dict, generated_at) -> str:
    """The statement as a printable page in the active language (right to left in Arabic)."""
    return render_to_string(
        "reports/statement_print.html",
        {
            "mission": mission,
            "figures": figures,
            "generated": _generated(mission, generated_at),
            "language": translation.get_language(),
            "bidi": translation.get_language_bidi(),
        },
    )


def statement_pdf(*, mission, figures: dict, generated_at) -> bytes:
    """The same content as ``statement_markdown``, an A4 PDF printed by Chromium as the
    briefing pack is (``reports.charts.printing``): it shapes Arabic, draws Chinese and
    Kazakh, and numbers the pages. Raises ChromiumUnavailable or RenderFailed."""
    pages = escape(_("Page %(page)s of %(pages)s")) % {
        "page": '<span class="pageNumber"></span>',
        "pages": '<span class="totalPages"></span>',
    }
    footer = (
        "<div style=\"font-family: 'Noto Sans', 'Noto Sans Arabic', sans-serif; "
        "font-size: 8pt; color: #4d5566; width: 100%; padding: 0 14mm; display: flex; "
        f'justify-content: space-between;"><span>{escape(mission.name)}</span>'
        f"<span>{pages}</span></div>"
    )
    return printing.html_print(
        html=statement_html(mission=mission, figures=figures, generated_at=generated_at),
        footer=footer,
    )


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
        """The filter as sentences, e.g. for a footnote under a figure, in the reader's
        language: the stage and statuses by their names, times on the mission's clock."""
        if self.start or self.end:
            window = _("Arrived from %(start)s to %(end)s.") % {
                "start": clock_text(self.start, mission, date=True) if self.start else "…",
                "end": clock_text(self.end, mission, date=True) if self.end else "…",
            }
        else:
            window = _("Any arrival time.")
        if versions:
            version_text = ngettext(
                "Checklist version %(versions)s.", "Checklist versions %(versions)s.", len(versions)
            ) % {"versions": ", ".join(f"v{v}" for v in versions)}
        else:
            version_text = _("No checklist version.")
        statuses = list_text(choice_label(VisitStatus, status) for status in self.statuses)
        return " ".join(
            [
                _("Filter: forms of the stage “%(stage)s” with the status %(statuses)s.")
                % {"stage": choice_label(Stage, stage), "statuses": statuses},
                _("Rejected forms never count."),
                window,
                version_text,
            ]
        )


def _answer_is(code: str, value: bool) -> Q:
    # KeyTransform, not ``answers__<code>``: a code such as "contains" would read as a lookup.
    return Q(Exact(KeyTransform(code, "answers"), Value(value, output_field=JSONField())))


def _texts(share) -> dict:
    return share_texts(k=share.k, n=share.n, low=share.low, high=share.high)


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
        .values("code", "text", "text_i18n", "position", "checklist_id")
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
            localised = text_in(question["text"], question["text_i18n"])
            stage_questions[checklist["stage"]][question["code"]] = {
                "code": question["code"],
                # In the reader's language; ``text_language`` says which (English when the
                # question has no translation into it, which the page marks).
                "text": localised.text,
                "text_language": localised.language,
                "text_fallback": localised.fallback,
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
        stage_label = choice_label(Stage, stage)
        versions = versions_used.get(stage, [])
        filter_text = filter.describe(mission=mission, stage=stage, versions=versions)
        negative = share_interval(row["negative"] if row else 0, row["assessed"] if row else 0)
        question_rows = []
        for spec in sorted(stage_questions.get(stage, {}).values(), key=lambda q: q["position"]):
            index = codes.index(spec["code"])
            yes = row[f"yes_{index}"] if row else 0
            no = row[f"no_{index}"] if row else 0
            share = share_interval(yes, yes + no)
            sentence = (
                yes_sentence(question=spec["text"], texts=_texts(share), total=share.n)
                if share.n
                else None
            )
            question_rows.append(
                {
                    **spec,
                    "yes": yes,
                    "no": no,
                    "share": share,
                    "share_text": _pct(share),
                    "sentence": sentence,
                }
            )
        finding_rows = []
        for finding in sorted(
            findings_by_stage.get(stage, []),
            key=lambda r: (-r["visits"], -r["findings"], r["category"]),
        ):
            share = share_interval(finding["visits"], forms)
            label = choice_label(FindingCategory, finding["category"])
            finding_rows.append(
                {
                    "category": finding["category"],
                    "label": label,
                    "findings": finding["findings"],
                    "visits": finding["visits"],
                    "share": share,
                    "share_text": _pct(share),
                    "sentence": finding_sentence(
                        category=label, texts=_texts(share), total=share.n
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
                    negative_sentence(stage=stage, texts=_texts(negative), total=negative.n)
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
