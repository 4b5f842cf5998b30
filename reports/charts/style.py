"""How a chart looks when it leaves the dashboard: for print, for slides, for social media.

``figure_dress(figure, title=, subtitle=, source=, size=)`` takes a chart as drawn by
``reports.charts`` (the plain figure dict) and lays it out on a page of a fixed size so that
nothing overlaps and nothing runs off:

- every margin is computed from what sits in it: the tick labels are measured with the very
  font Chromium draws them in (Pillow reads the vendored TrueType files), the title and
  subtitle are wrapped to the width, the legend's rows are counted, rotated labels take their
  rotated height, a colour bar its width;
- the title, subtitle, legend and the source line start at the same left edge;
- the source line ("<mission> observers, N reports, as of <time> <zone>") sits at the bottom
  of every chart file, so a PNG that travels alone still says where it comes from;
- colours are the Okabe-Ito palette (safe for the common forms of colour blindness), fonts are
  Noto Sans and Noto Sans Arabic (Latin, Cyrillic with the Kazakh letters, Arabic), vendored
  under ``static/fonts`` with their licence; ``static/fonts/fonts.conf`` hands them to the
  Chromium that renders the files (``reports.charts.rendering``), and pages load them by @font-face.

Sizes (``SIZES``): ``print`` is A4 landscape at 96 px per inch (PNG at 3x, about 290 dpi),
``web`` 960 x 640 (the embeddable chart), ``slide`` 16:9 at 1600 x 900, ``social`` a
1200 x 1200 square. The figure is pure: a new dict.
"""

from __future__ import annotations

import copy
import functools
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import formats

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
FONT_FILES = {
    (False, False): "NotoSans-Regular.ttf",
    (True, False): "NotoSans-Bold.ttf",
    (False, True): "NotoSansArabic-Regular.ttf",
    (True, True): "NotoSansArabic-Bold.ttf",
}
FONT_FAMILY = '"Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif'

# Okabe & Ito (2008), "Color Universal Design": eight colours told apart with the common
# colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
INK = "#1d2433"
MUTED = "#4d5566"
# What each colour means in the charts (``reports.charts.base.COLOURS`` is this).
COLOURS = {
    "accent": OKABE_ITO["blue"],
    "official": OKABE_ITO["black"],
    "region": OKABE_ITO["orange"],
    "visited": OKABE_ITO["bluish_green"],
    "not_visited": "#d9dde3",
    "not_visited_line": MUTED,
    "outline": "#8a93a6",
    # good to bad: blue to vermillion, a diverging pair the colour-blind tell apart
    "VERY_GOOD": OKABE_ITO["blue"],
    "GOOD": OKABE_ITO["sky_blue"],
    "BAD": OKABE_ITO["orange"],
    "VERY_BAD": OKABE_ITO["vermillion"],
    "MINOR": OKABE_ITO["sky_blue"],
    "SERIOUS": OKABE_ITO["orange"],
    "CRITICAL": OKABE_ITO["vermillion"],
    "negative": INK,
    "annotation": OKABE_ITO["reddish_purple"],
}
COLORWAY = [
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]
# Counts from none (white) to many (dark vermillion): one hue, so it reads in grey too.
SEQUENTIAL = [[0, "#ffffff"], [0.001, "#fbe3cf"], [0.5, "#e8833a"], [1, "#8c2d04"]]


@dataclass(frozen=True)
class Size:
    name: str
    width: int  # CSS pixels
    height: int
    font: int  # base font size, px
    png_scale: float  # PNG pixels per CSS pixel


SIZES = {
    "print": Size("print", 1123, 794, 14, 3),
    "web": Size("web", 960, 640, 14, 2),
    "slide": Size("slide", 1600, 900, 22, 1.5),
    "social": Size("social", 1200, 1200, 24, 1),
}
DEFAULT_SIZE = "print"
LINE = 1.3  # line height, in font sizes
FALLBACK_ROOM = 0.9  # share of the width that wrapped text may fill
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


