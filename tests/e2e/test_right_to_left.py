"""Arabic pages are right to left in a real browser (issue 19): the observer's visit form on a
390 px phone and the coordinator's dashboard at 1280 px. The page says dir="rtl", its
navigation starts on the right, nothing runs off the side of the screen, question codes,
numbers and times keep their left-to-right order, and the charts' axis labels stay inside
their panels. The observer reads Arabic because their account says so (the switcher kept it),
whatever the browser asks for.
"""

import datetime as dt

import pytest

from missions.models import Deployment, Profile
from tests.e2e.conftest import at, log_in, wait_until
from tests.reports.dashboard_data import build_election

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

BOX = (
    "(selector) => { const r = document.querySelector(selector).getBoundingClientRect();"
    " return [r.left, r.right]; }"
)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def test_the_phone_visit_form_in_arabic(new_context, observer, station):
    Profile.objects.create(user=observer.user, language="ar")
    deployment = Deployment.objects.create(
        mission=observer.mission, team=observer.team, day=dt.date(2022, 11, 20)
    )
    deployment.stations.add(station)
    phone = new_context(viewport=PHONE, has_touch=True, locale="en-GB")
    page = phone.new_page()
    log_in(page, "observer", "/observe/")
    page.wait_for_url(at(f"/observe/{observer.mission_id}/"))

    page.goto(f"/observe/{observer.mission_id}/visit/?station={station.pk}")
    page.locator("input[name=checklist][data-stage=VOTING]").check()
    section = page.locator("section.checklist[data-stage=VOTING]")
    section.wait_for()

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert no_horizontal_overflow(page)
    # The brand, where a reader of Arabic starts, is on the right.
    left, right = page.evaluate(BOX, ".topbar .brand")
    assert left > PHONE["width"] / 2 and right <= PHONE["width"]
    # A question reads from the right; its code stays "V01", not "10V".
    legend = section.locator("fieldset[data-code=V03] legend")
    assert "هل كانت سرية الاقتراع مكفولة؟" in legend.text_content()
    code_box = section.locator("fieldset[data-code=V03] .code").bounding_box()
    text_box = section.locator("fieldset[data-code=V03] legend span[lang=ar]").bounding_box()
    assert code_box["x"] > text_box["x"]  # the code comes first, on the right
    assert section.locator("fieldset[data-code=V03] .code").text_content() == "V03"
    # Numbers are typed and shown left to right.
    ballots = page.locator("#voters-so-far")
    ballots.fill("312")
    assert ballots.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert ballots.input_value() == "312"
    # The choices fit the phone and carry their Arabic labels.
    crowded = section.locator("fieldset[data-code=V07] .choices label")
    assert "غير مزدحم" in crowded.first.text_content()
    for label in crowded.all():
        box = label.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_in_arabic(new_context, live_server, coordinator, mission):
    build_election(mission)
    desk = new_context(viewport=DESK)
    desk.add_cookies([{"name": "lang", "value": "ar", "url": live_server.url}])  # the switcher's
    page = desk.new_page()
    log_in(page, "coordinator", f"/missions/{mission.pk}/dashboard/")
    page.wait_for_url(at(f"/missions/{mission.pk}/dashboard/"))
    wait_until(page, "() => document.querySelectorAll('.js-plotly-plot').length === 7")

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert no_horizontal_overflow(page)
    # The navigation starts on the right: the brand in the top bar, and the mission's first
    # section, each next one to the left of the one before.
    brand_left, brand_right = page.evaluate(BOX, ".topbar .brand")
    assert brand_right > DESK["width"] - 60
    sections = page.locator(".mission-nav .sections a").all()
    boxes = [section.bounding_box() for section in sections]
    assert boxes[0]["x"] + boxes[0]["width"] > DESK["width"] - 80
    assert all(a["x"] > b["x"] for a, b in zip(boxes, boxes[1:], strict=False))
    # Figures keep their digits in order ("3 / 12", not "12 / 3").
    visited = page.locator('.kf[data-key="stations"] .value').text_content().split()
    assert visited[0].replace(",", "").isdigit() and visited[1] == "/"
    # Every region name on a bar chart's axis is drawn inside its panel, not clipped.
    for panel in ("coverage_by_area", "turnout_by_area"):
        panel_box = page.locator(f"#panel-{panel}").bounding_box()
        ticks = page.locator(f"#panel-{panel} .ytick text").all()
        assert ticks
        for tick in ticks:
            box = tick.bounding_box()
            assert box["x"] >= panel_box["x"] - 1, tick.text_content()
