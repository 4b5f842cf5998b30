"""Region outlines: a GeoJSON upload checked, matched to regions, stored and audited."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from missions.models import Area, AuditEvent
from reports.dashboard.services import area_outlines_upload, outlines_parse
from tests.missions.factories import RegionFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2022, 11, 20, 12, 0, tzinfo=dt.UTC)


def square(x, y, size=1.0):
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The coverage map is cached by mission and aggregate time: start each test afresh."""
    cache.clear()


@pytest.fixture
def regions(mission):
    return [
        RegionFactory(mission=mission, code="AKM", name="Akmola"),
        RegionFactory(mission=mission, code="ALA", name="Almaty"),
        RegionFactory(mission=mission, code="AST", name="Astana"),
    ]


def test_features_match_regions_by_code_or_name_and_replace_all_outlines(
    mission, regions, coordinator
):
    regions[2].geojson = {"type": "Polygon", "coordinates": square(0, 0)}
    regions[2].save(update_fields=["geojson"])
    data = collection(
        feature({"code": "akm"}, {"type": "Polygon", "coordinates": square(69, 51)}),
        feature(
            {"NAME_1": " Almaty "},
            {"type": "MultiPolygon", "coordinates": [square(76, 43), square(78, 43)]},
        ),
        feature({"name": "Atlantis"}, {"type": "Polygon", "coordinates": square(1, 1)}),
    )

    result = area_outlines_upload(mission=mission, actor=coordinator, data=data, now=NOW)

    stored = {a.code: a.geojson for a in Area.objects.filter(mission=mission)}
    assert stored["AKM"] == {"type": "Polygon", "coordinates": square(69, 51)}
    assert stored["ALA"]["type"] == "MultiPolygon"
    assert stored["AST"] is None
    assert [r.code for r in result.matched] == ["AKM", "ALA"]
    assert result.unmatched_features == ["Feature 3 Atlantis"]
    assert [r.code for r in result.regions_without_outline] == ["AST"]
    event = AuditEvent.objects.get(action="mission.outlines_upload")
    assert event.actor == coordinator
    assert event.before == {"regions_with_outline": ["AST"]}
    assert event.after["regions_with_outline"] == ["AKM", "ALA"]


def test_a_named_property_is_the_only_one_used(mission, regions, coordinator):
    data = collection(
        feature({"name": "Akmola", "iso": "ALA"}, {"type": "Polygon", "coordinates": square(1, 1)})
    )

    area_outlines_upload(
        mission=mission, actor=coordinator, data=data, property_name="iso", now=NOW
    )

    assert Area.objects.get(code="ALA").geojson is not None
    assert Area.objects.get(code="AKM").geojson is None


def test_two_features_of_one_region_become_one_multipolygon(mission, regions, coordinator):
    data = collection(
        feature({"code": "AKM"}, {"type": "Polygon", "coordinates": square(1, 1)}),
        feature({"code": "AKM"}, {"type": "Polygon", "coordinates": square(3, 3)}),
    )

    area_outlines_upload(mission=mission, actor=coordinator, data=data, now=NOW)

    outline = Area.objects.get(code="AKM").geojson
    assert outline == {"type": "MultiPolygon", "coordinates": [square(1, 1), square(3, 3)]}


