"""Figures are pure: plain selector rows in, a ``plotly.graph_objects.Figure`` out.

The coordinator dashboard, the API and the briefing export call these same functions, so the
PNG the press downloads is the chart the coordinator saw. Every function takes keyword
arguments only, each a JSON-serialisable value (lists of dicts with the row keys of API.md
"Aggregates", strings, numbers), so a briefing can freeze the arguments as JSON and draw the
chart again later. For each chart ``<name>``:

- ``<name>_spec(**arguments) -> dict``: the figure as the plain dict plotly.js draws. Built
  without plotly.py's validation (which costs 15-50 ms a figure), so the dashboard page
  embeds it directly;
- ``<name>figure_dict(**arguments) -> go.Figure``: the same figure, validated (what image export
  renders); a test checks that its JSON equals the spec for every chart;
- ``<name>csv_table(**arguments) -> list[list]``: the chart's data as CSV rows, header first.

``CHARTS`` maps each name to a ``Chart`` with its title and these three functions.

Escaping: Plotly draws labels, legend entries and hover text as a subset of HTML, so every
string that comes from free text (area and station names, descriptions) goes through
``esc`` before it reaches a figure: ``<script>`` shows as text. Fixed strings (titles, the
translated names of stages, categories, severities) are ours and are escaped all the same.
CSV rows carry the raw values, except that a text cell that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading
apostrophe.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from common.csv_export import guard
from common.numbers import figure_plain, figure_text, share_exact
from observation.models import Assessment, FindingCategory, Severity, Stage
from reports.charts import style
from reports.statistics.intervals import wilson_interval

Rows = Sequence[Mapping]

# Colours: the Okabe-Ito palette, safe for the colour-blind (``reports.charts.style``).
COLOURS = style.COLOURS
STAGE_ORDER = list(Stage.values)
SEVERITY_ORDER = list(Severity.values)  # MINOR, SERIOUS, CRITICAL
CATEGORY_ORDER = list(FindingCategory.values)
# Left to right in the stacked assessment bars: the negative share is the left segment.
ASSESSMENT_STACK = [
    (Assessment.VERY_BAD, "very_bad"),
    (Assessment.BAD, "bad"),
    (Assessment.GOOD, "good"),
    (Assessment.VERY_GOOD, "very_good"),
]

# A small template instead of plotly's default one (which adds ~10 kB to every figure).
TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": style.FONT_FAMILY, "size": 13},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": style.COLORWAY,
        "xaxis": {"gridcolor": "#e6e9ef", "zerolinecolor": "#c9ced8", "automargin": True},
        "yaxis": {"gridcolor": "#e6e9ef", "zerolinecolor": "#c9ced8", "automargin": True},
        "hoverlabel": {"align": "left"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    }
)
TEMPLATE_JSON = TEMPLATE.to_plotly_json()


# --- helpers ---------------------------------------------------------------------------------


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def esc(value) -> str:
    """Text for Plotly: HTML-escaped with the entities plotly.js decodes back to characters.

    plotly.js understands ``&amp; &lt; &gt;`` and numeric entities, not ``&quot;``.
    """
    return ("" if value is None else str(value)).translate(_ESCAPES)


csv_cell = guard  # common.csv_export: numbers as they are, formula-like text defused


def csv_table(header: list[str], rows: Iterable[Sequence]) -> list[list]:
    return [list(header)] + [[csv_cell(cell) for cell in row] for row in rows]


def choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def number_or(value, default=0):
    return default if value is None else value


def turnout_share(row: Mapping) -> float | None:
    """A row's turnout as published: from its counts when it has them (observed), rounded
    once (``common.numbers``), else its own figure (the commission's)."""
    exact = share_exact(row.get("voters"), row.get("registered"))
    return figure_plain(exact if exact is not None else row.get("turnout_pct"), kind="share")


def assessment_figures(row: Mapping) -> dict:
    """A stage's (or area's) negative share and its 95% Wilson interval, rounded once from the
    counts (``common.numbers``): the aggregate row's two-decimal figures rounded again could
    read a tenth apart (6.65 from 6.6497 reads 6.7, the sentence 6.6)."""
    negative = (row.get("bad") or 0) + (row.get("very_bad") or 0)
    total = row.get("total") or 0
    share = share_exact(negative, total)
    interval = None
    if total:
        low, high = wilson_interval(negative, total)
        interval = (100 * low, 100 * high)
    plain = figure_plain(interval, kind="interval") if interval else (None, None)
    return {
        "negative": negative,
        "total": total,
        "negative_pct": figure_plain(share, kind="share"),
        "ci_low": plain[0],
        "ci_high": plain[1],
        "share_text": figure_text(share, kind="share"),
        "interval_text": figure_text(interval, kind="interval"),
    }


def as_moment(value, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A bucket time as an aware datetime (accepts datetimes and ISO 8601 strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def local_text(value, tz: zoneinfo.ZoneInfo) -> str:
    """Wall-clock time in the mission's time zone, in the form plotly's date axes read."""
    moment = as_moment(value, tz)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def iso_text(value, tz: zoneinfo.ZoneInfo) -> str:
    moment = as_moment(value, tz)
    return moment.astimezone(tz).isoformat() if moment else ""


def zone_of(timezone: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(timezone or "UTC")


def trace_dict(kind: str, **attributes) -> dict:
    return {"type": kind, **attributes}


def layout_update(figure: dict, **layout) -> None:
    """Merge ``layout`` into the figure's layout, one level deep (like ``update_layout``)."""
    for key, value in layout.items():
        current = figure["layout"].get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            figure["layout"][key] = {**current, **value}
        else:
            figure["layout"][key] = value


def figure_dict(title: str | None, **layout) -> dict:
    figure = {"data": [], "layout": {"template": TEMPLATE_JSON, **layout}}
    if title:
        layout_update(figure, title={"text": esc(title), "x": 0, "xanchor": "left"})
        layout_update(figure, margin={"t": 80})
    return figure


def area_height(count: int) -> int:
    return max(260, 90 + 26 * count)


def by_area_name(rows: Rows) -> list[Mapping]:
    return sorted(rows, key=lambda r: (str(r.get("area_name", "")).casefold(), r["area_code"]))


def area_labels(rows: Rows) -> list[str]:
    """Escaped area names for a category axis; a name two areas share gets its code added,
    since plotly would draw both areas' values on one category."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["area_name"]] = counts.get(row["area_name"], 0) + 1
    return [
        esc(
            r["area_name"]
            if counts[r["area_name"]] == 1
            else f"{r['area_name']} ({r['area_code']})"
        )
        for r in rows
    ]


def area_links(rows: Rows, links: Mapping[str, str] | None) -> list[str] | None:
    if not links:
        return None
    return [links.get(row["area_code"], "") for row in rows]


# --- figures, and the registry ---------------------------------------------------------------


def figure_of(spec: Callable[..., dict]) -> Callable[..., go.Figure]:
    """``<chart>figure_dict(**arguments)``: the chart's spec as a validated ``go.Figure``."""

    @functools.wraps(spec)
    def figure(**arguments) -> go.Figure:
        return go.Figure(spec(**arguments))

    figure.__name__ = figure.__qualname__ = spec.__name__.replace("_spec", "figure_dict")
    return figure


@dataclass(frozen=True)
class Chart:
    """One chart: ``spec``, ``figure`` and ``csv`` take the same keyword arguments.

    ``spec`` gives the plain figure dict (what plotly.js draws; fast, used by the dashboard
    page), ``figure`` the same figure as a validated ``plotly.graph_objects.Figure`` (for
    image export), ``csv`` the chart's data as rows (header first).
    """

    name: str
    title: object  # a lazy translation: str(chart.title) in the active language
    spec: Callable[..., dict]
    figure: Callable[..., go.Figure]
    csv: Callable[..., list[list]]


def figure_json(figure: go.Figure | dict) -> dict:
    """The figure as the plain dict plotly.js takes (``{"data": [...], "layout": {...}}``).

    For a ``go.Figure`` this is its JSON; a spec dict is already that and is returned as is.
    """
    if isinstance(figure, dict):
        return figure
    return json.loads(figure.to_json())
