"""The coordinator dashboard in a real browser, under the site's Content-Security-Policy.

Drives Debian's Chromium through Playwright against a live server: every chart is drawn by
plotly.min.js from our static files, nothing is fetched from another origin, no CSP
violation is reported, a region name that is HTML shows as text in the chart, the feed of
serious findings updates without a reload, and a click on a region's bar opens its page.
Skipped outside CI when Chromium is missing; under CI=true a missing Chromium fails.
"""

import time

import pytest

from tests.reports.dashboard_data import EVIL, build_election
from tests.reports.factories import FindingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_until(page, script, timeout=20.0):
    """Poll a JavaScript function until it returns true (wait_for_function needs eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)


def test_the_dashboard_draws_every_chart_and_updates_its_feed(
    browser, live_server, coordinator, mission, settings
):
    settings.DASHBOARD_FEED_POLL_SECONDS = 1
    election = build_election(mission)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(20_000)
    problems, foreign, dialogs = [], [], []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def route(request_route):
        if request_route.request.url.startswith(live_server.url):
            request_route.continue_()
        else:
            foreign.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(f"{live_server.url}/accounts/login/?next=/missions/{mission.pk}/dashboard/")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", "pass-word-123")
    page.click("main form button[type=submit]")

    # Six embedded figures and the map, each drawn by plotly.js.
    wait_until(page, "() => document.querySelectorAll('.js-plotly-plot').length === 7")
    ticks = page.locator("#panel-findings_heatmap .ytick text").all_text_contents()
    assert EVIL in ticks  # the region's name is shown as text, not run
    hover_labels = page.locator("#panel-coverage_by_area .ytick text").all_text_contents()
    assert EVIL in hover_labels

    # A new critical finding reaches the feed without a reload.
    page.evaluate("() => { window.notReloaded = true; }")
    finding = FindingFactory(
        visit=election.visits[3], severity="CRITICAL", description="Ballot box <b>opened</b>"
    )
    wait_until(page, f"() => !!document.querySelector('[data-finding=\"{finding.pk}\"]')")
    assert page.evaluate("() => window.notReloaded === true")
    item = page.locator(f'[data-finding="{finding.pk}"] .description').text_content()
    assert item == "Ballot box <b>opened</b>"

    assert problems == [] and foreign == [] and dialogs == []

    # A click on a region's bar opens the region's page (plotly's drag layer takes the
    # pointer, so click where the bar is drawn).
    bar = page.locator("#panel-coverage_by_area .bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    region = election.regions[0]  # the first bar: names sort "<script>..." first
    page.wait_for_url(f"{live_server.url}/missions/{mission.pk}/areas/{region.pk}/")
    assert EVIL in page.locator("h1").text_content()
