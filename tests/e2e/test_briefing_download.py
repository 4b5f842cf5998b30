"""A coordinator publishes a press briefing from the briefings page; a press user of the
mission opens it and downloads a chart as a PNG image rendered by Chromium (kaleido)."""

import pytest
from django.db import transaction

from observation.models import Finding
from reports.models import Briefing
from reports.pipeline import visits_changed
from tests.e2e.conftest import at, log_in
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_published_briefing_gives_the_press_a_chart_as_png(
    new_context, station, observer, coordinator, press
):
    with transaction.atomic():
        visit = VisitFactory(
            station=station, observer=observer, arrived_at=local(10, 30), voters_so_far=300
        )
        Finding.objects.create(visit=visit, category="SECRECY", severity="SERIOUS")
        visits_changed(mission_id=station.mission_id, station_ids=[station.pk])
    desk = new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "coordinator", "/briefings/")
    page.wait_for_url(at("/briefings/"))
    page.fill(".briefing-publish input[name=title]", "Morning statement")
    page.click(".briefing-publish button[type=submit]")
    page.locator("ul.messages").wait_for()
    briefing = Briefing.objects.get()
    assert briefing.title == "Morning statement" and briefing.created_by == coordinator

    newsroom = new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = newsroom.new_page()
    log_in(page, "press", "/briefings/")
    page.wait_for_url(at("/briefings/"))
    page.click("text=Morning statement")
    page.locator(".chart a[data-format=png], a[data-format=png]").first.wait_for()
    assert "Findings by category" in page.locator("main").inner_text()
    link = page.locator("a[data-format=png]").first
    with page.expect_download(timeout=60_000) as download_info:
        link.click()
    download = download_info.value
    data = open(download.path(), "rb").read()

    assert download.suggested_filename.endswith(".png")
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 600 and height >= 300
