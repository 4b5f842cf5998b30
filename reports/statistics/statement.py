"""The preliminary statement's figures as a Markdown file and as a PDF (ReportLab).

Both are pure: ``statement_figures`` output in, text or bytes out. Every figure carries the
filter that produced it, as on the page, so a reader can reproduce it.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _

# A Unicode TrueType font when the system has one (mission names and question texts may be in
# Cyrillic); otherwise ReportLab's built-in Helvetica, which covers Latin-1 only.
UNICODE_FONTS = tuple(
    (f"{folder}/DejaVuSans.ttf", f"{folder}/DejaVuSans-Bold.ttf")
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def md(text) -> str:
    """Free text made inert in Markdown: every character Markdown (or HTML) could act on is
    backslash-escaped, and line breaks become spaces."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _generated(mission, at) -> str:
    return _("generated %(at)s") % {"at": at.astimezone(mission.tzinfo).isoformat()}


def _pct(share) -> str:
    if share.pct is None:
        return "–"
    return f"{share.pct:.1f}% ({share.low:.1f}–{share.high:.1f}%)"


def statement_markdown(*, mission, figures: dict, generated_at) -> str:
    lines = [
        f"# {md(_('Preliminary statement: figures'))}",
        "",
        f"**{md(mission.name)}** · {mission.election_date} · "
        + md(_generated(mission, generated_at)),
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
        lines += [f"*{md(_('Filter'))}: {md(stage['filter_text'])}.*", ""]
        lines.append(md(_("Forms: %(n)s.") % {"n": stage["forms"]}))
        lines.append("")
        if not stage["forms"]:
            continue
        if stage["negative_sentence"]:
            lines += [
                "- "
                + md(stage["negative_sentence"] + ".")
                + " "
                + md(
                    _("(%(k)s negative of %(n)s forms with an assessment)")
                    % {"k": stage["negative"].k, "n": stage["negative"].n}
                ),
            ]
        for question in stage["questions"]:
            if question["sentence"] is None:
                continue
            lines.append(
                "- "
                + md(question["sentence"] + ".")
                + " "
                + md(
                    _("(%(code)s: %(yes)s yes of %(n)s answers)")
                    % {"code": question["code"], "yes": question["yes"], "n": question["share"].n}
                )
            )
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


def _pdf_fonts() -> tuple[str, str]:
    """(regular, bold) font names, registering DejaVu Sans once if the system has it."""
    import os

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "StatementSans" in pdfmetrics.getRegisteredFontNames():
        return "StatementSans", "StatementSans-Bold"
    for regular, bold in UNICODE_FONTS:
        if os.path.exists(regular) and os.path.exists(bold):
            pdfmetrics.registerFont(TTFont("StatementSans", regular))
            pdfmetrics.registerFont(TTFont("StatementSans-Bold", bold))
            return "StatementSans", "StatementSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def statement_pdf(*, mission, figures: dict, generated_at) -> bytes:
    """The same content as ``statement_markdown``, laid out as an A4 PDF."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _pdf_fonts()
    styles = getSampleStyleSheet()
    for name in ("BodyText", "Title", "Heading2", "Heading3"):
        styles[name].fontName = bold if name != "BodyText" else regular
    small = styles["BodyText"].clone("small", fontSize=8, leading=10, textColor=colors.grey)
    story = [
        Paragraph(escape(_("Preliminary statement: figures")), styles["Title"]),
        Paragraph(
            escape(
                f"{mission.name} · {mission.election_date} · " + _generated(mission, generated_at)
            ),
            styles["BodyText"],
        ),
        Paragraph(
            escape(
                _(
                    "Shares are of observation forms (one per polling-station visit) with 95% "
                    "Wilson intervals. Rejected forms never count."
                )
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    for stage in figures["stages"]:
        story.append(Paragraph(escape(stage["label"]), styles["Heading2"]))
        story.append(Paragraph(escape(_("Filter") + ": " + stage["filter_text"] + "."), small))
        story.append(
            Paragraph(escape(_("Forms: %(n)s.") % {"n": stage["forms"]}), styles["BodyText"])
        )
        if not stage["forms"]:
            continue
        sentences = []
        if stage["negative_sentence"]:
            sentences.append(stage["negative_sentence"])
        sentences += [q["sentence"] for q in stage["questions"] if q["sentence"]]
        for sentence in sentences:
            story.append(Paragraph("• " + escape(sentence + "."), styles["BodyText"]))
        if stage["findings"]:
            story.append(Paragraph(escape(_("Most frequent findings")), styles["Heading3"]))
            # xgettext:no-python-format
            share = _("Share (95% interval)")
            data = [[_("Category"), _("Findings"), _("Forms with one"), share]]
            data += [
                [
                    Paragraph(escape(f["label"]), styles["BodyText"]),
                    str(f["findings"]),
                    str(f["visits"]),
                    _pct(f["share"]),
                ]
                for f in stage["findings"]
            ]
            table = Table(data, colWidths=[70 * mm, 22 * mm, 28 * mm, 50 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), regular),
                        ("FONTNAME", (0, 0), (-1, 0), bold),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                        ("ALIGN", (1, 1), (2, -1), "RIGHT"),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ]
                )
            )
            story.append(table)
        story.append(Spacer(1, 3 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Preliminary statement: figures"),
        author=mission.name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)
    return buffer.getvalue()
