"""The briefing pack PDF and the slide PDF: HTML pages printed by Chromium, and the
``build_briefing_pack`` task's work (its progress on the ``BriefingPack`` row).

The pack (A4): the mission, the election and the briefing's title; the summary (the mission's
key messages); the key figures as sentences; tables of assessments, turnout hour by hour
(observed beside official at the same hour), findings and regions, which split across pages
with their header rows repeated; every chart on a landscape page of its own; the note on
method; page numbers on every page. The slides (16:9): a title slide with the summary, then
one chart per slide, at the size the briefing room projects.

Every chart is the briefing's chart dressed by ``reports.briefings.figures.press_figure`` and
rendered to SVG by kaleido, then set inline, so its text stays text in the PDF (a reader can
search it, and a test reads it back with pypdf). Templates: ``templates/reports/press/``.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable

import plotly.graph_objects as go
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.numbers import figure_text, share_exact
from reports.briefings.content import briefing_content
from reports.briefings.figures import press_figure
from reports.briefings.selectors import (
    briefing_charts,
    storage_read,
    storage_write,
    stored_name,
)
from reports.charts import printing, rendering
from reports.models import Briefing, BriefingPack, BriefingPackStatus

logger = logging.getLogger(__name__)

_SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def svg_inline(svg: bytes | str) -> str:
    """A rendered chart's SVG made to scale with its box: a viewBox from its size, and the
    fixed width and height left to CSS."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    root = _SVG_ROOT.search(text)
    if root is None:
        raise rendering.RenderFailed("the chart's SVG has no root element")
    tag = root.group(0)
    width = re.search(r'\swidth="([\d.]+)"', tag)
    height = re.search(r'\sheight="([\d.]+)"', tag)
    new = tag
    if width and height:
        if "viewBox" not in tag:
            new = new.replace("<svg", f'<svg viewBox="0 0 {width.group(1)} {height.group(1)}"', 1)
        new = re.sub(r'\s(width|height)="[\d.]+"', "", new)
    return text[: root.start()] + new + text[root.end() :]


def chart_svgs(*, briefing, size: str, progress: Callable[[int], None] | None = None) -> list[dict]:
    """Every chart of the briefing, dressed for ``size``, as inline SVG (in order)."""
    out = []
    for number, chart in enumerate(briefing_charts(briefing=briefing), start=1):
        figure = press_figure(
            name=chart["name"],
            arguments=chart["arguments"],
            snapshot=briefing.snapshot,
            size=size,
            title=chart["title"],
        )
        svg = rendering.figure_render(figure=go.Figure(figure), fmt="svg")
        # Our own render: plotly writes every label as escaped SVG text (``charts.esc``).
        markup = mark_safe(svg_inline(svg))  # noqa: S308
        out.append({"name": chart["name"], "title": chart["title"], "svg": markup})
        if progress:
            progress(number)
    return out


def region_rows(snapshot: dict) -> list[dict]:
    """Per region: stations visited of the total, and observed turnout in the last hour."""
    arguments = {c["name"]: c["arguments"] for c in snapshot.get("charts", [])}
    coverage = arguments.get("coverage_by_area", {}).get("rows") or []
    turnout = arguments.get("turnout_by_area", {}).get("rows") or []
    latest = max((r["bucket_end"] for r in turnout), default=None)
    turnout_at = {r["area_code"]: r for r in turnout if r["bucket_end"] == latest}
    rows = []
    for row in sorted(coverage, key=lambda r: (str(r["area_name"]).casefold(), r["area_code"])):
        hour = turnout_at.get(row["area_code"])
        rows.append(
            {
                "name": row["area_name"],
                "visited": row["stations_visited"],
                "total": row["stations_total"],
                "coverage_text": figure_text(
                    share_exact(row["stations_visited"], row["stations_total"]), kind="share"
                ),
                "visits": row["visits"],
                "turnout_text": figure_text(
                    share_exact(hour["voters"], hour["registered"]) if hour else None,
                    kind="share",
                ),
                "turnout_stations": hour["stations_reporting"] if hour else None,
            }
        )
    return rows


