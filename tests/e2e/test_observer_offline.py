"""An observer reports a visit with no network; it is stored once the phone is back online;
a coordinator finds it on the dashboard and verifies it.

Drives Debian's Chromium through Playwright against the live server (tests/e2e/conftest.py):
the service worker serves the cached form offline, the report waits in IndexedDB, the waiting
count shows it, and the queue sends it, once, when the connection returns.
"""

import datetime as dt

import pytest

from missions.models import AuditEvent, Deployment
from observation.models import Visit
from tests.e2e.conftest import at, log_in, wait_until

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


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


def test_an_offline_visit_is_stored_once_and_a_coordinator_verifies_it(
    new_context, observer, station, coordinator
):
    deployment = Deployment.objects.create(
        mission=observer.mission, team=observer.team, day=dt.date(2022, 11, 20)
    )
    deployment.stations.add(station)
    phone = new_context(viewport=PHONE, has_touch=True)
    page = phone.new_page()
    log_in(page, "observer", "/observe/")
    page.wait_for_url(at(f"/observe/{observer.mission_id}/"))
    # Once the service worker controls the page it has stored the pages for offline use.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    wait_until(page, "() => !!navigator.serviceWorker.controller")
    wait_until(
        page, "() => caches.open('observe-pages').then(c => c.keys()).then(k => k.length >= 3)"
    )

    phone.set_offline(True)
    page.goto(f"/observe/{observer.mission_id}/visit/?station={station.pk}")
    assert page.locator("#net-state").get_attribute("data-state") == "offline"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.check("input[name=checklist][data-stage=VOTING]")
    voting = page.locator("section.checklist[data-stage=VOTING]")
    follow_up = voting.locator("fieldset[data-code=V02]")
    assert follow_up.is_hidden()
    voting.locator("fieldset[data-code=V01] input[value=true]").check()
    assert follow_up.is_visible()
    voting.locator("fieldset[data-code=V01] input[value=false]").check()
    assert follow_up.is_hidden()
    page.fill("#arrived-at", "10:05")
    page.fill("#departed-at", "10:40")
    page.fill("#voters-so-far", "312")
    answer_visible_questions(page, "VOTING")
    voting.locator("fieldset[data-code=V01] input[value=true]").check()
    assert follow_up.is_visible()
    follow_up.locator("input[value=POLICE]").check()
    page.check("input[name=assessment][value=BAD]")
    page.click("#add-finding")
    finding = page.locator("fieldset.finding").first
    finding.locator("select[name=category]").select_option("UNAUTHORIZED_PERSONS")
    finding.locator("input[value=SERIOUS]").check()
    finding.locator("textarea").fill("Police officer inside the polling station.")
    page.click("#submit-visit")

    page.wait_for_url(at(f"/observe/{observer.mission_id}/visits/"))
    assert page.locator("#queue-count").inner_text() == "1"
    assert station.code in page.locator("#queue-list").inner_text()
    assert Visit.objects.count() == 0

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "() => document.getElementById('queue-count').textContent === '0'")
    # A second wake-up and a reload send nothing more: the visit is stored exactly once.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    wait_until(page, "() => document.getElementById('queue-count').textContent === '0'")

    visit = Visit.objects.get()
    assert visit.station == station and visit.stage == "VOTING"
    assert visit.voters_so_far == 312 and visit.assessment == "BAD"
    assert visit.answers["V01"] is True and "POLICE" in visit.answers["V02"]
    assert visit.arrived_at == dt.datetime(2022, 11, 20, 4, 5, tzinfo=dt.UTC)
    stored = visit.findings.get()
    assert stored.category == "UNAUTHORIZED_PERSONS" and stored.severity == "SERIOUS"

    desk = new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "coordinator", f"/missions/{observer.mission_id}/dashboard/")
    page.wait_for_url(at(f"/missions/{observer.mission_id}/dashboard/"))
    item = page.locator(f".feed-item[data-finding='{stored.pk}']")
    assert station.code in item.inner_text()
    assert "Police officer inside the polling station." in item.inner_text()
    item.locator("a").click()
    page.wait_for_url(at(f"/missions/{observer.mission_id}/visits/{visit.pk}/"))
    page.fill("form.review textarea[name=reason]", "Confirmed with the team by phone.")
    page.click("form.review button[value=VERIFIED]")
    page.wait_for_load_state()

    assert "is now Verified" in page.locator("ul.messages").inner_text()
    visit.refresh_from_db()
    assert visit.status == "VERIFIED"
    assert AuditEvent.objects.filter(actor=coordinator, object_id=str(visit.pk)).exists()
