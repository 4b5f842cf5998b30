"""The observer's phone on the mission's clock (issue 20), in a real Chromium whose own zone is
New York's: the form pre-fills the arrival with now in Almaty, a retry names its time in
Almaty, a message fixed loses its red at once, and the visit just sent heads "My visits"."""

import datetime as dt
import re
import zoneinfo

import pytest

from missions.models import Deployment
from observation.models import Visit
from tests.e2e.conftest import at, log_in, wait_until
from tests.e2e.test_observer_offline import PHONE, answer_visible_questions
from tests.observation.observe.test_pages import make_visit

pytestmark = pytest.mark.e2e
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def minutes_apart(hhmm: str, moment: dt.datetime) -> int:
    hours, minutes = map(int, hhmm.split(":"))
    shown = hours * 60 + minutes
    now = moment.hour * 60 + moment.minute
    return min(abs(shown - now), 1440 - abs(shown - now))


def test_the_phone_keeps_the_missions_clock_and_clears_what_is_fixed(
    new_context, observer, station, other_station
):
    deployment = Deployment.objects.create(
        mission=observer.mission, team=observer.team, day=dt.date(2022, 11, 20)
    )
    deployment.stations.add(station, other_station)
    earlier = make_visit(observer, other_station, hour=15)  # sent before, arrived later
    phone = new_context(viewport=PHONE, has_touch=True, timezone_id="America/New_York")
    page = phone.new_page()
    log_in(page, "observer", "/observe/")
    page.wait_for_url(at(f"/observe/{observer.mission_id}/"))

    # The form: the arrival is now in Almaty, not in New York; the zone is named.
    page.goto(f"/observe/{observer.mission_id}/visit/")
    arrival = page.input_value("#arrived-at")
    assert minutes_apart(arrival, dt.datetime.now(ALMATY)) <= 2
    assert "Asia/Almaty" in page.locator("#times-zone").inner_text()

    # Sending with no station: the message and the warning; choosing one clears both.
    page.click("#submit-visit")
    station_box = page.locator("#f-station")
    assert station_box.locator(".field-error").is_visible()
    assert page.locator("#form-status").is_visible()
    page.select_option("#station", str(station.pk))
    assert station_box.locator(".field-error").is_hidden()
    page.check("input[name=checklist][data-stage=VOTING]")
    page.fill("#arrived-at", "09:10")
    answer_visible_questions(page, "VOTING")
    page.check("input[name=assessment][value=GOOD]")
    assert page.locator("#visit-form .invalid").count() == 0
    assert page.locator("#form-status").is_hidden()
    page.screenshot(path="tests/e2e/screenshots/phone-form.png", full_page=True)

    # The server cannot be reached: the report waits, and says when it tries again, in Almaty.
    page.route("**/api/v1/visits/", lambda route: route.abort())
    page.click("#submit-visit")
    page.wait_for_url(at(f"/observe/{observer.mission_id}/visits/"))
    retry = page.locator("#queue-list .queued-visit .muted").first
    retry.wait_for()
    found = re.search(r"Next try at (\d\d:\d\d) \(Asia/Almaty\)", retry.inner_text())
    assert found, retry.inner_text()
    assert minutes_apart(found.group(1), dt.datetime.now(ALMATY)) <= 5
    assert "09:10 (Asia/Almaty)" in page.locator("#queue-list").inner_text()
    page.screenshot(path="tests/e2e/screenshots/phone-retry.png", full_page=True)

    # Back online: it is sent, and heads the list though it arrived before the other.
    page.unroute("**/api/v1/visits/")
    page.click("#queue-send")
    wait_until(page, "() => document.getElementById('queue-count').textContent === '0'")
    page.reload()
    sent = Visit.objects.exclude(pk=earlier.pk).get()
    order = [
        int(v)
        for v in page.locator("li.visit").evaluate_all(
            "items => items.map(i => i.getAttribute('data-visit'))"
        )
    ]
    assert order == [sent.pk, earlier.pk]
    first = page.locator("li.visit").first.inner_text()
    assert "09:10" in first and "(Asia/Almaty)" in first
    page.screenshot(path="tests/e2e/screenshots/phone-visits.png", full_page=True)
