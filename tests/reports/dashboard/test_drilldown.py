"""Drill-down: a region's districts, a district's stations, a station's visits, a visit."""

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile

from missions.audit import audit_record
from observation.models import FindingPhoto, VisitRevision
from reports.aggregates import selectors
from tests.reports.dashboard_data import EVIL, build_election, login
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(mission):
    return build_election(mission)


@pytest.fixture
def browse(client, coordinator, election):
    login(client, coordinator)

    def get(path):
        response = client.get(f"/missions/{election.mission.pk}{path}")
        assert response.status_code == 200, path
        return response.content.decode()

    return get


def cells(html, attribute, value):
    """The text of the cells of the table row marked ``attribute="value"``."""
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_region_page_lists_its_districts_with_their_aggregates(browse, election):
    region = election.regions[1]
    coverage = {
        r["area_code"]: r
        for r in selectors.coverage_rows(mission=election.mission, level="district")
    }

    html = browse(f"/areas/{region.pk}/")

    for district in election.districts[2:4]:
        row = cells(html, "data-area", district.code)
        assert row[0] == district.name
        assert row[1:4] == [
            str(coverage[district.code]["stations_visited"]),
            str(coverage[district.code]["stations_total"]),
            str(coverage[district.code]["visits"]),
        ]
        assert f'href="/missions/{election.mission.pk}/areas/{district.pk}/"' in html
    assert election.districts[0].code not in html


def test_the_region_page_shows_the_negative_share_per_stage_of_each_district(browse, election):
    district = election.districts[0]
    expected = {
        r["stage"]: r
        for r in selectors.assessment_rows(mission=election.mission, level="district")
        if r["area_code"] == district.code
    }

    html = browse(f"/areas/{election.regions[0].pk}/")

    row = cells(html, "data-area", district.code)
    voting = expected["VOTING"]
    assert (
        f"{voting['negative_pct']}% ({voting['bad'] + voting['very_bad']}/{voting['total']})" in row
    )


def test_the_district_page_lists_its_stations_with_their_visits(browse, election):
    district = election.districts[0]
    station = election.stations[0]
    VisitFactory(station=station, observer=election.observers[0], status="REJECTED")

    html = browse(f"/areas/{district.pk}/")

    row = cells(html, "data-station", station.code)
    assert row[0] == station.code
    assert row[1] == station.name
    assert row[3] == "2"  # the rejected visit does not count
    unvisited = cells(html, "data-station", election.stations[2].code)
    assert unvisited[3] == "0" and unvisited[5] == "–"
    assert f'href="/missions/{election.mission.pk}/stations/{station.pk}/"' in html
    assert election.stations[3].code not in html  # another district's


def test_the_station_page_lists_its_visits_in_the_missions_time(browse, election):
    station = election.stations[0]
    visits = [v for v in election.visits if v.station_id == station.pk]

    html = browse(f"/stations/{station.pk}/")

    for visit in visits:
        row = cells(html, "data-visit", str(visit.pk))
        local = visit.arrived_at.astimezone(election.mission.tzinfo)
        assert row[0] == f"{local:%H:%M} (Asia/Almaty)"
        assert row[1] == visit.get_stage_display()
    assert [int(v) for v in re.findall(r'data-visit="(\d+)"', html)] == [v.pk for v in visits]


def test_the_visit_page_shows_answers_findings_and_the_revision_history(
    browse, election, coordinator
):
    visit = election.visits[1]
    visit.answers = {"V01": True, "V02": 3}
    visit.notes = f"Note {EVIL}"
    visit.save(update_fields=["answers", "notes"])
    VisitRevision.objects.create(
        visit=visit,
        number=1,
        data={"status": "SUBMITTED"},
        author=coordinator,
        reason="Typo fixed",
        created_at=dt.datetime(2022, 11, 20, 6, 0, tzinfo=dt.UTC),
    )
    audit_record(
        actor=coordinator,
        mission=election.mission,
        action="visit.edit",
        obj=visit,
        reason="Counted again",
        at=dt.datetime(2022, 11, 20, 7, 0, tzinfo=dt.UTC),
    )
    finding = election.findings[1]
    photo = FindingPhoto.objects.create(
        finding=finding,
        image=ContentFile(b"\xff\xd8\xff", name="photo.jpg"),
        content_type="image/jpeg",
        size=3,
    )

    html = browse(f"/visits/{visit.pk}/")

    question = visit.checklist.questions.get(code="V01")
    assert cells(html, "data-question", "V01")[-1] == "Yes"
    assert question.text in html
    assert cells(html, "data-question", "V02")[-1] == "3"
    assert f'data-finding="{finding.pk}"' in html
    assert f'href="/api/v1/photos/{photo.pk}/"' in html
    assert "Finding 1 &lt;script&gt;" in html
    assert "Note &lt;script&gt;" in html and EVIL not in html
    assert cells(html, "data-revision", "1")[-2:] == ["coordinator", "Typo fixed"]
    assert "visit.edit" in html and "Counted again" in html


def test_drill_down_pages_cost_a_fixed_number_of_queries(
    client, coordinator, mission, django_assert_max_num_queries
):
    small = build_election(mission, regions=1, stations_per_district=3, visits_per_station=2)
    login(client, coordinator)
    station = small.stations[0]
    for _ in range(8):
        VisitFactory(station=station, observer=small.observers[0], arrived_at=local(15))
    # Counts include the two SAVEPOINT statements of the request's transaction.
    pages = {
        f"/areas/{small.regions[0].pk}/": 11,
        f"/areas/{small.districts[0].pk}/": 10,
        f"/stations/{station.pk}/": 8,
        f"/visits/{small.visits[0].pk}/": 13,
        "/review/": 11,
        "/dashboard/feed/": 8,
        # The regions with their coverage and latest turnout, the stations' places, visited.
        "/dashboard/map/": 12,
    }

    for path, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert client.get(f"/missions/{mission.pk}{path}").status_code == 200


def test_choice_answers_show_their_labels(browse, election):
    visit = election.visits[1]
    question = visit.checklist.questions.get(code="V02")
    question.choices = [{"value": "POLICE", "label": "Police <officers>"}, "OTHER"]
    question.save(update_fields=["choices"])
    visit.answers = {"V01": True, "V02": "POLICE"}
    visit.save(update_fields=["answers"])

    html = browse(f"/visits/{visit.pk}/")

    assert cells(html, "data-question", "V02")[-1] == "Police &lt;officers&gt;"
