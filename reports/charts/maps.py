"""The coverage map: stations (visited or not) over the areas' outlines."""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.utils.translation import gettext as _

from reports.charts.base import COLOURS, Rows, csv_table, esc, figure_dict, figure_of, trace_dict

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
    figure = figure_dict(
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
            trace_dict(
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
            trace_dict(
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
            trace_dict(
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
    return csv_table(
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


coverage_map_figure = figure_of(coverage_map_spec)