def test_other_missions_regions_are_never_matched(mission, regions, other_mission, coordinator):
    foreign = RegionFactory(mission=other_mission, code="FOR", name="Foreign")
    data = collection(feature({"code": "FOR"}, {"type": "Polygon", "coordinates": square(1, 1)}))

    with pytest.raises(ValidationError, match="No feature matched"):
        area_outlines_upload(mission=mission, actor=coordinator, data=data, now=NOW)

    foreign.refresh_from_db()
    assert foreign.geojson is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not json", "not GeoJSON"),
        (b"{nope", "not GeoJSON"),
        (b'{"type": "Topology"}', "FeatureCollection or Feature"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
        (
            collection(feature({"code": "AKM"}, {"type": "Point", "coordinates": [1, 2]})),
            "only Polygon and MultiPolygon",
        ),
        (
            collection(feature({"code": "AKM"}, {"type": "Polygon", "coordinates": [[[1, 2]]]})),
            "at least four positions",
        ),
        (
            collection(
                feature(
                    {"code": "AKM"},
                    {"type": "Polygon", "coordinates": [[[5e5, 4e6], [1, 1], [2, 2], [5e5, 4e6]]]},
                )
            ),
            "WGS 84",
        ),
        (
            collection(
                feature(
                    {"code": "AKM"},
                    {"type": "Polygon", "coordinates": [[["a", 1], [1, 1], [2, 2], ["a", 1]]]},
                )
            ),
            "longitude, latitude",
        ),
        (
            b'{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[NaN, 1]]]}}',
            "not GeoJSON",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "not GeoJSON"),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_change_nothing(
    mission, regions, coordinator, data, message
):
    with pytest.raises(ValidationError, match=message):
        area_outlines_upload(mission=mission, actor=coordinator, data=data, now=NOW)

    assert not Area.objects.filter(mission=mission, geojson__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="mission.outlines_upload").exists()


def test_files_over_the_size_limit_are_refused(settings):
    settings.OUTLINES_MAX_BYTES = 100

    with pytest.raises(ValidationError, match="larger than"):
        outlines_parse(data=b" " * 101)


def test_very_detailed_outlines_are_thinned_to_what_a_browser_draws(
    mission, regions, coordinator, monkeypatch
):
    monkeypatch.setattr("reports.dashboard.services.MAX_POINTS_STORED", 1000)
    ring = [[69 + i / 100_000, 51 + (i % 7) / 1000] for i in range(2500)]
    ring.append(ring[0])
    data = collection(feature({"code": "AKM"}, {"type": "Polygon", "coordinates": [ring]}))

    area_outlines_upload(mission=mission, actor=coordinator, data=data, now=NOW)

    stored = Area.objects.get(code="AKM").geojson["coordinates"][0]
    assert 500 <= len(stored) <= 1001
    assert stored[0] == stored[-1]


# --- the upload page ---------------------------------------------------------------------------


def upload(client, mission, data, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/missions/{mission.pk}/dashboard/outlines/",
        {"file": SimpleUploadedFile("regions.geojson", data, "application/geo+json"), **extra},
    )


def test_a_coordinator_uploads_outlines_and_the_map_draws_them(
    client, mission, regions, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    before = client.get(f"/missions/{mission.pk}/dashboard/map/").json()
    data = collection(
        feature({"shapeName": "Akmola"}, {"type": "Polygon", "coordinates": square(69, 51)}),
        feature({"shapeName": "Nowhere <b>"}, {"type": "Polygon", "coordinates": square(1, 1)}),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, mission, data)

    html = response.content.decode()
    assert before["outlines"] == 0
    assert response.status_code == 200
    assert "Outline stored for 1 region." in html
    assert "Feature 2 Nowhere &lt;b&gt;" in html
    assert 'data-region="AKM"><td>AKM</td><td>Akmola</td><td>yes</td>' in html
    figure = client.get(f"/missions/{mission.pk}/dashboard/map/").json()["figure"]
    outline = next(t for t in figure["data"] if (t.get("meta") or {}).get("area") == "AKM")
    assert outline["x"][:5] == [69, 70, 70, 69, 69]


def test_a_bad_upload_says_why_and_changes_nothing(client, mission, regions, coordinator, settings):
    client.force_login(coordinator)
    settings.OUTLINES_MAX_BYTES = 50

    too_big = upload(client, mission, b" " * 51)
    far_too_big = upload(client, mission, b" " * 70_000)
    not_json = upload(client, mission, b"nope")

    assert too_big.status_code == 400 and "larger than" in too_big.content.decode()
    assert far_too_big.status_code == 400 and "larger than" in far_too_big.content.decode()
    assert not_json.status_code == 400 and "not GeoJSON" in not_json.content.decode()
    assert not Area.objects.filter(mission=mission, geojson__isnull=False).exists()


def test_analysts_see_the_outlines_page_without_the_form(client, mission, regions, analyst):
    client.force_login(analyst)

    response = client.get(f"/missions/{mission.pk}/dashboard/outlines/")

    assert response.status_code == 200
    assert 'type="file"' not in response.content.decode()
