"""An observer reports a visit with no network; it is stored once the phone is back online.

Drives Debian's Chromium through Playwright against a live server: the service worker serves
the cached form offline, the report waits in IndexedDB, the waiting count shows it, and the
queue sends it when the connection returns. Skipped outside CI when Chromium is missing;
under CI=true a missing Chromium fails.
"""

import datetime as dt
import os
import shutil
import time

import pytest
from django.db import connections

from missions.models import Deployment
from observation.models import Visit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Chromium is missing at {CHROMIUM}")
        pytest.skip("Chromium is not installed")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
        # While Playwright's loop runs, Django keeps database connections per asyncio context:
        # close the ones this test opened, or the test database cannot be dropped at the end.
        connections.close_all()


def wait_until(page, script, timeout=15.0):
    """Poll a JavaScript function until it returns true (wait_for_function would need eval,
    which the pages' Content-Security-Policy forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)


def answer_visible_questions(page, stage):
    section = page.locator(f"section.checklist[data-stage={stage}]")
    for fieldset in section.locator("fieldset.question").all():
        if not fieldset.is_visible():
            continue
        kind = fieldset.get_attribute("data-type")
        if kind == "YES_NO":
            fieldset.locator("input[value=false]").check()
        elif kind == "INTEGER":
            fieldset.locator("input").fill(fieldset.get_attribute("data-min") or "0")
        elif kind in ("CHOICE", "MULTI_CHOICE"):
            fieldset.locator("input").first.check()
        elif fieldset.get_attribute("data-required") == "true":
            fieldset.locator("textarea").fill("Seen.")


def test_a_visit_made_offline_is_sent_when_the_network_returns(
    browser, live_server, observer, station
):
    deployment = Deployment.objects.create(
        mission=observer.mission, team=observer.team, day=dt.date(2022, 11, 20)
    )
    deployment.stations.add(station)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/observe/")
    page.fill("input[name=username]", "observer")
    page.fill("input[name=password]", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/observe/{observer.mission_id}/")
    # Once the service worker controls the page it has stored the pages for offline use.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "() => !!navigator.serviceWorker.controller")
    wait_until(
        page, "() => caches.open('observe-pages').then(c => c.keys()).then(k => k.length >= 3)"
    )

    context.set_offline(True)
    page.goto(f"{live_server.url}/observe/{observer.mission_id}/visit/?station={station.pk}")
    assert page.locator("#net-state").get_attribute("data-state") == "offline"
    page.check("input[name=checklist][data-stage=VOTING]")
    voting = page.locator("section.checklist[data-stage=VOTING]")
    assert voting.locator("fieldset[data-code=V02]").is_hidden()
    voting.locator("fieldset[data-code=V01] input[value=true]").check()
    assert voting.locator("fieldset[data-code=V02]").is_visible()
    page.fill("#arrived-at", "10:05")
    page.fill("#departed-at", "10:40")
    page.fill("#voters-so-far", "312")
    answer_visible_questions(page, "VOTING")
    voting.locator("fieldset[data-code=V01] input[value=true]").check()
    voting.locator("fieldset[data-code=V02] input[value=POLICE]").check()
    page.check("input[name=assessment][value=BAD]")
    page.click("#add-finding")
    finding = page.locator("fieldset.finding").first
    finding.locator("select[name=category]").select_option("UNAUTHORIZED_PERSONS")
    finding.locator("input[value=SERIOUS]").check()
    finding.locator("textarea").fill("Police officer inside the polling station.")
    page.click("#submit-visit")

    page.wait_for_url(f"**/observe/{observer.mission_id}/visits/")
    assert page.locator("#queue-count").inner_text() == "1"
    assert station.code in page.locator("#queue-list").inner_text()
    assert Visit.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "() => document.getElementById('queue-count').textContent === '0'")

    visit = Visit.objects.get()
    assert visit.station == station and visit.stage == "VOTING"
    assert visit.voters_so_far == 312 and visit.assessment == "BAD"
    assert visit.answers["V01"] is True and "POLICE" in visit.answers["V02"]
    assert visit.arrived_at == dt.datetime(2022, 11, 20, 4, 5, tzinfo=dt.UTC)
    assert list(visit.findings.values_list("category", flat=True)) == ["UNAUTHORIZED_PERSONS"]
    context.close()
