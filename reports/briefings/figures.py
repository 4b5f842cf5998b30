"""A briefing's charts as the press gets them: dressed for print, slides or social media.

``press_figure`` draws a briefing chart with the dashboard's own figure function
(``reports.charts``), marks on the turnout curve the hours where the stations reporting move
it, and lays it out with ``reports.charts.style.figure_dress``: title, subtitle, notes and the
source line, in the active language. Chart files, the pack, the slides and the embeddable
charts all come from here.
"""

from __future__ import annotations

import zoneinfo

from django.utils.translation import ngettext

from common.numbers import figure_text
from reports import charts
from reports.briefings.content import (
    chart_subtitle,
    source_line,
    turnout_same_hour,
    turnout_same_hour_text,
    turnout_station_notes,
)
from reports.charts.style import COLOURS, DEFAULT_SIZE, figure_dress


def _turnout_annotations(figure: dict, notes: list[dict], timezone) -> None:
    """A marker on the observed curve at each hour a note speaks of."""
    tz = zoneinfo.ZoneInfo(timezone or "UTC")
    observed = next((t for t in figure["data"] if t.get("type") == "scatter"), None)
    if observed is None:
        return
    points = dict(zip(observed.get("x") or [], observed.get("y") or []))
    for note in notes:
        x = note["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if x not in points:
            continue
        figure["layout"].setdefault("annotations", []).append(
            {
                "x": x,
                "y": points[x],
                "xref": "x",
                "yref": "y",
                "text": charts.esc(
                    ngettext("%(count)s station", "%(count)s stations", note["stations"])
                    % {"count": figure_text(note["stations"], kind="count")}
                ),
                "showarrow": True,
                "arrowhead": 0,
                "ax": 0,
                "ay": 40,
                "font": {"color": COLOURS["annotation"]},
                "arrowcolor": COLOURS["annotation"],
            }
        )


def briefing_spec(*, name: str, arguments: dict, snapshot: dict) -> dict:
    """A briefing chart as the dashboard draws it, with the hours where the stations reporting
    move the turnout curve marked on it (the page, and ``press_figure`` under its dressing)."""
    figure = charts.figure_json(charts.CHARTS[name].spec(**arguments, title=None))
    if name == "turnout_day":
        timezone = arguments.get("timezone") or snapshot["mission"].get("timezone")
        station_notes = turnout_station_notes(
            national_rows=arguments.get("national_rows"), timezone=timezone
        )
        _turnout_annotations(figure, station_notes, timezone)
    return figure


def press_figure(
    *, name: str, arguments: dict, snapshot: dict, size: str = DEFAULT_SIZE, title: str = ""
) -> dict:
    """A briefing chart, dressed for ``size``, with its title, subtitle, notes and source."""
    chart = charts.CHARTS[name]
    figure = briefing_spec(name=name, arguments=arguments, snapshot=snapshot)
    notes: list[str] = []
    if name == "turnout_day":
        timezone = arguments.get("timezone") or snapshot["mission"].get("timezone")
        station_notes = turnout_station_notes(
            national_rows=arguments.get("national_rows"), timezone=timezone
        )
        notes = [n["text"] for n in station_notes]
        pair = turnout_same_hour(
            national_rows=arguments.get("national_rows"),
            official_rows=arguments.get("official_rows"),
        )
        if pair:
            notes.append(turnout_same_hour_text(pair, timezone=timezone))
    return figure_dress(
        figure,
        title=title or str(chart.title),
        subtitle=chart_subtitle(name),
        source=source_line(snapshot),
        size=size,
        notes=notes,
    )
