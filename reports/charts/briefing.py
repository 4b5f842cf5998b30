"""The pages of a briefing pack: a chart captioned on a page of its own, and the title page."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from reports.charts.base import COLOURS, TEMPLATE, esc

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
