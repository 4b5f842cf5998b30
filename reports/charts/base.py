"""Figures are pure: plain selector rows in, a ``plotly.graph_objects.Figure`` out.

The coordinator dashboard, the API and the briefing export call these same functions, so the
PNG the press downloads is the chart the coordinator saw. Every function takes keyword
arguments only, each a JSON-serialisable value (lists of dicts with the row keys of API.md
"Aggregates", strings, numbers), so a briefing can freeze the arguments as JSON and draw the
chart again later. For each chart ``<name>``:

- ``<name>_spec(**arguments) -> dict``: the figure as the plain dict plotly.js draws. Built
  without plotly.py's validation (which costs 15-50 ms a figure), so the dashboard page
  embeds it directly;
- ``<name>_figure(**arguments) -> go.Figure``: the same figure, validated (what image export
  renders); a test checks that its JSON equals the spec for every chart;
- ``<name>_csv(**arguments) -> list[list]``: the chart's data as CSV rows, header first.

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
import math
import textwrap
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observation.models import Assessment, FindingCategory, Severity, Stage

Rows = Sequence[Mapping]

# Colours: the house palette of static/css/app.css, and a four-step good-to-bad scale.
COLOURS = {
    "accent": "#1f5fa8",
    "official": "#5b6478",
    "region": "#a15c00",
    "visited": "#1b7f3b",
    "not_visited": "#b8bfcc",
    "not_visited_line": "#5b6478",
    "outline": "#8a93a6",
    "VERY_GOOD": "#1b7f3b",
    "GOOD": "#8cc79b",
    "BAD": "#f0a35e",
    "VERY_BAD": "#b3261e",
    "MINOR": "#9aa4b5",
    "SERIOUS": "#e08a1e",
    "CRITICAL": "#b3261e",
    "negative": "#1d2433",
}
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
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": ["#1f5fa8", "#a15c00", "#5b6478", "#1b7f3b", "#b3261e"],
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


def csv_cell(value):
    """A CSV cell: numbers as they are, text that a spreadsheet would evaluate defused."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(header: list[str], rows: Iterable[Sequence]) -> list[list]:
    return [list(header)] + [[csv_cell(cell) for cell in row] for row in rows]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _number(value, default=0):
    return default if value is None else value


