"""The dashboard's turnout charts: turnout through the day, and by area at one hour."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from reports.charts.base import (
    COLOURS,
    Rows,
    area_height,
    area_labels,
    area_links,
    by_area_name,
    csv_table,
    esc,
    figure_dict,
    figure_of,
    iso_text,
    layout_update,
    local_text,
    trace_dict,
    turnout_share,
    zone_of,
)


def turnout_buckets(rows: Rows, *, timezone: str = "UTC") -> list[str]:
    """The distinct buckets of turnout rows, as ISO strings in the mission's time, in order."""
    tz = zone_of(timezone)
    return sorted({iso_text(row["bucket_end"], tz) for row in rows if row.get("bucket_end")})


def _rows_at(rows: Rows, bucket_end, tz) -> tuple[list[Mapping], str]:
    """The rows of one bucket (the latest one if ``bucket_end`` is empty) and its ISO label."""
    buckets = sorted({iso_text(row["bucket_end"], tz) for row in rows if row.get("bucket_end")})
    if not buckets:
        return [], ""
    chosen = iso_text(bucket_end, tz) if bucket_end else buckets[-1]
    return [row for row in rows if iso_text(row["bucket_end"], tz) == chosen], chosen


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
    tz = zone_of(timezone)
    figure = figure_dict(
        title,
        height=380,
        xaxis={"type": "date", "tickformat": "%H:%M", "title": {"text": esc(_("Time of day"))}},
        yaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        hovermode="x unified",
    )
    # Whole legend names (a region's name, or the word "region" when there is none).
    if region_name:
        observed_region = _("Observed, %(region)s") % {"region": region_name}
        official_region = _("Official, %(region)s") % {"region": region_name}
    else:
        observed_region, official_region = _("Observed, region"), _("Official, region")
    observed = [
        (national_rows, _("Observed, national"), COLOURS["accent"]),
        (region_rows, observed_region, COLOURS["region"]),
    ]
    for rows, name, colour in observed:
        rows = sorted(rows, key=lambda r: iso_text(r["bucket_end"], tz))
        if not rows:
            continue
        figure["data"].append(
            trace_dict(
                "scatter",
                x=[local_text(r["bucket_end"], tz) for r in rows],
                y=[turnout_share(r) for r in rows],
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
        (region_official_rows, official_region, COLOURS["region"]),
    ]
    for rows, name, colour in announced:
        rows = sorted(rows, key=lambda r: iso_text(_official_at(r), tz))
        if not rows:
            continue
        figure["data"].append(
            trace_dict(
                "scatter",
                x=[local_text(_official_at(r), tz) for r in rows],
                y=[turnout_share(r) for r in rows],
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
    tz = zone_of(timezone)
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
        for r in sorted(rows, key=lambda r: iso_text(r["bucket_end"], tz)):
            out.append(
                [
                    "observed",
                    r["area_code"],
                    r["area_name"],
                    iso_text(r["bucket_end"], tz),
                    r["stations_reporting"],
                    r["voters"],
                    r["registered"],
                    turnout_share(r),
                ]
            )
    for rows in (official_rows, region_official_rows):
        for r in sorted(rows, key=lambda r: iso_text(_official_at(r), tz)):
            out.append(
                [
                    "official",
                    r.get("area_code", "ALL"),
                    r.get("area_name", "ALL"),
                    iso_text(_official_at(r), tz),
                    "",
                    "",
                    "",
                    turnout_share(r),
                ]
            )
    return csv_table(header, out)


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
    tz = zone_of(timezone)
    chosen_rows, chosen = _rows_at(rows, bucket_end, tz)
    chosen_rows = by_area_name(chosen_rows)
    figure = figure_dict(
        title,
        height=area_height(len(chosen_rows)),
        xaxis={"title": {"text": esc(_("Turnout (%)"))}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    if chosen:
        hour = local_text(chosen, tz)[-5:]
        layout_update(
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
        trace_dict(
            "bar",
            orientation="h",
            y=area_labels(chosen_rows),
            x=[turnout_share(r) for r in chosen_rows],
            marker={"color": COLOURS["accent"]},
            name=esc(_("Observed turnout")),
            customdata=[
                [r["stations_reporting"], r["voters"], r["registered"], link]
                for r, link in zip(
                    chosen_rows, area_links(chosen_rows, links) or [""] * len(chosen_rows)
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
    tz = zone_of(timezone)
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
    return csv_table(
        header,
        (
            [
                r["area_code"],
                r["area_name"],
                chosen,
                r["stations_reporting"],
                r["voters"],
                r["registered"],
                turnout_share(r),
            ]
            for r in by_area_name(chosen_rows)
        ),
    )


turnout_day_figure = figure_of(turnout_day_spec)
turnout_by_area_figure = figure_of(turnout_by_area_spec)