def _context(briefing, charts: list[dict]) -> dict:
    snapshot = briefing.snapshot
    return {
        "briefing": briefing,
        "mission": snapshot["mission"],
        "content": briefing_content(briefing=briefing),
        "regions": region_rows(snapshot),
        "charts": charts,
        "published": figure_text(
            briefing.published_at, kind="datetime", timezone=snapshot["mission"]["timezone"]
        ),
        "language": translation.get_language(),
        "bidi": translation.get_language_bidi(),
    }


def _footer(briefing) -> str:
    """Chromium's page footer: the mission and briefing, and "page N of M"."""
    label = escape(f"{briefing.snapshot['mission']['name']} · {briefing.title}")
    pages = escape(_("Page %(page)s of %(pages)s")) % {
        "page": '<span class="pageNumber"></span>',
        "pages": '<span class="totalPages"></span>',
    }
    return (
        "<div style=\"font-family: 'Noto Sans', 'Noto Sans Arabic', sans-serif; "
        "font-size: 8pt; color: #4d5566; width: 100%; padding: 0 14mm; display: flex; "
        f'justify-content: space-between;"><span>{label}</span><span>{pages}</span></div>'
    )


def pack_html(*, briefing, charts: list[dict]) -> str:
    return render_to_string("reports/press/pack.html", _context(briefing, charts))


def pack_pdf(*, briefing, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The briefing pack in the active language. ``progress(done, total)`` after each step
    (each chart, then the printing)."""
    total = len(briefing_charts(briefing=briefing)) + 1

    def step(done: int) -> None:
        if progress:
            progress(done, total)

    charts = chart_svgs(briefing=briefing, size="print", progress=step)
    html = pack_html(briefing=briefing, charts=charts)
    pdf = printing.html_print(html=html, footer=_footer(briefing))
    step(total)
    return pdf


def slides_html(*, briefing, charts: list[dict]) -> str:
    return render_to_string("reports/press/slides.html", _context(briefing, charts))


def slides_pdf(*, briefing) -> bytes:
    """The presentation as a PDF, one 16:9 page per slide, in the active language."""
    charts = chart_svgs(briefing=briefing, size="slide")
    return printing.html_print(html=slides_html(briefing=briefing, charts=charts))


def _pack_progress(pack: BriefingPack, **fields) -> None:
    for key, value in fields.items():
        setattr(pack, key, value)
    pack.save(update_fields=list(fields))


def briefing_pack_build(*, pack_id: int, now) -> None:
    """Render the pack (``pack_pdf``) and store it (the Celery task).

    Writes its progress after every chart and after printing. Idempotent: a pack already
    built is left as it is. ``now`` is a callable, so that start and end times are the real
    ones.
    """
    from pypdf import PdfReader, PdfWriter

    pack = BriefingPack.objects.select_related("briefing__mission").filter(pk=pack_id).first()
    if pack is None or pack.status == BriefingPackStatus.READY:
        return
    briefing = pack.briefing
    with translation.override(pack.language):
        _pack_progress(pack, status=BriefingPackStatus.BUILDING, done=0, started_at=now())

        def progress(done: int, total: int) -> None:
            _pack_progress(pack, done=done, total=total)

        try:
            data = pack_pdf(briefing=briefing, progress=progress)
        except rendering.ChromiumUnavailable as exc:
            logger.warning("Briefing pack %s: %s", pack_id, exc)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=rendering.INSTALL_HINT,
                finished_at=now(),
            )
            return
        except Exception as exc:
            logger.exception("Briefing pack %s could not be built", pack_id)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=_("The pack could not be built; try again in a minute."),
                finished_at=now(),
            )
            if isinstance(exc, rendering.RenderFailed):
                return  # a browser hiccup: the next request queues the build again
            raise
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.add_metadata(
            {
                "/Title": f"{briefing.snapshot['mission']['name']}: {briefing.title}",
                "/Producer": "Observatory",
            }
        )
        buffer = io.BytesIO()
        writer.write(buffer)
    name = storage_write(stored_name(briefing, pack.language, "pack.pdf"), buffer.getvalue())
    _pack_progress(pack, status=BriefingPackStatus.READY, file_name=name, finished_at=now())


def briefing_pack_file(*, pack: BriefingPack) -> bytes | None:
    if pack.status != BriefingPackStatus.READY or not pack.file_name:
        return None
    return storage_read(pack.file_name)


def briefing_pack_get(*, briefing: Briefing, language: str) -> BriefingPack | None:
    return BriefingPack.objects.filter(briefing=briefing, language=language).first()
