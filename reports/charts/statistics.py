"""The statistics' charts: turnout estimate, quick count (and its convergence), forensic views."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from reports.charts.base import (
    COLOURS,
    Rows,
    csv_table,
    esc,
    figure_dict,
    figure_of,
    iso_text,
    local_text,
    trace_dict,
    zone_of,
)

# --- statistics: turnout estimate, quick count, forensic views ---------------------------------


def _band(x, low, high, *, colour: str, opacity: float, name: str) -> dict:
    """A filled interval band: high along ``x``, then low back."""
    return trace_dict(
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
    tz = zone_of(timezone)
    figure = figure_dict(
        title,
        height=380,
        xaxis={"type": "date", "tickformat": "%H:%M", "title": {"text": esc(_("Time of day"))}},
        yaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        hovermode="closest",
    )
    rows = sorted(rows, key=lambda r: iso_text(r["bucket_end"], tz))
    x = [local_text(r["bucket_end"], tz) for r in rows]
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
        name = (
            _("Estimate, %(area)s") % {"area": area_name} if area_name else _("Estimate, national")
        )
        figure["data"].append(
            trace_dict(
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
    official = sorted(official_rows, key=lambda r: iso_text(r["at"], tz))
    for outside, label, colour, symbol in (
        (False, _("Official"), COLOURS["official"], "circle"),
        # xgettext:no-python-format
        (True, _("Official, outside the 95% interval"), COLOURS["CRITICAL"], "x"),
    ):
        points = [r for r in official if bool(r.get("outside95")) == outside]
        if not points:
            continue
        figure["data"].append(
            trace_dict(
                "scatter",
                x=[local_text(r["at"], tz) for r in points],
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
    tz = zone_of(timezone)
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
            iso_text(r["bucket_end"], tz),
            r["stations_reporting"],
            round(r["estimate_pct"], 2),
            round(r["low95"], 2),
            round(r["high95"], 2),
            round(r["low99"], 2),
            round(r["high99"], 2),
            "",
        ]
        for r in sorted(rows, key=lambda r: iso_text(r["bucket_end"], tz))
    ]
    out += [
        ["official", iso_text(r["at"], tz), "", "", "", "", "", "", r["turnout_pct"]]
        for r in sorted(official_rows, key=lambda r: iso_text(r["at"], tz))
    ]
    return csv_table(header, out)


def quick_count_spec(*, estimates: Rows, title: str | None = None) -> dict:
    """Each candidate's estimated share of valid votes, with 95% error bars (99% in the hover).

    ``estimates``: ``{"code", "name", "estimate_pct", "margin95", "margin99"}`` in ballot order.
    """
    rows = [r for r in estimates if r.get("estimate_pct") is not None]
    figure = figure_dict(
        title,
        height=max(240, 110 + 48 * len(rows)),
        xaxis={"title": {"text": esc(_("Share of valid votes (%)"))}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    if rows:
        figure["data"].append(
            trace_dict(
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
    return csv_table(
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
    tz = zone_of(timezone)
    figure = figure_dict(
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
            key=lambda r: (iso_text(r["received_at"], tz), r["stations"]),
        )
        colour = QUICK_COUNT_COLOURS[index % len(QUICK_COUNT_COLOURS)]
        x = [local_text(r["received_at"], tz) for r in series]
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
            trace_dict(
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
    tz = zone_of(timezone)
    header = ["received_at", "stations", "code", "name", "estimate_pct", "low95", "high95"]
    return csv_table(
        header,
        (
            [
                iso_text(r["received_at"], tz),
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
    figure = figure_dict(
        title,
        height=340,
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "range": [0, 100]},
        yaxis={"title": {"text": esc(_("Polling stations"))}},
        bargap=0.05,
    )
    figure["data"].append(
        trace_dict(
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
    figure = figure_dict(
        title,
        height=460,
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "range": [0, 100]},
        yaxis={"title": {"text": esc(y_title)}, "range": [0, 100]},
    )
    figure["data"].append(
        trace_dict(
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


turnout_estimate_figure = figure_of(turnout_estimate_spec)
quick_count_figure = figure_of(quick_count_spec)
quick_count_convergence_figure = figure_of(quick_count_convergence_spec)
turnout_distribution_figure = figure_of(turnout_distribution_spec)
election_fingerprint_figure = figure_of(election_fingerprint_spec)
