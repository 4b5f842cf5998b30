"""Setting a mission up without the admin, in a real browser (Debian Chromium, live server):
a coordinator creates a mission as a copy of theirs and lands on its station import; finds
every page through the one mission navigation and its breadcrumb, on a desk and on a phone;
switches the estimates to a new sample with a reason; and reads the audit log as sentences,
opening what changed."""

import pytest

from missions.models import Mission, Sample, Team
from missions.sampling import sample_draw
from observation.models import Checklist
from tests.e2e.conftest import at, log_in
from tests.missions.factories import DistrictFactory, StationFactory, TeamFactory
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def watch(page, problems):
    page.on("pageerror", lambda e: problems.append(str(e)))


def test_a_coordinator_sets_up_a_mission_as_a_copy_of_theirs(new_context, coordinator, mission):
    TeamFactory(mission=mission, code="NORTH-1")
    page = new_context(viewport=DESK).new_page()
    problems = []
    watch(page, problems)
    log_in(page, "coordinator", "/")
    page.wait_for_url(at("/"))

    page.click("#new-mission")
    page.wait_for_url(at("/missions/new/"))
    page.fill("input[name=name]", "Kyrgyzstan 2026")
    page.select_option("select[name=country]", "KG")
    page.fill("input[name=election_date]", "2026-01-11")
    page.select_option("select[name=timezone]", "Asia/Bishkek")
    page.fill("input[name=polls_open]", "08:00")
    page.fill("input[name=polls_close]", "20:00")
    page.fill("input[name=due_OPENING]", "09:30")
    page.fill("input[name=languages]", "ru, en")
    page.select_option("select[name=copy_from]", str(mission.pk))
    page.click("#mission-form button[type=submit]")

    new = Mission.objects.get(name="Kyrgyzstan 2026")
    page.wait_for_url(at(f"/missions/{new.pk}/import/stations/"))
    assert "is set up. Next: import its polling stations." in page.inner_text(".messages")
    assert page.inner_text("nav.crumbs").replace("\n", " ").startswith("Your missions")
    assert list(Team.objects.filter(mission=new).values_list("code", flat=True)) == ["NORTH-1"]
    assert Checklist.objects.filter(mission=new).count() == 5
    assert new.report_due == {"OPENING": "09:30"} and new.languages == ["ru", "en"]
    assert problems == []


def test_a_refused_form_keeps_what_was_typed_and_says_what_to_fix(new_context, coordinator):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "coordinator", "/missions/new/")
    page.wait_for_url(at("/missions/new/"))

    page.fill("input[name=name]", "Too early")
    page.select_option("select[name=country]", "KG")
    page.fill("input[name=election_date]", "2026-01-11")
    page.select_option("select[name=timezone]", "Asia/Bishkek")
    page.fill("input[name=polls_open]", "20:00")
    page.fill("input[name=polls_close]", "08:00")
    page.click("#mission-form button[type=submit]")

    page.wait_for_selector(".errorlist")
    assert "The polls must close after they open." in page.inner_text("#mission-form")
    assert page.input_value("input[name=name]") == "Too early"
    assert not Mission.objects.filter(name="Too early").exists()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_mission_navigation_leads_everywhere_and_the_breadcrumb_back(
    new_context, coordinator, mission, viewport
):
    page = new_context(viewport=viewport).new_page()
    problems = []
    watch(page, problems)
    log_in(page, "coordinator", f"/missions/{mission.pk}/dashboard/")
    page.wait_for_url(at(f"/missions/{mission.pk}/dashboard/"))

    page.click("nav.mission-nav .sections >> text=Statistics")
    page.wait_for_url(at(f"/missions/{mission.pk}/statement/"))
    page.click("nav.mission-nav .pages >> text=Official turnout")
    page.wait_for_url(at(f"/missions/{mission.pk}/official-turnout/"))
    assert page.get_attribute("nav.mission-nav .pages a[aria-current=page]", "href") == (
        f"/missions/{mission.pk}/official-turnout/"
    )
    page.click("nav.mission-nav .sections >> text=Set-up")
    page.click("nav.mission-nav .pages >> text=Observers' QR codes")
    page.wait_for_url(at(f"/missions/{mission.pk}/observers/"))
    page.click("nav.crumbs >> text=Set-up")
    page.wait_for_url(at(f"/missions/{mission.pk}/import/stations/"))
    page.click(f"nav.crumbs >> text={mission.name}")
    page.wait_for_url(at(f"/missions/{mission.pk}/dashboard/"))
    # On a phone the navigation and the breadcrumb wrap within the width.
    for selector in ("nav.mission-nav", "nav.crumbs"):
        right = page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().right")
        assert right <= viewport["width"]
    assert problems == []


def test_a_coordinator_switches_the_estimates_to_a_new_sample_with_a_reason(
    new_context, coordinator, mission
):
    district = DistrictFactory(mission=mission)
    stations = StationFactory.create_batch(6, district=district, registered_voters=1000)
    first = sample_draw(mission=mission, size=3, seed=1, actor=coordinator)
    sampled = first.stations.first().station
    VisitFactory(station=sampled, voters_so_far=100, arrived_at=local(10, 5))
    assert stations
    page = new_context(viewport=DESK).new_page()
    log_in(page, "coordinator", f"/missions/{mission.pk}/samples/")
    page.wait_for_url(at(f"/missions/{mission.pk}/samples/"))

    page.fill("input[name=size]", "3")
    page.fill("input[name=seed]", "2")
    page.click("#sample-form button[type=submit]")

    second = Sample.objects.get(mission=mission, seed=2)
    page.wait_for_url(at(f"/missions/{mission.pk}/samples/{second.pk}/"))
    assert "The estimates keep the sample they use" in page.inner_text(".messages")
    page.fill("#sample-use-form textarea[name=reason]", "Redrawn after the frame was fixed")
    page.click("#sample-use-form button[type=submit]")
    page.wait_for_selector("#sample-use .badge.in-use")
    second.refresh_from_db()
    assert second.in_use

    page.goto(f"/missions/{mission.pk}/turnout-estimate/")
    assert f"sample {second.pk}" in page.inner_text("#sample-in-use")


def test_the_audit_log_reads_as_sentences_and_opens_what_changed(new_context, coordinator, mission):
    district = DistrictFactory(mission=mission)
    StationFactory.create_batch(4, district=district)
    sample_draw(mission=mission, size=2, seed=1, actor=coordinator)
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "coordinator", f"/missions/{mission.pk}/audit/")
    page.wait_for_url(at(f"/missions/{mission.pk}/audit/"))

    item = page.locator('li[data-action="sample.draw"]')
    assert "coordinator drew sample" in item.inner_text()
    assert not item.locator("table.changes").is_visible()
    item.locator("summary").click()
    assert item.locator('tr[data-key="seed"]').is_visible()
    assert "Times in Asia/Almaty." in page.inner_text("#audit-zone")
