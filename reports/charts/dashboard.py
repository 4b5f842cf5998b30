"""The dashboard's other charts: coverage by area, assessments, findings (by category, heatmap).

Turnout is in ``reports.charts.turnout``, the map in ``reports.charts.maps``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.numbers import figure_text, share_exact
from observation.models import Assessment, FindingCategory, Severity, Stage
from reports.charts.base import (
    ASSESSMENT_STACK,
    CATEGORY_ORDER,
    COLOURS,
    SEVERITY_ORDER,
    STAGE_ORDER,
    Rows,
    area_height,
    area_labels,
    area_links,
    assessment_figures,
    by_area_name,
    choice_label,
    csv_table,
    esc,
    figure_dict,
    figure_of,
    number_or,
    trace_dict,
)
from reports.charts.style import SEQUENTIAL

# --- coverage by area -----------------------------------------------------------------------


def coverage_by_area_spec(
    *, rows: Rows, links: Mapping[str, str] | None = None, title: str | None = None
) -> dict:
    """Stations visited of the total, per area, as stacked horizontal bars."""
    rows = by_area_name(rows)
    figure = figure_dict(
        title,
        height=area_height(len(rows)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Polling stations"))}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    names = area_labels(rows)
    visited = [number_or(r["stations_visited"]) for r in rows]
    totals = [number_or(r["stations_total"]) for r in rows]
    shares = [round(100 * v / t, 1) if t else 0.0 for v, t in zip(visited, totals)]
    link_list = area_links(rows, links) or [""] * len(rows)
    customdata = [
        [v, t, s, number_or(r["visits"]), link]
        for v, t, s, r, link in zip(visited, totals, shares, rows, link_list)
    ]
    # Each bar's own text: its counts choose the plural forms (the map's hover says the same).
    hover_texts = [
        _coverage_hover(v, t, number_or(r["visits"])) for v, t, r in zip(visited, totals, rows)
    ]
    for name, values, colour in (
        (_("Visited"), visited, COLOURS["visited"]),
        (
            _("Not visited"),
            [max(0, t - v) for t, v in zip(totals, visited)],
            COLOURS["not_visited"],
        ),
    ):
        figure["data"].append(
            trace_dict(
                "bar",
                orientation="h",
                y=names,
                x=values,
                name=esc(name),
                marker={"color": colour},
                customdata=customdata,
                hovertext=hover_texts,
                hovertemplate="%{y}<br>%{hovertext}<extra></extra>",
            )
        )
    return figure


def _coverage_hover(visited: int, total: int, visits: int) -> str:
    stations = ngettext(
        "%(visited)s of %(total)s station visited (%(pct)s)",
        "%(visited)s of %(total)s stations visited (%(pct)s)",
        total,
    ) % {
        "visited": figure_text(visited, kind="count"),
        "total": figure_text(total, kind="count"),
        "pct": figure_text(share_exact(visited, total), kind="share"),
    }
    visits_text = ngettext("%(visits)s visit", "%(visits)s visits", visits) % {
        "visits": figure_text(visits, kind="count")
    }
    return esc(stations) + "<br>" + esc(visits_text)


def coverage_by_area_csv(
    *, rows: Rows, links: Mapping[str, str] | None = None, title: str | None = None
) -> list[list]:
    header = ["area_code", "area_name", "stations_total", "stations_visited", "visits"]
    return csv_table(
        header,
        (
            [
                r["area_code"],
                r["area_name"],
                r["stations_total"],
                r["stations_visited"],
                r["visits"],
            ]
            for r in by_area_name(rows)
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
    return by_area_name(rows)


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
    rows = [r for r in _assessment_rows(rows, by) if number_or(r.get("total"))]
    if by == "stage":
        labels = [esc(choice_label(Stage, r["stage"])) for r in rows]
    else:
        labels = area_labels(rows)
    figure = figure_dict(
        title,
        height=area_height(len(rows)) if by == "area" else max(240, 110 + 48 * len(rows)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Share of observed stations (%)"))}, "range": [0, 100]},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    link_list = area_links(rows, links) if by == "area" else None
    link_list = link_list or [""] * len(rows)
    for value, key in ASSESSMENT_STACK:
        counts = [number_or(r[key]) for r in rows]
        totals = [number_or(r["total"]) for r in rows]
        name = choice_label(Assessment, value)
        figure["data"].append(
            trace_dict(
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
    # The negative share and its interval as published: rounded once, from the counts.
    published = [assessment_figures(r) for r in rows]
    negative = [(label, p) for label, p in zip(labels, published) if p["negative_pct"] is not None]
    if negative:
        # xgettext:no-python-format
        name = _("Negative, with 95% interval")
        figure["data"].append(
            trace_dict(
                "scatter",
                x=[p["negative_pct"] for _label, p in negative],
                y=[label for label, _p in negative],
                mode="markers",
                name=esc(name),
                marker={"color": COLOURS["negative"], "symbol": "diamond", "size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [round(p["ci_high"] - p["negative_pct"], 1) for _l, p in negative],
                    "arrayminus": [round(p["negative_pct"] - p["ci_low"], 1) for _l, p in negative],
                    "color": COLOURS["negative"],
                    "thickness": 2,
                    "width": 6,
                },
                customdata=[
                    [p["ci_low"], p["ci_high"], p["negative"], p["total"]] for _l, p in negative
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
    # The shares as published (rounded once from the counts), as in the chart and the text.
    return csv_table(
        header,
        (
            [r[key] for key in header[:8]]
            + [assessment_figures(r)[key] for key in ("negative_pct", "ci_low", "ci_high")]
            for r in _assessment_rows(rows, by)
        ),
    )


# --- findings -------------------------------------------------------------------------------


def _findings_totals(rows: Rows) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["category"], r["severity"])
        totals[key] = totals.get(key, 0) + number_or(r["count"])
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
    labels = [esc(choice_label(FindingCategory, c)) for c in categories]
    figure = figure_dict(
        title,
        height=area_height(len(categories)),
        barmode="stack",
        xaxis={"title": {"text": esc(_("Findings"))}},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    for severity in SEVERITY_ORDER:
        name = choice_label(Severity, severity)
        figure["data"].append(
            trace_dict(
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
    return csv_table(
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
        counts[key] = counts.get(key, 0) + number_or(r["count"])
    area_rows = by_area_name([{"area_code": c, "area_name": n} for c, n in areas.items()])
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
    link_list = area_links(area_rows, links) or [""] * len(area_rows)
    figure = figure_dict(
        title,
        height=area_height(len(area_rows)) + 60,
        xaxis={"type": "category", "tickangle": -35, "side": "top"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    figure["data"].append(
        trace_dict(
            "heatmap",
            x=[esc(choice_label(FindingCategory, c)) for c in categories],
            y=area_labels(area_rows),
            z=z,
            customdata=[[link] * len(categories) for link in link_list],
            colorscale=SEQUENTIAL,
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
    return csv_table(
        ["area_code", "area_name", "category", "count"],
        (
            [a["area_code"], a["area_name"], c, counts.get((a["area_code"], c), 0)]
            for a in area_rows
            for c in categories
        ),
    )


coverage_by_area_figure = figure_of(coverage_by_area_spec)
assessments_figure = figure_of(assessments_spec)
findings_by_category_figure = figure_of(findings_by_category_spec)
findings_heatmap_figure = figure_of(findings_heatmap_spec)
