"""Region outlines for the coverage map, from a GeoJSON file the coordinator uploads.

The file is a GeoJSON ``FeatureCollection`` (or one ``Feature``) of ``Polygon`` and
``MultiPolygon`` features in longitude/latitude (WGS 84, as RFC 7946 says). Each feature is
matched to a region of the mission by a property whose value is the region's code or name
(case and surrounding spaces do not matter); the coordinator may name the property. An upload
replaces the outlines of all regions: matched regions get theirs, the others lose theirs.
Outlines are stored on ``Area.geojson`` as a bare geometry, coordinates rounded to about a
metre and thinned out if the whole map has more points than a browser draws comfortably.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from missions.audit import audit_record
from missions.models import Area, AreaLevel, Mission

MAX_BYTES_DEFAULT = 10 * 1024 * 1024
MAX_POINTS_STORED = 60_000
MAX_FEATURES = 5_000
# Properties tried, in this order, when the coordinator names none.
MATCH_PROPERTIES = (
    "code",
    "area_code",
    "region_code",
    "id",
    "name",
    "area_name",
    "region",
    "region_name",
    "NAME_1",
    "HASC_1",
    "shapeName",
    "shapeISO",
    "NAME",
    "name_en",
)


def max_bytes() -> int:
    return getattr(settings, "OUTLINES_MAX_BYTES", MAX_BYTES_DEFAULT)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring(ring, where: str) -> list[list[float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(
            _("%(where)s: a ring needs at least four positions.") % {"where": where}
        )
    points = []
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not _number(position[0])
            or not _number(position[1])
        ):
            raise ValidationError(
                _("%(where)s: a position must be [longitude, latitude].") % {"where": where}
            )
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _(
                    "%(where)s: [%(lon)s, %(lat)s] is not a longitude and latitude; "
                    "the file must be in WGS 84 degrees."
                )
                % {"where": where, "lon": position[0], "lat": position[1]}
            )
        points.append([round(lon, 5), round(lat, 5)])
    if points[0] != points[-1]:
        points.append(points[0])
    return points


def _polygon(polygon, where: str) -> list[list[list[float]]]:
    if not isinstance(polygon, list) or not polygon:
        raise ValidationError(_("%(where)s: a polygon needs at least one ring.") % {"where": where})
    return [_ring(ring, where) for ring in polygon]


def _geometry(geometry, where: str) -> dict:
    if not isinstance(geometry, dict):
        raise ValidationError(_("%(where)s has no geometry.") % {"where": where})
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(coordinates, where)}
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("%(where)s: an empty MultiPolygon.") % {"where": where})
        return {
            "type": "MultiPolygon",
            "coordinates": [_polygon(polygon, where) for polygon in coordinates],
        }
    raise ValidationError(
        _("%(where)s is a %(kind)s; only Polygon and MultiPolygon outlines are drawn.")
        % {"where": where, "kind": str(kind)[:40]}
    )


@dataclass
class Feature:
    number: int
    keys: dict[str, str]  # property name -> its value as text (plus "id" for the feature id)
    geometry: dict


def outlines_parse(*, data: bytes) -> list[Feature]:
    """Read and check a GeoJSON file; ValidationError says what is wrong and where."""
    if len(data) > max_bytes():
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}
        )
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(_("The file is not GeoJSON (UTF-8 JSON).")) from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        features = [document]
    elif isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ValidationError(_("The FeatureCollection has no list of features."))
    else:
        raise ValidationError(_("The file must hold a GeoJSON FeatureCollection or Feature."))
    if not features:
        raise ValidationError(_("The file holds no features."))
    if len(features) > MAX_FEATURES:
        raise ValidationError(
            _("The file holds more than %(limit)s features.") % {"limit": MAX_FEATURES}
        )
    parsed = []
    for number, feature in enumerate(features, start=1):
        where = _("Feature %(number)s") % {"number": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError(_("%(where)s is not a GeoJSON Feature.") % {"where": where})
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise ValidationError(_("%(where)s: properties must be an object.") % {"where": where})
        keys = {
            str(key): str(value)
            for key, value in properties.items()
            if isinstance(value, str | int) and not isinstance(value, bool)
        }
        if isinstance(feature.get("id"), str | int) and "id" not in keys:
            keys["id"] = str(feature["id"])
        parsed.append(Feature(number, keys, _geometry(feature.get("geometry"), where)))
    return parsed


def _reject_constant(name):
    raise ValueError(name)


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class OutlinesResult:
    matched: list[Area] = field(default_factory=list)
    unmatched_features: list[str] = field(default_factory=list)
    regions_without_outline: list[Area] = field(default_factory=list)


def outlines_match(
    *, features: list[Feature], regions: list[Area], property_name: str = ""
) -> tuple[dict[int, dict], list[str]]:
    """Geometry per region id, and a label for each feature that matched no region.

    Two features for one region are merged into one MultiPolygon.
    """
    by_key: dict[str, Area] = {}
    for region in regions:
        by_key.setdefault(_norm(region.code), region)
    for region in regions:
        by_key.setdefault(_norm(region.name), region)
    names = (property_name,) if property_name else MATCH_PROPERTIES
    geometries: dict[int, list[dict]] = {}
    unmatched = []
    for feature in features:
        region = None
        for name in names:
            value = feature.keys.get(name)
            if value is not None and _norm(value) in by_key:
                region = by_key[_norm(value)]
                break
        if region is None:
            label = next((feature.keys[n] for n in names if n in feature.keys), "")
            unmatched.append(
                " ".join([_("Feature %(number)s") % {"number": feature.number}, label]).strip()
            )
            continue
        geometries.setdefault(region.pk, []).append(feature.geometry)
    return {pk: _merge(parts) for pk, parts in geometries.items()}, unmatched


def _merge(parts: list[dict]) -> dict:
    if len(parts) == 1:
        return parts[0]
    polygons = []
    for part in parts:
        if part["type"] == "Polygon":
            polygons.append(part["coordinates"])
        else:
            polygons.extend(part["coordinates"])
    return {"type": "MultiPolygon", "coordinates": polygons}


def _points(geometry: dict) -> int:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return sum(len(ring) for polygon in polygons for ring in polygon)


def _thin(geometry: dict, step: int) -> dict:
    """Keep every ``step``-th point of each ring (and its closing point), at least four."""

    def ring(points):
        body = points[:-1]  # a stored ring is closed and has at least four positions
        kept = body[::step]
        if len(kept) < 3:
            kept = body[:: max(1, len(body) // 3)][:3]
        return [*kept, kept[0]]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[ring(r) for r in polygon] for polygon in geometry["coordinates"]],
    }


def _version_key(mission_id: int) -> str:
    return f"outlines-version:{mission_id}"


def outlines_version(*, mission_id: int) -> int:
    """Changes whenever the mission's outlines do: part of the coverage map's cache key."""
    return cache.get(_version_key(mission_id), 0)


@transaction.atomic
def area_outlines_upload(
    *, mission: Mission, actor, data: bytes, property_name: str = "", now
) -> OutlinesResult:
    """Store the outlines of a GeoJSON file on the mission's regions (replacing all)."""
    features = outlines_parse(data=data)
    regions = list(
        Area.objects.select_for_update()
        .filter(mission=mission, level=AreaLevel.REGION)
        .order_by("name", "id")
    )
    geometries, unmatched = outlines_match(
        features=features, regions=regions, property_name=property_name.strip()
    )
    if not geometries:
        raise ValidationError(
            _(
                "No feature matched a region of this mission by code or name. "
                "Name the property that holds the region code or name."
            )
        )
    total = sum(_points(g) for g in geometries.values())
    if total > MAX_POINTS_STORED:
        step = math.ceil(total / MAX_POINTS_STORED)
        geometries = {pk: _thin(g, step) for pk, g in geometries.items()}
    result = OutlinesResult(unmatched_features=unmatched)
    before = sorted(r.code for r in regions if r.geojson)
    for region in regions:
        region.geojson = geometries.get(region.pk)
        (result.matched if region.geojson else result.regions_without_outline).append(region)
    Area.objects.bulk_update(regions, ["geojson"])
    transaction.on_commit(lambda: cache.set(_version_key(mission.pk), time.time_ns(), None))
    audit_record(
        actor=actor,
        mission=mission,
        action="mission.outlines_upload",
        obj=mission,
        before={"regions_with_outline": before},
        after={
            "regions_with_outline": sorted(r.code for r in result.matched),
            "points": sum(_points(g) for g in geometries.values()),
            "unmatched_features": len(unmatched),
        },
        at=now,
    )
    return result