# --- measuring text ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _font(bold: bool, arabic: bool, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / FONT_FILES[(bold, arabic)]), size)


def plain_lines(text) -> list[str]:
    """The lines of a Plotly label as they are drawn: ``<br>`` breaks, tags gone, entities
    decoded."""
    return [html.unescape(_TAG.sub("", line)) for line in _BREAK.split(str(text or ""))]


def text_width(text, *, size: float, bold: bool = False) -> float:
    """The width in px of the widest line of ``text`` in the charts' font at ``size`` px
    (Pillow reads the same TrueType file Chromium draws with; no kerning, so a hair wide)."""
    widest = 0.0
    for line in plain_lines(text):
        font = _font(bold, bool(_ARABIC.search(line)), max(1, round(size)))
        widest = max(widest, font.getlength(line))
    return widest


def text_wrap(text: str, *, width: float, size: float, bold: bool = False) -> list[str]:
    """Plain ``text`` broken into lines no wider than ``width`` px (a longer word stays whole)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size=size, bold=bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


def _label_wrap(label: str, *, width: float, size: float) -> str:
    """A category label (already escaped for Plotly) wrapped with ``<br>`` to ``width``."""
    if text_width(label, size=size) <= width:
        return label
    plain = " ".join(plain_lines(label))
    return "<br>".join(_esc(line) for line in text_wrap(plain, width=width, size=size))


# --- the layout ------------------------------------------------------------------------------


def separators() -> str:
    """Plotly's ``separators`` (decimal point, then thousands) for the active language."""
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    return f"{decimal}{thousands}"


def _axis(layout: dict, name: str) -> dict:
    axis = layout.get(name)
    if not isinstance(axis, dict):
        axis = layout[name] = {}
    return axis


def _axis_title(axis: dict) -> str:
    title = axis.get("title")
    if isinstance(title, dict):
        return title.get("text") or ""
    return title or ""


def _numeric_tick_width(values, *, size: float) -> float:
    numbers = [abs(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    top = max(numbers, default=100)
    digits = len(f"{top:,.0f}") + 2
    return text_width("8" * digits, size=size)


def _relabel(traces: list[dict], key: str, mapping: dict[str, str]) -> None:
    for trace in traces:
        values = trace.get(key)
        if isinstance(values, list):
            trace[key] = [mapping.get(v, v) if isinstance(v, str) else v for v in values]


def _category_labels(traces: list[dict], key: str) -> list[str]:
    seen: dict[str, None] = {}
    for trace in traces:
        for value in trace.get(key) or []:
            if isinstance(value, str):
                seen.setdefault(value, None)
    return list(seen)


def _legend_rows(traces: list[dict], layout: dict, *, width: float, size: float) -> int:
    entries = [
        t.get("name")
        for t in traces
        if t.get("name") and t.get("showlegend", True) is not False and t.get("type") != "heatmap"
    ]
    if layout.get("showlegend") is False or not entries:
        return 0
    if len(entries) == 1 and layout.get("showlegend") is not True:
        return 0  # plotly shows no legend for a single trace
    rows, used = 1, 0.0
    for name in entries:
        entry = text_width(name, size=size) + 3.2 * size  # symbol, gap and spacing
        if used and used + entry > width:
            rows += 1
            used = 0.0
        used += entry
    return rows


def figure_dress(
    figure: dict,
    *,
    title: str,
    source: str,
    subtitle: str = "",
    size: str = DEFAULT_SIZE,
    notes: list[str] | None = None,
) -> dict:
    """``figure`` (a plain Plotly figure dict) laid out at ``size`` with its title, subtitle,
    source line and ``notes`` (lines under the chart, above the source): a new dict.

    ``title``, ``subtitle``, ``source`` and ``notes`` are plain text (escaped here).
    """
    spec = SIZES[size]
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    traces = fig.setdefault("data", [])
    base = spec.font
    width, height = spec.width, spec.height
    pad = round(1.4 * base)
    # Text is wrapped a little short of the width: a viewer that opens the SVG without Noto
    # draws it in a wider fallback font (DejaVu Sans is about 8% wider).
    inner = FALLBACK_ROOM * (width - 2 * pad)
    title_size = round(1.45 * base)
    small = round(0.85 * base)

    title_lines = text_wrap(title, width=inner, size=title_size, bold=True) if title else []
    subtitle_lines = text_wrap(subtitle, width=inner, size=base) if subtitle else []
    note_lines = [line for note in notes or [] for line in text_wrap(note, width=inner, size=small)]
    source_lines = text_wrap(source, width=inner, size=small) if source else []

    # The header: title, subtitle, legend, then whatever the chart pins above its plot.
    top = pad + len(title_lines) * LINE * title_size
    subtitle_top = top + 0.3 * base
    if subtitle_lines:
        top = subtitle_top + len(subtitle_lines) * LINE * base
    legend_top = top + 0.5 * base
    legend_rows = _legend_rows(traces, layout, width=inner, size=base)
    if legend_rows:
        top = legend_top + legend_rows * 1.75 * base
    pinned = [
        a
        for a in layout.get("annotations") or []
        if a.get("yref") == "paper" and (a.get("y") or 0) >= 1
    ]
    if pinned:
        top += LINE * base
    top += 0.8 * base

    xaxis, yaxis = _axis(layout, "xaxis"), _axis(layout, "yaxis")
    horizontal = [t for t in traces if t.get("orientation") == "h" or t.get("type") == "heatmap"]
    # Left: the y axis' labels (category names wrapped at a third of the width) and title.
    left = pad
    if yaxis.get("visible", True) is not False:
        if yaxis.get("type") == "category" or horizontal:
            limit = 0.32 * width
            labels = _category_labels(traces, "y")
            mapping = {label: _label_wrap(label, width=limit, size=base) for label in labels}
            _relabel(traces, "y", mapping)
            ticks = max((text_width(v, size=base) for v in mapping.values()), default=0)
            yaxis["ticklabelstandoff"] = round(0.5 * base)
            ticks += 0.5 * base
        else:
            ticks = _numeric_tick_width([v for t in traces for v in t.get("y") or []], size=base)
        left += ticks + 0.6 * base
        if _axis_title(yaxis):
            left += LINE * base + 0.4 * base
    # The x axis' labels: on top (the heatmap) or at the bottom, rotated or flat.
    x_ticks = 0.0
    if xaxis.get("visible", True) is not False:
        angle = abs(float(xaxis.get("tickangle") or 0))
        if xaxis.get("type") == "category" and any(t.get("type") == "heatmap" for t in traces):
            labels = _category_labels(traces, "x")
            mapping = {label: _label_wrap(label, width=11 * base, size=base) for label in labels}
            _relabel(traces, "x", mapping)
            widest = max((text_width(v, size=base) for v in mapping.values()), default=0)
            lines = max((len(plain_lines(v)) for v in mapping.values()), default=1)
            tall = lines * LINE * base
            radians = math.radians(angle)
            x_ticks = widest * math.sin(radians) + tall * math.cos(radians) + 0.6 * base
            # A rotated label leans left of its column: keep its start inside the page.
            left = max(left, pad + widest * math.cos(radians) * 0.5)
        else:
            x_ticks = LINE * base + 0.6 * base
    x_title = (LINE * base + 0.4 * base) if _axis_title(xaxis) else 0.0
    if xaxis.get("side") == "top":
        top += x_ticks + x_title
        bottom = pad
    else:
        bottom = pad + x_ticks + x_title
    if note_lines:
        bottom += 0.6 * base + len(note_lines) * LINE * small
    if source_lines:
        bottom += 0.6 * base + len(source_lines) * LINE * small

    # Right: a colour bar with its ticks and title, else room for the last tick label.
    right = pad + 0.5 * base
    for trace in traces:
        bar = trace.get("colorbar")
        if isinstance(bar, dict) or trace.get("type") == "heatmap":
            bar = bar if isinstance(bar, dict) else {}
            thickness = round(0.9 * base)
            z = [v for row in trace.get("z") or [] for v in (row or [])]
            bar_title = (bar.get("title") or {}).get("text", "")
            ticks = _numeric_tick_width(z, size=small)
            right = pad + thickness + 0.8 * base + max(ticks, text_width(bar_title, size=small))
            trace["colorbar"] = {
                **bar,
                "thickness": thickness,
                "x": 1,
                "xanchor": "left",
                "xpad": round(0.8 * base),
                "title": {"text": bar_title, "side": "top", "font": {"size": small}},
                "tickfont": {"size": small},
                "outlinewidth": 0,
            }

    left, right, top, bottom = (math.ceil(v) for v in (left, right, top, bottom))
    plot_width = max(1, width - left - right)
    plot_height = max(1, height - top - bottom)

    def paper_x(px: float) -> float:  # a distance from the page's left edge, in paper units
        return (px - left) / plot_width

    def paper_y(px: float) -> float:  # a distance from the page's top edge, in paper units
        return 1 - (px - top) / plot_height

    annotations = list(layout.get("annotations") or [])
    for annotation in pinned:
        annotation.update(
            {"y": paper_y(top - 0.8 * base), "yanchor": "bottom", "font": {"size": small}}
        )
    if subtitle_lines:
        annotations.append(
            {
                "text": "<br>".join(_esc(line) for line in subtitle_lines),
                "xref": "paper",
                "yref": "paper",
                "x": paper_x(pad),
                "y": paper_y(subtitle_top),
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "borderpad": 0,
                "font": {"size": base, "color": MUTED},
            }
        )
    foot = height - pad
    if source_lines:
        annotations.append(
            {
                "text": "<br>".join(_esc(line) for line in source_lines),
                "xref": "paper",
                "yref": "paper",
                "x": paper_x(pad),
                "y": paper_y(foot),
                "xanchor": "left",
                "yanchor": "bottom",
                "align": "left",
                "showarrow": False,
                "borderpad": 0,
                "font": {"size": small, "color": MUTED},
                "name": "source",
            }
        )
        foot -= len(source_lines) * LINE * small + 0.6 * base
    if note_lines:
        annotations.append(
            {
                "text": "<br>".join(_esc(line) for line in note_lines),
                "xref": "paper",
                "yref": "paper",
                "x": paper_x(pad),
                "y": paper_y(foot),
                "xanchor": "left",
                "yanchor": "bottom",
                "align": "left",
                "showarrow": False,
                "borderpad": 0,
                "font": {"size": small, "color": INK},
                "name": "notes",
            }
        )

    layout.update(
        {
            "width": width,
            "height": height,
            "autosize": False,
            "margin": {"l": left, "r": right, "t": top, "b": bottom, "pad": 0},
            "font": {"family": FONT_FAMILY, "size": base, "color": INK},
            "separators": separators(),
            "colorway": COLORWAY,
            "annotations": annotations,
        }
    )
    if title_lines:
        layout["title"] = {
            "text": "<br>".join(f"<b>{_esc(line)}</b>" for line in title_lines),
            "xref": "container",
            "yref": "container",
            "x": pad / width,
            "y": 1 - pad / height,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": title_size, "color": INK},
        }
    else:
        layout.pop("title", None)
    if legend_rows:
        layout["legend"] = {
            "orientation": "h",
            "xref": "container",
            "yref": "container",
            "x": pad / width,
            "y": 1 - legend_top / height,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": base},
            "traceorder": "normal",
        }
    else:
        layout["showlegend"] = False
    for axis in (xaxis, yaxis):
        axis["automargin"] = False
        axis.setdefault("tickfont", {})["size"] = base
        if _axis_title(axis):
            axis["title"] = {"text": _axis_title(axis), "font": {"size": base}, "standoff": 0}
    return fig
