"""A coordinator writes a press briefing in the editor (its key messages previewed as they
are typed) and publishes it; a press user of the mission opens it, reads the key messages,
downloads a chart as a PNG image rendered by Chromium (kaleido) and presents it."""

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
    page.click("text=Write a briefing")
    page.fill("#briefing-editor input[name=title]", "Morning statement")
    page.fill("#briefing-editor textarea[name=summary]", "- Voting was **calm**\n<b onclick=x>")
    # The preview is the server's rendering: Markdown applied, the HTML's handler gone.
    page.locator("#summary-preview strong", has_text="calm").wait_for()
    assert "onclick" not in page.inner_html("#summary-preview")
    page.click("#briefing-editor button[type=submit]")
    page.locator("ul.messages").wait_for()
    briefing = Briefing.objects.get()
    assert briefing.title == "Morning statement" and briefing.created_by == coordinator
    assert briefing.summary.startswith("- Voting was **calm**")

    newsroom = new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = newsroom.new_page()
    log_in(page, "press", "/briefings/")
    page.wait_for_url(at("/briefings/"))
    page.click("text=Morning statement")
    page.locator(".chart a[data-format=png], a[data-format=png]").first.wait_for()
    assert "Findings by category" in page.locator("main").inner_text()
    assert page.locator("#summary strong").inner_text() == "calm"
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

    # The presentation: the title slide, then one chart per slide, moved with the keyboard.
    page.click("text=Present (one figure per slide)")
    page.locator("#deck[data-ready]").wait_for()
    total = page.locator(".slide").count()
    assert page.inner_text("#slide-number") == f"1 / {total}"
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#slide-number") == f"2 / {total}"
    assert page.locator(".slide.current svg.main-svg").count() >= 1
    page.keyboard.press("End")
    assert page.inner_text("#slide-number") == f"{total} / {total}"
    page.keyboard.press("Home")
    assert page.inner_text("#slide-number") == f"1 / {total}"
