"""The mission's country outline, from the vendored Natural Earth shapes (world-atlas).

``static/vendor/world-atlas/countries-50m.json`` is TopoJSON: shared arcs, quantised and
delta-encoded. ``country_rings`` decodes one country's polygons into longitude/latitude rings
(read once per process, then kept).
"""

from __future__ import annotations

import functools
import json

from django.contrib.staticfiles import finders

TOPOLOGY = "vendor/world-atlas/countries-50m.json"
NUMERIC = "vendor/world-atlas/iso3166-numeric.json"


@functools.cache
def _load(name: str) -> dict:
    path = finders.find(name)
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def _arcs() -> list[list[tuple[float, float]]]:
    topology = _load(TOPOLOGY)
    if not topology:
        return []
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((round(x * sx + tx, 4), round(y * sy + ty, 4)))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int]) -> list[tuple[float, float]]:
    arcs = _arcs()
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their end point.
        ring.extend(points[1:] if ring else points)
    return ring


@functools.cache
def country_rings(country: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The outer and inner rings of a country (ISO alpha-2 code), or () if unknown."""
    numeric = _load(NUMERIC).get((country or "").upper())
    topology = _load(TOPOLOGY)
    if not numeric or not topology:
        return ()
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") != numeric:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            return ()
        return tuple(tuple(_ring(ring)) for polygon in polygons for ring in polygon)
    return ()


def inside(rings, lon: float, lat: float) -> bool:
    """Whether a point lies inside the rings (even-odd rule: holes count as outside)."""
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit
