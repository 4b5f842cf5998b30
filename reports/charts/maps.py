"""The dashboard's map: regions as filled areas coloured by coverage or turnout, the stations
as hexagons, over the country's outline.

- Regions are filled areas coloured by coverage (share of stations visited) or turnout (the
  latest hour's observed turnout), switchable; hovering one shows its figures, clicking it
  opens its drill-down page. A region's shape is its uploaded GeoJSON outline, or, where none
  was uploaded, the convex hull of its stations (approximate: the map says so).
- Stations are an aggregated layer: hexagons coloured by how many stations each holds, with
  how many were visited (a few hundred shapes, not 10,000 dots).
- The country's outline (Natural Earth, ``reports.maps.world.country_rings``) lies under both.

Drawn on plain longitude/latitude axes (scatter traces only: no map tiles, no geo subplot,
nothing fetched from the internet). Every name from the data goes through ``esc``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.charts.base import Rows, csv_table, esc, figure_dict, figure_of, trace_dict


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


MEASURES = ("coverage", "turnout")
# Light to dark: a value's colour on each measure's scale.
SCALES = {
    "coverage": ["#f1f7f2", "#bfe0c6", "#7cc08b", "#389a55", "#0f5f2c"],
    "turnout": ["#f0f5fb", "#c3d7ee", "#86aedc", "#3f7bc0", "#123f78"],
}
NO_DATA = "#e6e9ef"
# Stations per hexagon, few to many: one ink, denser as the class grows, so the regions'
# colours show through the sparse hexagons.
HEX_COLOURS = [
    "rgba(55,40,85,0.10)",
    "rgba(55,40,85,0.25)",
    "rgba(55,40,85,0.42)",
    "rgba(55,40,85,0.60)",
    "rgba(55,40,85,0.80)",
]
HEXES_ACROSS = 45


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


def colour_of(value: float | None, measure: str, top: float = 100) -> str:
    """``value`` in percent on the measure's scale (0 lightest, ``top`` darkest)."""
    if value is None:
        return NO_DATA
    scale = SCALES[measure]
    position = max(0.0, min(1.0, value / top)) * (len(scale) - 1)
    low = min(int(position), len(scale) - 2)
    return _mix(scale[low], scale[low + 1], position - low)


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull (Andrew's monotone chain), closed, counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return list(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return hull + hull[:1]


def approximate_shape(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """A region's shape drawn around its stations: the hull, widened a little (a small square
    around one or two stations)."""
    if not points:
        return []
    hull = convex_hull(points)
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    if len(hull) < 4:
        d = 0.15
        return [
            (cx - d, cy - d),
            (cx + d, cy - d),
            (cx + d, cy + d),
            (cx - d, cy + d),
            (cx - d, cy - d),
        ]
    return [(round(cx + (x - cx) * 1.08, 4), round(cy + (y - cy) * 1.08, 4)) for x, y in hull]


def hexbins(stations: Rows, *, across: int = HEXES_ACROSS) -> list[dict]:
    """Stations binned into pointy-top hexagons about 1/``across`` of the map's width wide
    (in screen proportions: longitude shrunk by the cosine of the latitude).

    Returns ``{"x", "y", "polygon", "stations", "visited"}`` per non-empty hexagon.
    """
    placed = [
        (lon, lat, bool(s.get("visited")))
        for s in stations
        if (lon := _float(s.get("longitude"))) is not None
        and (lat := _float(s.get("latitude"))) is not None
    ]
    if not placed:
        return []
    lons = [p[0] for p in placed]
    lats = [p[1] for p in placed]
    k = max(0.2, math.cos(math.radians((min(lats) + max(lats)) / 2)))
    width = max((max(lons) - min(lons)) * k, 0.5)
    size = width / across / math.sqrt(3)  # hexagon radius, in latitude degrees
    dx, dy = math.sqrt(3) * size, 1.5 * size
    bins: dict[tuple[int, int], list] = {}
    for lon, lat, visited in placed:
        x, y = lon * k, lat
        row = round(y / dy)
        col = round((x - (row % 2) * dx / 2) / dx)
        # Check the neighbouring centres too: the nearest centre is the hexagon.
        best = None
        for r in (row - 1, row, row + 1):
            for c in (col - 1, col, col + 1):
                cx, cy = c * dx + (r % 2) * dx / 2, r * dy
                d = (x - cx) ** 2 + (y - cy) ** 2
                if best is None or d < best[0]:
                    best = (d, r, c, cx, cy)
        _d, r, c, cx, cy = best
        cell = bins.setdefault((r, c), [cx, cy, 0, 0])
        cell[2] += 1
        cell[3] += visited
    result = []
    for cx, cy, count, visited in bins.values():
        polygon = [
            (
                round((cx + size * math.cos(math.radians(60 * i + 30))) / k, 4),
                round(cy + size * math.sin(math.radians(60 * i + 30)), 4),
            )
            for i in range(7)
        ]
        result.append(
            {
                "x": round(cx / k, 4),
                "y": round(cy, 4),
                "polygon": polygon,
                "stations": count,
                "visited": visited,
            }
        )
    return result


def _classes(counts: list[int]) -> list[tuple[int, int]]:
    """Up to five count classes for the hexagons' colours (quantiles of the counts)."""
    values = sorted(set(counts))
    if len(values) <= 5:
        return [(v, v) for v in values]
    edges = [values[round(i * (len(values) - 1) / 5)] for i in range(6)]
    classes, low = [], edges[0]
    for high in edges[1:]:
        if high >= low:
            classes.append((low, high))
            low = high + 1
    return classes


def regions_map_spec(
    *,
    regions: Rows,
    stations: Rows = (),
    country: Sequence[Sequence[tuple[float, float]]] = (),
    measure: str = "coverage",
    title: str | None = None,
) -> dict:
    """``regions``: ``{"area_code", "area_name", "link", "outline" (GeoJSON geometry or None),
    "stations_total", "stations_visited", "visits", "turnout_pct" (or None)}``;
    ``stations``: ``{"latitude", "longitude", "visited", "region_code"}``; ``country``: rings.
    """
    if measure not in MEASURES:
        measure = "coverage"
    shapes: list[tuple[Mapping, list[list[tuple[float, float]]], bool]] = []
    by_region: dict[str, list[tuple[float, float]]] = {}
    for s in stations:
        lon, lat = _float(s.get("longitude")), _float(s.get("latitude"))
        if lon is not None and lat is not None:
            by_region.setdefault(s.get("region_code"), []).append((lon, lat))
    approximate = False
    for region in regions:
        rings = [
            [(float(p[0]), float(p[1])) for p in ring] for ring in _rings(region.get("outline"))
        ]
        if rings:
            shapes.append((region, rings, False))
        else:
            shape = approximate_shape(by_region.get(region["area_code"], []))
            if shape:
                shapes.append((region, [shape], True))
                approximate = True
    xs = [p[0] for _r, rings, _a in shapes for ring in rings for p in ring]
    ys = [p[1] for _r, rings, _a in shapes for ring in rings for p in ring]
    for ring in country:
        xs.extend(p[0] for p in ring)
        ys.extend(p[1] for p in ring)
    mid = (min(ys) + max(ys)) / 2 if ys else 0.0
    figure = figure_dict(
        title,
        height=600,
        showlegend=True,
        hovermode="closest",
        xaxis={"visible": False, "showgrid": False, "zeroline": False},
        yaxis={
            "visible": False,
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": round(1 / max(0.2, math.cos(math.radians(mid))), 4),
        },
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0},
    )
    if country:
        cx, cy = [], []
        for ring in country:
            cx.extend([p[0] for p in ring] + [None])
            cy.extend([p[1] for p in ring] + [None])
        figure["data"].append(
            trace_dict(
                "scatter",
                x=cx,
                y=cy,
                mode="lines",
                fill="toself",
                fillcolor="#fbfbf8",
                line={"color": "#5b6478", "width": 1.5},
                name=esc(_("Country outline")),
                hoverinfo="skip",
            )
        )
    label = _("Coverage") if measure == "coverage" else _("Turnout")
    # The scale runs from 0 to the highest value, rounded up to ten (the colour bar says so),
    # so regions of 15% and 40% coverage do not both look empty.
    values = [v for region, _rings, _a in shapes if (v := _value(region, measure)) is not None]
    top = min(100, max(10, math.ceil(max(values, default=100) / 10) * 10))
    centres_x, centres_y, texts, hovers, links = [], [], [], [], []
    for region, rings, _approx in shapes:
        value = _value(region, measure)
        colour = colour_of(value, measure, top)
        rx, ry = [], []
        for ring in rings:
            rx.extend([p[0] for p in ring] + [None])
            ry.extend([p[1] for p in ring] + [None])
        hover = _hover(region)
        figure["data"].append(
            trace_dict(
                "scatter",
                x=rx,
                y=ry,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"color": "#ffffff", "width": 1},
                opacity=1,
                name=esc(region["area_name"]),
                meta={"area": region["area_code"]},
                showlegend=False,
                hoveron="fills",
                text=hover,
                hoverinfo="text",
                customdata=[region.get("link", "")],
            )
        )
        outer = rings[0]
        centres_x.append(round(sum(p[0] for p in outer) / len(outer), 4))
        centres_y.append(round(sum(p[1] for p in outer) / len(outer), 4))
        texts.append(f"{value:.0f}%" if value is not None else "–")
        hovers.append(hover)
        links.append(region.get("link", ""))
    bins = hexbins(stations)
    for low, high in _classes([b["stations"] for b in bins]):
        chosen = [b for b in bins if low <= b["stations"] <= high]
        hx, hy = [], []
        for b in chosen:
            hx.extend([p[0] for p in b["polygon"]] + [None])
            hy.extend([p[1] for p in b["polygon"]] + [None])
        index = len([t for t in figure["data"] if t.get("legendgroup") == "hex"])
        name = (
            ngettext("%(low)s station", "%(low)s stations", low) % {"low": low}
            if low == high
            else _("%(low)s–%(high)s stations") % {"low": low, "high": high}
        )
        layer = trace_dict(
            "scatter",
            x=hx,
            y=hy,
            mode="lines",
            fill="toself",
            fillcolor=HEX_COLOURS[min(index, len(HEX_COLOURS) - 1)],
            line={"color": "rgba(55,40,85,0.35)", "width": 0.5},
            name=esc(name),
            legendgroup="hex",
            hoverinfo="skip",
        )
        if index == 0:
            layer["legendgrouptitle"] = {"text": esc(_("Stations per hexagon"))}
        figure["data"].append(layer)
        # Hover over a hexagon: an invisible marker at its centre carries the figures.
        figure["data"].append(
            trace_dict(
                "scatter",
                x=[b["x"] for b in chosen],
                y=[b["y"] for b in chosen],
                mode="markers",
                marker={"size": 8, "opacity": 0},
                legendgroup="hex",
                showlegend=False,
                customdata=[[b["stations"], b["visited"]] for b in chosen],
                hovertemplate=esc(_("%(stations)s stations, %(visited)s visited"))
                % {"stations": "%{customdata[0]:,}", "visited": "%{customdata[1]:,}"}
                + "<extra></extra>",
            )
        )
    # The regions' values at their centres, which a click opens (as the fill does).
    figure["data"].append(
        trace_dict(
            "scatter",
            x=centres_x,
            y=centres_y,
            mode="text",
            text=texts,
            textfont={"size": 12, "color": "#1d2433"},
            hovertext=hovers,
            hoverinfo="text",
            customdata=links,
            name=esc(label),
            showlegend=False,
        )
    )
    # The colour scale, drawn by an invisible trace's colour bar.
    figure["data"].append(
        trace_dict(
            "scatter",
            x=[centres_x[0]] if centres_x else [0],
            y=[centres_y[0]] if centres_y else [0],
            mode="markers",
            marker={
                "size": 0.1,
                "opacity": 0,
                "color": [0],
                "cmin": 0,
                "cmax": top,
                "colorscale": [
                    [i / (len(SCALES[measure]) - 1), c] for i, c in enumerate(SCALES[measure])
                ],
                "showscale": True,
                "colorbar": {
                    "title": {"text": esc(label) + " (%)"},
                    "thickness": 12,
                    "len": 0.5,
                    "x": 1.0,
                },
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    if approximate:
        figure["layout"]["annotations"] = [
            {
                "text": esc(
                    _(
                        "Region shapes are approximate: drawn around their stations "
                        "(no outline uploaded)."
                    )
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": "#5b6478"},
            }
        ]
    figure["layout"]["meta"] = {
        "measure": measure,
        "approximate": approximate,
        "hexagons": len(bins),
        "stations": sum(b["stations"] for b in bins),
        "visited": sum(b["visited"] for b in bins),
        "outlines": sum(1 for _region, _rings, approx in shapes if not approx),
    }
    return figure


def _value(region: Mapping, measure: str) -> float | None:
    if measure == "turnout":
        value = region.get("turnout_pct")
        return None if value is None else float(value)
    total = region.get("stations_total") or 0
    return 100 * (region.get("stations_visited") or 0) / total if total else None


def _hover(region: Mapping) -> str:
    total = region.get("stations_total") or 0
    visited = region.get("stations_visited") or 0
    lines = [
        "<b>" + esc(region["area_name"]) + "</b>",
        esc(
            ngettext(
                "%(visited)s of %(total)s station visited (%(pct)s)",
                "%(visited)s of %(total)s stations visited (%(pct)s)",
                total,
            )
            % {
                "visited": f"{visited:,}",
                "total": f"{total:,}",
                "pct": f"{100 * visited / total:.1f}%" if total else "–",
            }
        ),
        esc(
            ngettext("%(visits)s visit", "%(visits)s visits", region.get("visits") or 0)
            % {"visits": f"{region.get('visits') or 0:,}"}
        ),
    ]
    turnout = region.get("turnout_pct")
    lines.append(
        esc(
            _("Turnout %(pct)s") % {"pct": f"{float(turnout):.1f}%" if turnout is not None else "–"}
        )
    )
    return "<br>".join(lines)


def regions_map_csv(
    *,
    regions: Rows,
    stations: Rows = (),
    country: Sequence = (),
    measure: str = "coverage",
    title: str | None = None,
) -> list[list]:
    """The map's figures per region (the stations' places are not exported)."""
    return csv_table(
        ["area_code", "area_name", "stations_total", "stations_visited", "visits", "turnout_pct"],
        (
            [
                r["area_code"],
                r["area_name"],
                r.get("stations_total") or 0,
                r.get("stations_visited") or 0,
                r.get("visits") or 0,
                r.get("turnout_pct"),
            ]
            for r in sorted(regions, key=lambda r: str(r.get("area_name", "")).casefold())
        ),
    )


regions_map_figure = figure_of(regions_map_spec)
