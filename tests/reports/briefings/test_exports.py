"""Chart files and the briefing pack, rendered by a real Chromium, checked by their content.

These need Chromium (``apt-get install chromium``): under ``CI=true`` a missing one fails the
run; elsewhere the tests are skipped with that reason. One warm browser serves the whole
session (the renderer keeps it per process; tests/conftest.py closes it at the end).
"""

import io
import os
import struct
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reports.charts import rendering
from reports.charts.style import SIZES
from reports.models import Briefing, BriefingPack

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def chromium():
    if not rendering.chromium_available():
        reason = (
            "Chromium is not installed (apt-get install chromium), so chart rendering is not "
            "tested here"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)


@pytest.fixture
def briefing(api, coordinator, reported):
    response = api.as_user(coordinator).post(
        f"/api/v1/missions/{reported.pk}/briefings/", {"title": "Exports"}, format="json"
    )
    assert response.status_code == 201
    return Briefing.objects.get(pk=response.json()["id"])


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first after the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def test_chart_files_are_real_png_svg_and_pdf_with_title_mission_and_source(
    api, press, briefing, chromium
):
    client = api.as_user(press)
    base = f"/api/v1/briefings/{briefing.pk}/charts/assessments"
    print_size = SIZES["print"]

    png = client.get(base + ".png")
    svg = client.get(base + ".svg")
    pdf = client.get(base + ".pdf")

    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    # A4 landscape at 96 px per inch, three times over: about 290 dpi on paper.
    assert png_size(png.content) == (
        print_size.width * print_size.png_scale,
        print_size.height * print_size.png_scale,
    )
    assert svg["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == str(print_size.width)
    text = " ".join(t for t in root.itertext())
    assert "Assessment of the process" in text
    # The source line: the mission, how many reports, as of when.
    assert "Test mission observers, " in text and " reports, as of " in text
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    pdf_text = reader.pages[0].extract_text()
    assert "Assessment of the process" in pdf_text and "Test mission observers" in pdf_text
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="briefing-{briefing.pk}-assessments.pdf"'
    )


@pytest.mark.parametrize("size", ["slide", "social"])
def test_a_chart_comes_in_slide_and_social_media_sizes(api, press, briefing, chromium, size):
    spec = SIZES[size]

    png = api.as_user(press).get(
        f"/api/v1/briefings/{briefing.pk}/charts/turnout_day.png?size={size}"
    )

    assert png.status_code == 200
    assert png_size(png.content) == (spec.width * spec.png_scale, spec.height * spec.png_scale)
    assert png_size(png.content)[0] >= 1200
    assert png["Content-Disposition"] == (
        f'attachment; filename="briefing-{briefing.pk}-turnout-day-{size}.png"'
    )


def test_an_unknown_size_is_a_400(api, press, briefing):
    response = api.as_user(press).get(
        f"/api/v1/briefings/{briefing.pk}/charts/turnout_day.png?size=poster"
    )

    assert response.status_code == 400
    assert "size" in response.json()


def test_a_second_download_does_not_render_again(api, press, briefing, chromium, monkeypatch):
    renders = []
    render = rendering.figure_render

    def counting(**kwargs):
        renders.append(kwargs["fmt"])
        return render(**kwargs)

    monkeypatch.setattr(rendering, "figure_render", counting)
    client = api.as_user(press)
    url = f"/api/v1/briefings/{briefing.pk}/charts/turnout_day.png"

    first = client.get(url)
    second = client.get(url)

    assert renders == ["png"]
    assert first.content == second.content
    assert png_size(second.content)[0] == SIZES["print"].width * SIZES["print"].png_scale


def test_a_new_briefing_with_an_old_ones_id_is_not_served_its_charts(
    api, coordinator, press, reported, monkeypatch
):
    """A database rebuilt beside the same media hands out ids again."""
    monkeypatch.setattr(rendering, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(rendering, "figure_render", lambda **kw: b"first briefing")
    client = api.as_user(coordinator)
    url = f"/api/v1/missions/{reported.pk}/briefings/"
    first, second = (
        client.post(url, {"title": title}, format="json").json()["id"] for title in "AB"
    )
    chart = f"/api/v1/briefings/{first}/charts/turnout_day.png"
    assert api.as_user(press).get(chart).content == b"first briefing"
    # The first briefing is gone and the second now holds its id, as after a rebuild.
    Briefing.objects.filter(pk=first).delete()
    Briefing.objects.filter(pk=second).update(id=first, published_at=timezone.now())
    monkeypatch.setattr(rendering, "figure_render", lambda **kw: b"second briefing")

    assert api.as_user(press).get(chart).content == b"second briefing"


def test_the_pack_is_built_once_with_its_progress(
    api, press, briefing, chromium, django_capture_on_commit_callbacks, monkeypatch
):
    client = api.as_user(press)
    base = f"/api/v1/briefings/{briefing.pk}/"
    charts = client.get(base).json()["charts"]
    assert client.get(base + "pack/").json()["status"] == "NONE"

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(base + "pack/")
    status = client.get(base + "pack/").json()
    pack = client.get(base + "pack.pdf")

    assert started.status_code == 202
    assert status["status"] == "READY"
    # One step per chart, and one for printing the document.
    assert (status["done"], status["total"], status["percent"]) == (
        len(charts) + 1,
        len(charts) + 1,
        100,
    )
    assert status["download"] == f"http://testserver{base}pack.pdf"
    assert pack.status_code == 200
    assert pack.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pack.content))
    first_page = reader.pages[0].extract_text()
    assert "Test mission" in first_page
    assert "Exports" in first_page
    assert "2 observers took part in the observation" in first_page

    # Asked for again: the stored pack, nothing rendered.
    renders = []
    monkeypatch.setattr(rendering, "figure_render", lambda **kw: renders.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(base + "pack/")
    second = client.get(base + "pack.pdf")

    assert again.status_code == 200
    assert again.json()["status"] == "READY"
    assert renders == []
    assert second.content == pack.content
    assert BriefingPack.objects.filter(briefing=briefing).count() == 1
