"""The teams page of a big mission in a real Chromium (issue 20): a page of teams, a search
that keeps to the next page, a region filter, and a team's QR cards downloaded as a PDF."""

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import at, log_in
from tests.missions.setup.test_teams_page import crowd  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e
DESK = {"width": 1280, "height": 900}


def shown(page) -> list[str]:
    return page.locator("article.team-card").evaluate_all(
        "cards => cards.map(c => c.getAttribute('data-team'))"
    )


def test_a_coordinator_finds_a_team_and_prints_its_qr_cards(
    new_context,
    coordinator,
    mission,
    station,
    crowd,  # noqa: F811
):
    desk = new_context(viewport=DESK, accept_downloads=True)
    page = desk.new_page()
    teams = f"/missions/{mission.pk}/teams/"
    log_in(page, "coordinator", teams)
    page.wait_for_url(at(teams))

    assert len(shown(page)) == 24
    assert "Page 1 of 2" in page.locator("nav.pages").inner_text()
    page.screenshot(path="tests/e2e/screenshots/teams-page.png")
    page.fill("#team-filters input[name=q]", "Observer")
    page.select_option("#team-filters select[name=organisation]", label="PACE")
    page.click("#team-filters button[type=submit]")
    page.wait_for_load_state()
    assert shown(page) == [f"T{n:02d}" for n in range(1, 30, 2)]
    page.select_option("#team-filters select[name=region]", str(station.region_id))
    page.click("#team-filters button[type=submit]")
    page.wait_for_load_state()
    assert shown(page) == []  # PACE's teams are deployed nowhere
    page.click("text=Show all teams")
    page.wait_for_load_state()
    page.click("nav.pages >> text=Next")
    page.wait_for_load_state()
    assert shown(page) == [f"T{n:02d}" for n in range(24, 30)]

    page.fill("#team-filters input[name=q]", "zhaksyl")
    page.click("#team-filters button[type=submit]")
    page.wait_for_load_state()
    assert shown(page) == ["T07"]
    page.screenshot(path="tests/e2e/screenshots/teams-search.png", full_page=True)
    page.click("article.team-card[data-team=T07] a.qr-cards")
    page.wait_for_url(at(f"/missions/{mission.pk}/observers/qr-cards/"))
    assert page.locator("select[name=team] option:checked").inner_text() == "T07"
    page.check("input[name=who][value=ALL]")
    page.screenshot(path="tests/e2e/screenshots/qr-cards-form.png")
    with page.expect_download() as download:
        page.click("#device-cards button[type=submit]")
    pdf = open(download.value.path(), "rb").read()

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Aigerim Zhaksylykova" in text and "Team T07" in text
    assert "Observer 7-1" in text and "Observer 8-0" not in text