def _moment(value, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A bucket time as an aware datetime (accepts datetimes and ISO 8601 strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def _local(value, tz: zoneinfo.ZoneInfo) -> str:
    """Wall-clock time in the mission's time zone, in the form plotly's date axes read."""
    moment = _moment(value, tz)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _iso(value, tz: zoneinfo.ZoneInfo) -> str:
    moment = _moment(value, tz)
    return moment.astimezone(tz).isoformat() if moment else ""


def _zone(timezone: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(timezone or "UTC")


def _trace(kind: str, **attributes) -> dict:
    return {"type": kind, **attributes}


def _layout(figure: dict, **layout) -> None:
    """Merge ``layout`` into the figure's layout, one level deep (like ``update_layout``)."""
    for key, value in layout.items():
        current = figure["layout"].get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            figure["layout"][key] = {**current, **value}
        else:
            figure["layout"][key] = value


def _figure(title: str | None, **layout) -> dict:
    figure = {"data": [], "layout": {"template": TEMPLATE_JSON, **layout}}
    if title:
        _layout(figure, title={"text": esc(title), "x": 0, "xanchor": "left"})
        _layout(figure, margin={"t": 80})
    return figure


def _area_height(count: int) -> int:
    return max(260, 90 + 26 * count)


def _by_area_name(rows: Rows) -> list[Mapping]:
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


def _links(rows: Rows, links: Mapping[str, str] | None) -> list[str] | None:
    if not links:
        return None
    return [links.get(row["area_code"], "") for row in rows]


def turnout_buckets(rows: Rows, *, timezone: str = "UTC") -> list[str]:
    """The distinct buckets of turnout rows, as ISO strings in the mission's time, in order."""
    tz = _zone(timezone)
    return sorted({_iso(row["bucket_end"], tz) for row in rows if row.get("bucket_end")})


def _rows_at(rows: Rows, bucket_end, tz) -> tuple[list[Mapping], str]:
    """The rows of one bucket (the latest one if ``bucket_end`` is empty) and its ISO label."""
    buckets = sorted({_iso(row["bucket_end"], tz) for row in rows if row.get("bucket_end")})
    if not buckets:
        return [], ""
    chosen = _iso(bucket_end, tz) if bucket_end else buckets[-1]
    return [row for row in rows if _iso(row["bucket_end"], tz) == chosen], chosen


# --- turnout through the day ----------------------------------------------------------------


def _official_at(row: Mapping):
    return row.get("at") or row.get("bucket_end")


def turnout_day_spec(
    *,
    national_rows: Rows,
    official_rows: Rows = (),
    region_rows: Rows = (),
    region_official_rows: Rows = (),
    region_name: str = "",
    timezone: str = "UTC",
    title: str | None = None,
) -> dict:
    """Observed turnout per hour (national, and one region if given) beside the official one.

    ``national_rows`` and ``region_rows`` are turnout rows (API.md); ``official_rows`` and
    ``region_official_rows`` are rows of ``reports.selectors.official_turnout_rows``
    (``{"at", "turnout_pct", ...}``): the figures the election commission announced.
    """
    tz = _zone(timezone)
    figure = _figure(
        title,
        height=380,
        xaxis={"type": "date", "tickformat": "%H:%M", "title": {"text": esc(_("Time of day"))}},
        yaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        hovermode="x unified",
    )
    region_label = region_name or _("region")
    observed = [
        (national_rows, _("Observed, national"), COLOURS["accent"]),
        (region_rows, _("Observed, %(region)s") % {"region": region_label}, COLOURS["region"]),
    ]
    for rows, name, colour in observed:
        rows = sorted(rows, key=lambda r: _iso(r["bucket_end"], tz))
        if not rows:
            continue
        figure["data"].append(
            _trace(
                "scatter",
                x=[_local(r["bucket_end"], tz) for r in rows],
                y=[r["turnout_pct"] for r in rows],
                mode="lines+markers",
                name=esc(name),
                line={"color": colour},
                customdata=[[r["stations_reporting"], r["voters"], r["registered"]] for r in rows],
                hovertemplate=esc(name)
                + ": %{y:.1f}% "
                + esc(_("(%(stations)s stations, %(voters)s of %(registered)s voters)"))
                % {
                    "stations": "%{customdata[0]:,}",
                    "voters": "%{customdata[1]:,}",
                    "registered": "%{customdata[2]:,}",
                }
                + "<extra></extra>",
            )
        )
    announced = [
        (official_rows, _("Official, national"), COLOURS["official"]),
        (
            region_official_rows,
            _("Official, %(region)s") % {"region": region_label},
            COLOURS["region"],
        ),
    ]
    for rows, name, colour in announced:
        rows = sorted(rows, key=lambda r: _iso(_official_at(r), tz))
        if not rows:
            continue
        figure["data"].append(
            _trace(
                "scatter",
                x=[_local(_official_at(r), tz) for r in rows],
                y=[r["turnout_pct"] for r in rows],
                mode="lines+markers",
                name=esc(name),
                line={"color": colour, "dash": "dash"},
                marker={"symbol": "square"},
                hovertemplate=esc(name) + ": %{y:.1f}%<extra></extra>",
            )
        )
    return figure


def turnout_day_csv(
    *,
    national_rows: Rows,
    official_rows: Rows = (),
    region_rows: Rows = (),
    region_official_rows: Rows = (),
    region_name: str = "",
    timezone: str = "UTC",
    title: str | None = None,
) -> list[list]:
    tz = _zone(timezone)
    header = [
        "series",
        "area_code",
        "area_name",
        "bucket_end",
        "stations_reporting",
        "voters",
        "registered",
        "turnout_pct",
    ]
    out = []
    for rows in (national_rows, region_rows):
        for r in sorted(rows, key=lambda r: _iso(r["bucket_end"], tz)):
            out.append(
                [
                    "observed",
                    r["area_code"],
                    r["area_name"],
                    _iso(r["bucket_end"], tz),
                    r["stations_reporting"],
                    r["voters"],
                    r["registered"],
                    r["turnout_pct"],
                ]
            )
    for rows in (official_rows, region_official_rows):
        for r in sorted(rows, key=lambda r: _iso(_official_at(r), tz)):
            out.append(
                [
                    "official",
                    r.get("area_code", "ALL"),
                    r.get("area_name", "ALL"),
                    _iso(_official_at(r), tz),
                    "",
                    "",
                    "",
                    r["turnout_pct"],
                ]
            )
    return _csv(header, out)


# --- turnout by area at one hour --------------------------------------------------------------


def turnout_by_area_spec(
    *,
    rows: Rows,
    bucket_end=None,
    timezone: str = "UTC",
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> dict:
    """Observed turnout per area in one hourly bucket (the latest one if none is given)."""
    tz = _zone(timezone)
    chosen_rows, chosen = _rows_at(rows, bucket_end, tz)
    chosen_rows = _by_area_name(chosen_rows)
    figure = _figure(
        title,
        height=_area_height(len(chosen_rows)),
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    if chosen:
        hour = _local(chosen, tz)[-5:]
        _layout(
            figure,
            meta={"bucket_end": chosen},
            annotations=[
                {
                    "text": esc(_("Reports up to %(hour)s") % {"hour": hour}),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 1,
                    "y": 1.02,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "showarrow": False,
                }
            ],
        )
    figure["data"].append(
        _trace(
            "bar",
            orientation="h",
            y=area_labels(chosen_rows),
            x=[r["turnout_pct"] for r in chosen_rows],
            marker={"color": COLOURS["accent"]},
            name=esc(_("Observed turnout")),
            customdata=[
                [r["stations_reporting"], r["voters"], r["registered"], link]
                for r, link in zip(
                    chosen_rows, _links(chosen_rows, links) or [""] * len(chosen_rows)
                )
            ],
            hovertemplate="%{y}: %{x:.1f}%<br>"
            + esc(_("%(stations)s stations, %(voters)s of %(registered)s voters"))
            % {
                "stations": "%{customdata[0]:,}",
                "voters": "%{customdata[1]:,}",
                "registered": "%{customdata[2]:,}",
            }
            + "<extra></extra>",
        )
    )
    return figure


def turnout_by_area_csv(
    *,
    rows: Rows,
    bucket_end=None,
    timezone: str = "UTC",
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> list[list]:
    tz = _zone(timezone)
    chosen_rows, chosen = _rows_at(rows, bucket_end, tz)
    header = [
        "area_code",
        "area_name",
        "bucket_end",
        "stations_reporting",
        "voters",
        "registered",
        "turnout_pct",
    ]
    return _csv(
        header,
        (
            [
                r["area_code"],
                r["area_name"],
                chosen,
                r["stations_reporting"],
                r["voters"],
                r["registered"],
                r["turnout_pct"],
            ]
            for r in _by_area_name(chosen_rows)
        ),
    )


# --- coverage by area -----------------------------------------------------------------------


def coverage_by_area_spec(
    *, rows: Rows, links: Mapping[str, str] | None = None, title: str | None = None
) -> dict:
    """Stations visited of the total, per area, as stacked horizontal bars."""
    rows = _by_area_name(rows)
    figure = _figure(
        title,
        height=_area_height(len(rows)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Polling stations"))}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    names = area_labels(rows)
    visited = [_number(r["stations_visited"]) for r in rows]
    totals = [_number(r["stations_total"]) for r in rows]
    shares = [round(100 * v / t, 1) if t else 0.0 for v, t in zip(visited, totals)]
    link_list = _links(rows, links) or [""] * len(rows)
    customdata = [
        [v, t, s, _number(r["visits"]), link]
        for v, t, s, r, link in zip(visited, totals, shares, rows, link_list)
    ]
    hover = (
        "%{y}<br>"
        + esc(_("%(visited)s of %(total)s stations visited (%(share)s%%), %(visits)s visits"))
        % {
            "visited": "%{customdata[0]:,}",
            "total": "%{customdata[1]:,}",
            "share": "%{customdata[2]}",
            "visits": "%{customdata[3]:,}",
        }
        + "<extra></extra>"
    )
    for name, values, colour in (
        (_("Visited"), visited, COLOURS["visited"]),
        (
            _("Not visited"),
            [max(0, t - v) for t, v in zip(totals, visited)],
            COLOURS["not_visited"],
        ),
    ):
        figure["data"].append(
            _trace(
                "bar",
                orientation="h",
                y=names,
                x=values,
                name=esc(name),
                marker={"color": colour},
                customdata=customdata,
                hovertemplate=hover,
            )
        )
    return figure


def coverage_by_area_csv(
    *, rows: Rows, links: Mapping[str, str] | None = None, title: str | None = None
) -> list[list]:
    header = ["area_code", "area_name", "stations_total", "stations_visited", "visits"]
    return _csv(
        header,
        (
            [
                r["area_code"],
                r["area_name"],
                r["stations_total"],
                r["stations_visited"],
                r["visits"],
            ]
            for r in _by_area_name(rows)
        ),
    )


# --- assessments ----------------------------------------------------------------------------


def _assessment_rows(rows: Rows, by: str) -> list[Mapping]:
    if by == "stage":
        return sorted(
            rows,
            key=lambda r: (
                STAGE_ORDER.index(r["stage"]) if r["stage"] in STAGE_ORDER else 99,
                r["area_code"],
            ),
        )
    return _by_area_name(rows)


def assessments_spec(
    *,
    rows: Rows,
    by: str = "stage",
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> dict:
    """How observers assessed the process, as 100% stacked bars, one per stage (``by="stage"``,
    rows of one area, usually national) or per area (``by="area"``, rows of one stage), with the
    share assessed negatively (bad or very bad) and its 95% interval as a point with error bars.
    """
    rows = [r for r in _assessment_rows(rows, by) if _number(r.get("total"))]
    if by == "stage":
        labels = [esc(_label(Stage, r["stage"])) for r in rows]
    else:
        labels = area_labels(rows)
    figure = _figure(
        title,
        height=_area_height(len(rows)) if by == "area" else max(240, 110 + 48 * len(rows)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Share of observed stations (%)"))}, "range": [0, 100]},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    link_list = _links(rows, links) if by == "area" else None
    link_list = link_list or [""] * len(rows)
    for value, key in ASSESSMENT_STACK:
        counts = [_number(r[key]) for r in rows]
        totals = [_number(r["total"]) for r in rows]
        name = _label(Assessment, value)
        figure["data"].append(
            _trace(
                "bar",
                orientation="h",
                y=labels,
                x=[round(100 * c / t, 2) for c, t in zip(counts, totals)],
                name=esc(name),
                marker={"color": COLOURS[value]},
                customdata=[[c, t, link] for c, t, link in zip(counts, totals, link_list)],
                hovertemplate="%{y}<br>"
                + esc(name)
                + ": "
                + esc(_("%(count)s of %(total)s (%(share)s%%)"))
                % {
                    "count": "%{customdata[0]:,}",
                    "total": "%{customdata[1]:,}",
                    "share": "%{x:.1f}",
                }
                + "<extra></extra>",
            )
        )
    negative = [r for r in rows if r.get("negative_pct") is not None]
    if negative:
        # xgettext:no-python-format
        name = _("Negative, with 95% interval")
        figure["data"].append(
            _trace(
                "scatter",
                x=[r["negative_pct"] for r in negative],
                y=[label for label, r in zip(labels, rows) if r.get("negative_pct") is not None],
                mode="markers",
                name=esc(name),
                marker={"color": COLOURS["negative"], "symbol": "diamond", "size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        round(_number(r.get("ci_high"), r["negative_pct"]) - r["negative_pct"], 2)
                        for r in negative
                    ],
                    "arrayminus": [
                        round(r["negative_pct"] - _number(r.get("ci_low"), r["negative_pct"]), 2)
                        for r in negative
                    ],
                    "color": COLOURS["negative"],
                    "thickness": 2,
                    "width": 6,
                },
                customdata=[
                    [r.get("ci_low"), r.get("ci_high"), r["bad"] + r["very_bad"], r["total"]]
                    for r in negative
                ],
                hovertemplate="%{y}<br>"
                + esc(
                    _(
                        "Assessed negatively: %(share)s%% (95%% interval %(low)s–%(high)s%%), "
                        "%(count)s of %(total)s"
                    )
                )
                % {
                    "share": "%{x:.1f}",
                    "low": "%{customdata[0]:.1f}",
                    "high": "%{customdata[1]:.1f}",
                    "count": "%{customdata[2]:,}",
                    "total": "%{customdata[3]:,}",
                }
                + "<extra></extra>",
            )
        )
    return figure


def assessments_csv(
    *,
    rows: Rows,
    by: str = "stage",
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> list[list]:
    header = [
        "area_code",
        "area_name",
        "stage",
        "very_good",
        "good",
        "bad",
        "very_bad",
        "total",
        "negative_pct",
        "ci_low",
        "ci_high",
    ]
    return _csv(
        header,
        ([r[key] for key in header] for r in _assessment_rows(rows, by)),
    )


# --- findings -------------------------------------------------------------------------------


def _findings_totals(rows: Rows) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["category"], r["severity"])
        totals[key] = totals.get(key, 0) + _number(r["count"])
    return totals


def _categories_by_count(totals: Mapping[tuple[str, str], int]) -> list[str]:
    per_category: dict[str, int] = {}
    for (category, _severity), count in totals.items():
        per_category[category] = per_category.get(category, 0) + count
    return sorted(
        per_category,
        key=lambda c: (
            -per_category[c],
            CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99,
            c,
        ),
    )


def findings_by_category_spec(*, rows: Rows, title: str | None = None) -> dict:
    """Findings per category, stacked by severity; rows of all areas are summed."""
    totals = _findings_totals(rows)
    categories = _categories_by_count(totals)
    labels = [esc(_label(FindingCategory, c)) for c in categories]
    figure = _figure(
        title,
        height=_area_height(len(categories)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Findings"))}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    for severity in SEVERITY_ORDER:
        name = _label(Severity, severity)
        figure["data"].append(
            _trace(
                "bar",
                orientation="h",
                y=labels,
                x=[totals.get((c, severity), 0) for c in categories],
                name=esc(name),
                marker={"color": COLOURS[severity]},
                hovertemplate="%{y}<br>" + esc(name) + ": %{x:,}<extra></extra>",
            )
        )
    return figure


def findings_by_category_csv(*, rows: Rows, title: str | None = None) -> list[list]:
    totals = _findings_totals(rows)
    return _csv(
        ["category", "severity", "count"],
        (
            [c, s, totals[(c, s)]]
            for c in _categories_by_count(totals)
            for s in SEVERITY_ORDER
            if (c, s) in totals
        ),
    )


def _heatmap_matrix(rows: Rows, severities: Sequence[str] | None):
    areas: dict[str, str] = {}
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        if severities and r["severity"] not in severities:
            continue
        areas.setdefault(r["area_code"], r["area_name"])
        key = (r["area_code"], r["category"])
        counts[key] = counts.get(key, 0) + _number(r["count"])
    area_rows = _by_area_name([{"area_code": c, "area_name": n} for c, n in areas.items()])
    present = {category for (_area, category) in counts}
    categories = [c for c in CATEGORY_ORDER if c in present] + sorted(present - set(CATEGORY_ORDER))
    return area_rows, categories, counts


def findings_heatmap_spec(
    *,
    rows: Rows,
    severities: Sequence[str] | None = None,
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> dict:
    """Findings per area (rows of the chart) and category (columns), all severities summed
    unless ``severities`` names the ones to count."""
    area_rows, categories, counts = _heatmap_matrix(rows, severities)
    z = [[counts.get((a["area_code"], c), 0) for c in categories] for a in area_rows]
    link_list = _links(area_rows, links) or [""] * len(area_rows)
    figure = _figure(
        title,
        height=_area_height(len(area_rows)) + 60,
        xaxis={"type": "category", "tickangle": -35, "side": "top"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    figure["data"].append(
        _trace(
            "heatmap",
            x=[esc(_label(FindingCategory, c)) for c in categories],
            y=area_labels(area_rows),
            z=z,
            customdata=[[link] * len(categories) for link in link_list],
            colorscale=[[0, "#f7f8fa"], [0.001, "#fde6d2"], [1, "#b3261e"]],
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": esc(_("Findings"))}, "thickness": 12},
            hovertemplate="%{y}<br>%{x}: %{z:,}<extra></extra>",
        )
    )
    return figure


def findings_heatmap_csv(
    *,
    rows: Rows,
    severities: Sequence[str] | None = None,
    links: Mapping[str, str] | None = None,
    title: str | None = None,
) -> list[list]:
    area_rows, categories, counts = _heatmap_matrix(rows, severities)
    return _csv(
        ["area_code", "area_name", "category", "count"],
        (
            [a["area_code"], a["area_name"], c, counts.get((a["area_code"], c), 0)]
            for a in area_rows
            for c in categories
        ),
    )


# --- coverage map ---------------------------------------------------------------------------


def _rings(geometry: Mapping | None) -> list[list]:
    """The outer and inner rings of a GeoJSON Polygon or MultiPolygon (or Feature of one)."""
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def coverage_map_spec(*, stations: Rows, outlines: Rows = (), title: str | None = None) -> dict:
    """Stations with coordinates as points coloured visited or not, over region outlines.

    ``stations``: ``{"code", "name", "latitude", "longitude", "visited"}`` rows;
    ``outlines``: ``{"area_code", "area_name", "geojson"}`` rows, ``geojson`` a GeoJSON
    Polygon or MultiPolygon in longitude/latitude. Drawn on plain longitude/latitude axes:
    no map tiles, nothing fetched from the internet.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    label_x, label_y, label_text = [], [], []
    for outline in outlines:
        points = []
        for ring in _rings(outline.get("geojson")):
            for point in ring:
                lon, lat = _float(point[0]), _float(point[1])
                if lon is None or lat is None:
                    continue
                xs.append(lon)
                ys.append(lat)
                points.append((lon, lat))
            xs.append(None)
            ys.append(None)
        if points:
            label_x.append(sum(p[0] for p in points) / len(points))
            label_y.append(sum(p[1] for p in points) / len(points))
            label_text.append(esc(outline.get("area_name", "")))
    placed = []
    for s in stations:
        lon, lat = _float(s.get("longitude")), _float(s.get("latitude"))
        if lon is not None and lat is not None:
            placed.append((lon, lat, s))
    all_lat = [p[1] for p in placed] + [y for y in ys if y is not None]
    mid_lat = (min(all_lat) + max(all_lat)) / 2 if all_lat else 0.0
    ratio = 1 / max(0.2, math.cos(math.radians(mid_lat)))
    figure = _figure(
        title,
        height=560,
        showlegend=True,
        xaxis={"title": {"text": esc(_("Longitude"))}, "showgrid": False, "zeroline": False},
        yaxis={
            "title": {"text": esc(_("Latitude"))},
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": round(ratio, 4),
        },
        hovermode="closest",
    )
    if xs:
        figure["data"].append(
            _trace(
                "scatter",
                x=xs,
                y=ys,
                mode="lines",
                line={"color": COLOURS["outline"], "width": 1},
                name=esc(_("Region outlines")),
                hoverinfo="skip",
            )
        )
        figure["data"].append(
            _trace(
                "scatter",
                x=label_x,
                y=label_y,
                mode="text",
                text=label_text,
                textfont={"color": COLOURS["official"], "size": 11},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for visited, name, marker in (
        (True, _("Visited"), {"color": COLOURS["visited"]}),
        (False, _("Not visited"), {"color": COLOURS["not_visited_line"], "symbol": "circle-open"}),
    ):
        chosen = [p for p in placed if bool(p[2].get("visited")) is visited]
        figure["data"].append(
            _trace(
                "scatter",
                x=[p[0] for p in chosen],
                y=[p[1] for p in chosen],
                mode="markers",
                name=esc(name) + f" ({len(chosen):,})",
                marker={**marker, "size": 5 if len(placed) > 2000 else 7},
                text=[esc(f"{p[2].get('code', '')} {p[2].get('name', '')}") for p in chosen],
                hovertemplate="%{text}<br>" + esc(name) + "<extra></extra>",
            )
        )
    return figure


def coverage_map_csv(
    *, stations: Rows, outlines: Rows = (), title: str | None = None
) -> list[list]:
    header = ["code", "name", "latitude", "longitude", "visited"]
    return _csv(
        header,
        (
            [
                s.get("code"),
                s.get("name"),
                _float(s.get("latitude")),
                _float(s.get("longitude")),
                bool(s.get("visited")),
            ]
            for s in sorted(stations, key=lambda s: str(s.get("code", "")))
        ),
    )


# --- statistics: turnout estimate, quick count, forensic views ---------------------------------


def _band(x, low, high, *, colour: str, opacity: float, name: str) -> dict:
    """A filled interval band: high along ``x``, then low back."""
    return _trace(
        "scatter",
        x=list(x) + list(reversed(list(x))),
        y=list(high) + list(reversed(list(low))),
        fill="toself",
        fillcolor=colour,
        opacity=opacity,
        line={"width": 0},
        mode="lines",
        name=esc(name),
        hoverinfo="skip",
    )


def turnout_estimate_spec(
    *,
    rows: Rows,
    official_rows: Rows = (),
    area_name: str = "",
    timezone: str = "UTC",
    title: str | None = None,
) -> dict:
    """Turnout estimated from the sample, hour by hour, with 99% and 95% bands, beside the
    official figures; an official figure outside the 95% interval is drawn as a red cross.

    ``rows``: one area's estimate rows (``bucket_end``, ``estimate_pct``, ``low95``, ``high95``,
    ``low99``, ``high99``, ``stations_reporting``); ``official_rows``: ``{"at", "turnout_pct",
    "outside95"}``.
    """
    tz = _zone(timezone)
    figure = _figure(
        title,
        height=380,
        xaxis={"type": "date", "tickformat": "%H:%M", "title": {"text": esc(_("Time of day"))}},
        yaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        hovermode="closest",
    )
    rows = sorted(rows, key=lambda r: _iso(r["bucket_end"], tz))
    x = [_local(r["bucket_end"], tz) for r in rows]
    if rows:
        figure["data"].append(
            _band(
                x,
                [r["low99"] for r in rows],
                [r["high99"] for r in rows],
                colour=COLOURS["accent"],
                opacity=0.15,
                # xgettext:no-python-format
                name=_("99% interval"),
            )
        )
        figure["data"].append(
            _band(
                x,
                [r["low95"] for r in rows],
                [r["high95"] for r in rows],
                colour=COLOURS["accent"],
                opacity=0.3,
                # xgettext:no-python-format
                name=_("95% interval"),
            )
        )
        name = _("Estimate, %(area)s") % {"area": area_name or _("national")}
        figure["data"].append(
            _trace(
                "scatter",
                x=x,
                y=[r["estimate_pct"] for r in rows],
                mode="lines+markers",
                name=esc(name),
                line={"color": COLOURS["accent"]},
                customdata=[
                    [r["low95"], r["high95"], r["low99"], r["high99"], r["stations_reporting"]]
                    for r in rows
                ],
                hovertemplate=esc(name)
                + ": %{y:.1f}%<br>"
                + esc(_("95%%: %(low)s–%(high)s%%; 99%%: %(low99)s–%(high99)s%%; %(n)s stations"))
                % {
                    "low": "%{customdata[0]:.1f}",
                    "high": "%{customdata[1]:.1f}",
                    "low99": "%{customdata[2]:.1f}",
                    "high99": "%{customdata[3]:.1f}",
                    "n": "%{customdata[4]:,}",
                }
                + "<extra></extra>",
            )
        )
    official = sorted(official_rows, key=lambda r: _iso(r["at"], tz))
    for outside, label, colour, symbol in (
        (False, _("Official"), COLOURS["official"], "circle"),
        # xgettext:no-python-format
        (True, _("Official, outside the 95% interval"), COLOURS["CRITICAL"], "x"),
    ):
        points = [r for r in official if bool(r.get("outside95")) == outside]
        if not points:
            continue
        figure["data"].append(
            _trace(
                "scatter",
                x=[_local(r["at"], tz) for r in points],
                y=[r["turnout_pct"] for r in points],
                mode="markers",
                name=esc(label),
                marker={"color": colour, "symbol": symbol, "size": 11},
                hovertemplate=esc(label) + ": %{y:.1f}%<extra></extra>",
            )
        )
    return figure


def turnout_estimate_csv(
    *,
    rows: Rows,
    official_rows: Rows = (),
    area_name: str = "",
    timezone: str = "UTC",
    title: str | None = None,
) -> list[list]:
    tz = _zone(timezone)
    header = [
        "series",
        "time",
        "stations_reporting",
        "estimate_pct",
        "low95",
        "high95",
        "low99",
        "high99",
        "official_pct",
    ]
    out = [
        [
            "estimate",
            _iso(r["bucket_end"], tz),
            r["stations_reporting"],
            round(r["estimate_pct"], 2),
            round(r["low95"], 2),
            round(r["high95"], 2),
            round(r["low99"], 2),
            round(r["high99"], 2),
            "",
        ]
        for r in sorted(rows, key=lambda r: _iso(r["bucket_end"], tz))
    ]
    out += [
        ["official", _iso(r["at"], tz), "", "", "", "", "", "", r["turnout_pct"]]
        for r in sorted(official_rows, key=lambda r: _iso(r["at"], tz))
    ]
    return _csv(header, out)


def quick_count_spec(*, estimates: Rows, title: str | None = None) -> dict:
    """Each candidate's estimated share of valid votes, with 95% error bars (99% in the hover).

    ``estimates``: ``{"code", "name", "estimate_pct", "margin95", "margin99"}`` in ballot order.
    """
    rows = [r for r in estimates if r.get("estimate_pct") is not None]
    figure = _figure(
        title,
        height=max(240, 110 + 48 * len(rows)),
        xaxis={"title": {"text": esc(_("Share of valid votes (%)"))}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    if rows:
        figure["data"].append(
            _trace(
                "bar",
                orientation="h",
                y=[esc(r["name"]) for r in rows],
                x=[r["estimate_pct"] for r in rows],
                marker={"color": COLOURS["accent"]},
                error_x={
                    "type": "data",
                    "array": [r["margin95"] for r in rows],
                    "color": COLOURS["negative"],
                    "thickness": 2,
                    "width": 6,
                },
                customdata=[[r["margin95"], r["margin99"]] for r in rows],
                hovertemplate="%{y}: %{x:.1f}%<br>"
                + esc(_("± %(m95)s points at 95%%, ± %(m99)s at 99%%"))
                % {"m95": "%{customdata[0]:.1f}", "m99": "%{customdata[1]:.1f}"}
                + "<extra></extra>",
                name=esc(_("Estimate with 95% margin")),
            )
        )
    return figure


def quick_count_csv(*, estimates: Rows, title: str | None = None) -> list[list]:
    header = ["code", "name", "votes", "estimate_pct", "margin95", "margin99"]
    return _csv(
        header,
        (
            [
                r["code"],
                r["name"],
                r.get("votes"),
                round(r["estimate_pct"], 2),
                round(r["margin95"], 2),
                round(r["margin99"], 2),
            ]
            for r in estimates
            if r.get("estimate_pct") is not None
        ),
    )


QUICK_COUNT_COLOURS = ["#1f5fa8", "#a15c00", "#1b7f3b", "#b3261e", "#5b6478", "#7a3fa0"]


def quick_count_convergence_spec(
    *, rows: Rows, timezone: str = "UTC", title: str | None = None
) -> dict:
    """How each candidate's estimate and its 95% interval settled as the counts arrived.

    ``rows``: ``{"received_at", "stations", "code", "name", "estimate_pct", "low95", "high95"}``.
    """
    tz = _zone(timezone)
    figure = _figure(
        title,
        height=400,
        xaxis={
            "type": "date",
            "tickformat": "%H:%M",
            "title": {"text": esc(_("Reports received"))},
        },
        yaxis={"title": {"text": esc(_("Share of valid votes (%)"))}, "rangemode": "tozero"},
        hovermode="closest",
    )
    codes: list[str] = []
    for row in rows:
        if row["code"] not in codes:
            codes.append(row["code"])
    for index, code in enumerate(codes):
        series = sorted(
            (r for r in rows if r["code"] == code),
            key=lambda r: (_iso(r["received_at"], tz), r["stations"]),
        )
        colour = QUICK_COUNT_COLOURS[index % len(QUICK_COUNT_COLOURS)]
        x = [_local(r["received_at"], tz) for r in series]
        figure["data"].append(
            _band(
                x,
                [r["low95"] for r in series],
                [r["high95"] for r in series],
                colour=colour,
                opacity=0.18,
                name=_("%(name)s, 95%% interval") % {"name": series[0]["name"]},
            )
        )
        figure["data"].append(
            _trace(
                "scatter",
                x=x,
                y=[r["estimate_pct"] for r in series],
                mode="lines",
                name=esc(series[0]["name"]),
                line={"color": colour},
                customdata=[[r["low95"], r["high95"], r["stations"]] for r in series],
                hovertemplate=esc(series[0]["name"])
                + ": %{y:.1f}% ("
                + esc(_("95%%: %(low)s–%(high)s%%, %(n)s stations"))
                % {
                    "low": "%{customdata[0]:.1f}",
                    "high": "%{customdata[1]:.1f}",
                    "n": "%{customdata[2]:,}",
                }
                + ")<extra></extra>",
            )
        )
    return figure


def quick_count_convergence_csv(
    *, rows: Rows, timezone: str = "UTC", title: str | None = None
) -> list[list]:
    tz = _zone(timezone)
    header = ["received_at", "stations", "code", "name", "estimate_pct", "low95", "high95"]
    return _csv(
        header,
        (
            [
                _iso(r["received_at"], tz),
                r["stations"],
                r["code"],
                r["name"],
                round(r["estimate_pct"], 2),
                round(r["low95"], 2),
                round(r["high95"], 2),
            ]
            for r in rows
        ),
    )


def turnout_distribution_spec(*, values: Sequence[float], title: str | None = None) -> dict:
    """How many observed stations reported each turnout, in one-point bins."""
    figure = _figure(
        title,
        height=340,
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "range": [0, 100]},
        yaxis={"title": {"text": esc(_("Polling stations"))}},
        bargap=0.05,
    )
    figure["data"].append(
        _trace(
            "histogram",
            x=list(values),
            xbins={"start": 0, "end": 101, "size": 1},
            marker={"color": COLOURS["accent"]},
            name=esc(_("Stations")),
            hovertemplate=esc(_("Turnout %(range)s%%: %(count)s stations"))
            % {"range": "%{x}", "count": "%{y:,}"}
            + "<extra></extra>",
        )
    )
    return figure


def election_fingerprint_spec(
    *, points: Rows, winner_name: str = "", bin_size: float = 2, title: str | None = None
) -> dict:
    """The election fingerprint (Klimek et al., PNAS 2012): stations by turnout (x) and the
    winner's share of valid votes (y), as a two-dimensional histogram.

    ``points``: ``{"turnout_pct", "winner_pct"}``, one per station.
    """
    y_title = _("%(name)s's share of valid votes (%%)") % {"name": winner_name or _("Winner")}
    figure = _figure(
        title,
        height=460,
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "range": [0, 100]},
        yaxis={"title": {"text": esc(y_title)}, "range": [0, 100]},
    )
    figure["data"].append(
        _trace(
            "histogram2d",
            x=[p["turnout_pct"] for p in points],
            y=[p["winner_pct"] for p in points],
            xbins={"start": 0, "end": 100 + bin_size, "size": bin_size},
            ybins={"start": 0, "end": 100 + bin_size, "size": bin_size},
            colorscale=[[0, "#ffffff"], [0.001, "#dce6f2"], [1, "#0b2e59"]],
            colorbar={"title": {"text": esc(_("Stations"))}},
            hovertemplate=esc(_("Turnout %(x)s%%, share %(y)s%%: %(z)s stations"))
            % {"x": "%{x}", "y": "%{y}", "z": "%{z}"}
            + "<extra></extra>",
        )
    )
    return figure


# --- figures, and the registry ---------------------------------------------------------------


def _figure_of(spec: Callable[..., dict]) -> Callable[..., go.Figure]:
    """``<chart>_figure(**arguments)``: the chart's spec as a validated ``go.Figure``."""

    @functools.wraps(spec)
    def figure(**arguments) -> go.Figure:
        return go.Figure(spec(**arguments))

    figure.__name__ = figure.__qualname__ = spec.__name__.replace("_spec", "_figure")
    return figure


turnout_day_figure = _figure_of(turnout_day_spec)
turnout_by_area_figure = _figure_of(turnout_by_area_spec)
coverage_by_area_figure = _figure_of(coverage_by_area_spec)
assessments_figure = _figure_of(assessments_spec)
findings_by_category_figure = _figure_of(findings_by_category_spec)
findings_heatmap_figure = _figure_of(findings_heatmap_spec)
coverage_map_figure = _figure_of(coverage_map_spec)
turnout_estimate_figure = _figure_of(turnout_estimate_spec)
quick_count_figure = _figure_of(quick_count_spec)
quick_count_convergence_figure = _figure_of(quick_count_convergence_spec)
turnout_distribution_figure = _figure_of(turnout_distribution_spec)
election_fingerprint_figure = _figure_of(election_fingerprint_spec)


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


CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart(
            "turnout_day",
            gettext_lazy("Turnout through the day"),
            turnout_day_spec,
            turnout_day_figure,
            turnout_day_csv,
        ),
        Chart(
            "turnout_by_area",
            gettext_lazy("Turnout by area"),
            turnout_by_area_spec,
            turnout_by_area_figure,
            turnout_by_area_csv,
        ),
        Chart(
            "coverage_by_area",
            gettext_lazy("Coverage by area"),
            coverage_by_area_spec,
            coverage_by_area_figure,
            coverage_by_area_csv,
        ),
        Chart(
            "assessments",
            gettext_lazy("Assessment of the process"),
            assessments_spec,
            assessments_figure,
            assessments_csv,
        ),
        Chart(
            "findings_by_category",
            gettext_lazy("Findings by category and severity"),
            findings_by_category_spec,
            findings_by_category_figure,
            findings_by_category_csv,
        ),
        Chart(
            "findings_heatmap",
            gettext_lazy("Findings by area and category"),
            findings_heatmap_spec,
            findings_heatmap_figure,
            findings_heatmap_csv,
        ),
        Chart(
            "coverage_map",
            gettext_lazy("Coverage map"),
            coverage_map_spec,
            coverage_map_figure,
            coverage_map_csv,
        ),
    )
}


def figure_json(figure: go.Figure | dict) -> dict:
    """The figure as the plain dict plotly.js takes (``{"data": [...], "layout": {...}}``).

    For a ``go.Figure`` this is its JSON; a spec dict is already that and is returned as is.
    """
    if isinstance(figure, dict):
        return figure
    return json.loads(figure.to_json())


# --- the briefing pack ----------------------------------------------------------------------


def _lines(text: str, width: int) -> list[str]:
    """Plotly does not wrap text: break it into lines of about ``width`` characters."""
    return textwrap.wrap(str(text), width=width) or [""]


def captioned_figure(
    *, figure: go.Figure, caption: str, width: int = 1123, min_height: int = 794
) -> go.Figure:
    """The figure on a page of its own, ``width`` wide, with ``caption`` under it.

    A copy: the figure passed in is not changed. The chart keeps its own height unless the
    page (``min_height``, A4 landscape at 96 px per inch by default) is taller.
    """
    page = go.Figure(figure)
    lines = _lines(caption, max(40, width // 8))
    caption_height = 16 + 18 * len(lines)
    axis_room = 70  # the x axis' tick labels and title sit between the plot and the caption
    base_bottom = figure.layout.margin.b or 0
    bottom = base_bottom + axis_room + caption_height
    height = max(min_height, int(figure.layout.height or 500) + axis_room + caption_height)
    side = max(48, figure.layout.margin.l or 0, figure.layout.margin.r or 0)
    page.update_layout(
        width=width, height=height, margin={"b": bottom, "l": side, "r": side, "t": 90}
    )
    if figure.layout.title.text:
        page.update_layout(title={"xref": "paper", "x": 0, "y": 0.98, "yanchor": "top"})
    page.add_annotation(
        text="<br>".join(esc(line) for line in lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-(base_bottom + axis_room),
        align="left",
        showarrow=False,
        font={"size": 13, "color": COLOURS["official"]},
    )
    return page


def briefing_title_figure(
    *,
    heading: str,
    subheading: str,
    title: str,
    snapshot: str,
    statements: Sequence[str] = (),
    table_header: Sequence[str] = (),
    table_columns: Sequence[Sequence] = (),
    width: int = 1123,
    height: int = 794,
) -> go.Figure:
    """The title page of a briefing pack: who, which election, when, and the key figures.

    ``statements`` are lines of text (already wrapped); ``table_columns`` the columns of an
    optional table under them (e.g. findings by category and severity) under ``table_header``.
    """
    figure = go.Figure(
        layout={
            "template": TEMPLATE,
            "width": width,
            "height": height,
            "margin": {"l": 60, "r": 60, "t": 60, "b": 40},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "showlegend": False,
        }
    )
    has_table = bool(table_columns and table_columns[0])
    text_bottom = 0.42 if has_table else 0.0

    def line(y, text, size, colour="#1d2433", bold=False):
        figure.add_annotation(
            text=f"<b>{esc(text)}</b>" if bold else esc(text),
            xref="paper",
            yref="paper",
            x=0,
            y=y,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": size, "color": colour},
        )

    line(1.0, heading, 26, bold=True)
    line(0.93, subheading, 16, COLOURS["official"])
    line(0.86, title, 20, COLOURS["accent"], bold=True)
    line(0.80, snapshot, 13, COLOURS["official"])
    if statements:
        figure.add_annotation(
            text="<br>".join(esc(s) for s in statements),
            xref="paper",
            yref="paper",
            x=0,
            y=0.72,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 14, "color": "#1d2433"},
        )
    if has_table:
        figure.add_trace(
            go.Table(
                domain={"x": [0, 1], "y": [0, text_bottom - 0.04]},
                columnwidth=[3] + [1] * (len(table_columns) - 1),
                header={
                    "values": [f"<b>{esc(h)}</b>" for h in table_header],
                    "align": ["left"] + ["right"] * (len(table_header) - 1),
                    "fill": {"color": "#e6e9ef"},
                    "font": {"size": 13},
                },
                cells={
                    "values": [[esc(v) for v in column] for column in table_columns],
                    "align": ["left"] + ["right"] * (len(table_columns) - 1),
                    "font": {"size": 12},
                    "height": 24,
                },
            )
        )
    return figure
