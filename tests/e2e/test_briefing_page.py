"""A journalist opens a public briefing: the charts are drawn under the site's CSP, the
chart's own toolbar downloads a PNG, and the briefing pack is built with a progress indicator
and downloaded.

Drives Debian's Chromium through Playwright against a live server; the server renders the pack
with kaleido and the same Chromium. Skipped outside CI when Chromium is missing; under CI=true
a missing Chromium fails.
"""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reports.aggregates.reconcile import aggregates_reconcile
from reports.briefings import services as briefings
from reports.briefings.services import briefing_publish
from tests.reports.factories import FindingFactory, VisitFactory, local

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_journalist_downloads_a_chart_and_the_pack(
    browser, live_server, coordinator, station, observer, monkeypatch
):
    # Two charts keep the pack short: the page and its script are under test here; every
    # chart and the full pack are checked in tests/reports/briefings/test_exports.py.
    monkeypatch.setattr(briefings, "BRIEFING_CHARTS", ("turnout_day", "assessments"))
    for hour, voters, assessment in ((10, 300, "GOOD"), (14, 600, "BAD")):
        visit = VisitFactory(
            station=station,
            observer=observer,
            arrived_at=local(hour, 30),
            voters_so_far=voters,
            assessment=assessment,
        )
    FindingFactory(visit=visit, category="SECRECY", severity="SERIOUS")
    aggregates_reconcile(mission=station.mission, now=timezone.now())
    briefing = briefing_publish(
        mission=station.mission,
        user=coordinator,
        now=timezone.now(),
        title="Statement",
        public=True,
    )
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/briefings/{briefing.pk}/")
    page.wait_for_selector("#chart-assessments .js-plotly-plot")
    charts = page.locator(".briefing-chart .js-plotly-plot").count()
    with page.expect_download() as chart_download:
        page.locator("#chart-assessments .modebar-btn[data-title='Download plot as a PNG']").click()
    with page.expect_download() as pack_download:
        page.click("#pack-link")

    assert charts == len(briefing.snapshot["charts"]) == 2
    assert chart_download.value.suggested_filename == f"briefing-{briefing.pk}-assessments.png"
    png = chart_download.value.path().read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert page.locator("#pack-progress").get_attribute("value") == "100"
    pdf = PdfReader(io.BytesIO(pack_download.value.path().read_bytes()))
    # The text pages, one landscape page per chart, the note on method.
    assert len(pdf.pages) >= charts + 2
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Turnout through the day" in text and "Assessment of the process" in text
    assert errors == []

    # Another website frames a chart of this public briefing: the embed page may be framed
    # and draws under its own CSP; the briefing page itself may not be framed.
    embed = f"{live_server.url}/embed/briefings/{briefing.pk}/assessments/"
    page.set_content(
        f'<iframe id="chart" src="{embed}" width="800" height="566"></iframe>'
        f'<iframe id="page" src="{live_server.url}/briefings/{briefing.pk}/"></iframe>'
    )
    framed = page.frame_locator("#chart")
    framed.locator(".js-plotly-plot").wait_for()
    assert framed.locator(".gtitle").text_content() == "Assessment of the process"
    assert "Test mission observers" in framed.locator(".infolayer").inner_html()
    assert page.frame_locator("#page").locator("#coverage-statement").count() == 0
    assert errors == []
