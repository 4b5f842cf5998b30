"""The organisation and time-window filters narrow every panel of the dashboard.

The aggregate tables keep no organisation and no hour, so these filters count the panels
from the visits (``selectors.NarrowedAggregates``). A small world whose numbers can be
checked by hand: two regions of one district and two stations each, two organisations of
one observer each, visits through the day; a rejected visit and a dismissed finding that must
never count.

    visit  observer  station  arrives  stage    count  assessment  finding
    1      a (OSCE)  N1       08:30    OPENING  -      GOOD        -
    2      a         N1       10:20    VOTING   200    BAD         secrecy, serious
    3      a         S1       11:40    VOTING   300    GOOD        -
    4      b (PACE)  N2       09:10    VOTING   100    VERY_BAD    campaigning, critical
    5      b         S1       10:50    VOTING   250    GOOD        procedure, minor
    6      b         S2       12:30    VOTING   400    BAD         -
    7      b         S2       13:05    VOTING   999    VERY_BAD    secrecy, critical  REJECTED
    8      a         N1       12:10    VOTING   350    GOOD        secrecy, minor, DISMISSED

Every station has 1,000 registered voters.
"""

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache

from observation.models import Finding
from reports.aggregates import selectors
from reports.aggregates.reconcile import aggregates_reconcile
from reports.dashboard import selectors as dashboard
from reports.maps.selectors import regions_map_arguments
from tests.missions.factories import (
    DistrictFactory,
    ObserverFactory,
    OrganisationFactory,
    RegionFactory,
    StationFactory,
    TeamFactory,
)
from tests.reports.dashboard_data import (
    NOW,
    build_election,
    figures_of,
    key_figure,
    login,
    queries_of,
    small_and_large,
    trace,
)
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db

SECRECY, CAMPAIGNING, PROCEDURE = "Secrecy of the vote", "Campaigning", "Procedural violation"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture(autouse=True, params=["kept", "remainder"])
def counting(request, monkeypatch):
    """Every test twice: counting the visits a filter keeps, and subtracting those it leaves
    out from the aggregates (what the dashboard does when a filter keeps most visits)."""
    monkeypatch.setattr(dashboard, "REMAINDER_ABOVE", 1.0 if request.param == "kept" else -1.0)
    return request.param


@dataclasses.dataclass
class World:
    mission: object
    osce: object
    pace: object
    north: object
    south: object
    stations: dict
    visits: list


@pytest.fixture
def world(mission):
    osce = OrganisationFactory(mission=mission, name="OSCE/ODIHR")
    pace = OrganisationFactory(mission=mission, name="PACE")
    north = RegionFactory(mission=mission, code="N", name="North")
    south = RegionFactory(mission=mission, code="S", name="South")
    stations = {}
    for region, number in ((north, 1), (south, 2)):
        district = DistrictFactory(
            parent=region, mission=mission, code=f"{region.code}-D", name=f"{region.name} D"
        )
        for s in (1, 2):
            code = f"{region.code}{s}"
            stations[code] = StationFactory(
                district=district,
                code=code,
                name=f"School {code}",
                registered_voters=1000,
                latitude=Decimal(f"{40 + number}.{s}"),
                longitude=Decimal(f"{60 + number}.{s}"),
            )
    a = ObserverFactory(
        mission=mission, organisation=osce, team=TeamFactory(mission=mission, code="TA")
    )
    b = ObserverFactory(
        mission=mission, organisation=pace, team=TeamFactory(mission=mission, code="TB")
    )
    ok, rejected = "SUBMITTED", "REJECTED"
    table = [
        (a, "N1", (8, 30), "OPENING", None, "GOOD", None, ok),
        (a, "N1", (10, 20), "VOTING", 200, "BAD", ("SECRECY", "SERIOUS"), ok),
        (a, "S1", (11, 40), "VOTING", 300, "GOOD", None, ok),
        (b, "N2", (9, 10), "VOTING", 100, "VERY_BAD", ("CAMPAIGNING", "CRITICAL"), ok),
        (b, "S1", (10, 50), "VOTING", 250, "GOOD", ("PROCEDURE", "MINOR"), ok),
        (b, "S2", (12, 30), "VOTING", 400, "BAD", None, ok),
        (b, "S2", (13, 5), "VOTING", 999, "VERY_BAD", ("SECRECY", "CRITICAL"), rejected),
        (a, "N1", (12, 10), "VOTING", 350, "GOOD", ("SECRECY", "MINOR", "DISMISSED"), ok),
    ]
    visits = []
    for observer, code, (hour, minute), stage, count, assessment, finding, status in table:
        visit = VisitFactory(
            station=stations[code],
            observer=observer,
            team=observer.team,
            stage=stage,
            arrived_at=local(hour, minute),
            voters_so_far=count,
            assessment=assessment,
            status=status,
        )
        if finding:
            category, severity, *review = finding
            Finding.objects.create(
                visit=visit,
                category=category,
                severity=severity,
                review_status=review[0] if review else "PENDING",
            )
        visits.append(visit)
    aggregates_reconcile(mission=mission, now=NOW)
    return World(mission, osce, pace, north, south, stations, visits)


@pytest.fixture
def page(client, coordinator, world):
    login(client, coordinator)

    def get(query=""):
        response = client.get(f"/missions/{world.mission.pk}/dashboard/{query}")
        assert response.status_code == 200
        return response

    return get


def coverage(figures) -> dict:
    figure = figures["coverage_by_area"]
    visited, missing = trace(figure, "Visited"), trace(figure, "Not visited")
    return {
        area: (v, v + m, c[3])
        for area, v, m, c in zip(visited["y"], visited["x"], missing["x"], visited["customdata"])
    }


def negative(figures) -> dict:
    """label -> (share negative, 95% low, 95% high, negative, total)."""
    points = trace(figures["assessments"], "Negative")
    return {
        label: (x, *custom)
        for label, x, custom in zip(points["y"], points["x"], points["customdata"])
    }


def by_category(figures) -> dict:
    """(category, severity) -> count, zeros left out."""
    counts = {}
    for severity in ("Critical", "Serious", "Minor"):
        bars = trace(figures["findings_by_category"], severity)
        for category, count in zip(bars["y"], bars["x"]):
            if count:
                counts[(category, severity)] = count
    return counts


def heatmap(figures) -> dict:
    heat = figures["findings_heatmap"]["data"][0]
    return {
        (area, category): count
        for area, row in zip(heat["y"], heat["z"])
        for category, count in zip(heat["x"], row)
        if count
    }


def observed(figures, name="Observed, national") -> dict:
    line = trace(figures["turnout_day"], name)
    return {x[-5:]: (y, c[1]) for x, y, c in zip(line["x"], line["y"], line["customdata"])}


def visited_on_map(client, world, query) -> dict[str, int]:
    """The map's visited stations per region (hover text), and in all (the hexagons')."""
    body = client.get(f"/missions/{world.mission.pk}/dashboard/map/{query}").json()
    regions = {
        t["meta"]["area"]: int(re.search(r"(\d+) of \d+ stations visited", t["text"]).group(1))
        for t in body["figure"]["data"]
        if t.get("meta")
    }
    assert sum(regions.values()) == body["visited"]
    return {code: n for code, n in regions.items() if n}


# --- without filters: the aggregates ---------------------------------------------------------


def test_unfiltered_the_page_counts_every_counted_visit(page):
    figures = figures_of(page())

    assert coverage(figures) == {"North": (2, 2, 4), "South": (2, 2, 3)}
    assert negative(figures)["Voting"][3:] == (3, 6)


# --- the organisation ------------------------------------------------------------------------


def test_the_organisation_narrows_coverage_and_the_key_figures(page, world):
    osce = page(f"?organisation={world.osce.pk}")
    pace = page(f"?organisation={world.pace.pk}")

    # OSCE: N1 three times, S1 once. PACE: N2, S1 and S2 (S2's rejected visit not counted).
    assert coverage(figures_of(osce)) == {"North": (1, 2, 3), "South": (1, 2, 1)}
    assert coverage(figures_of(pace)) == {"North": (1, 2, 1), "South": (2, 2, 2)}
    assert key_figure(osce, "stations") == "2 / 4"
    assert key_figure(osce, "visits") == "4"
    assert key_figure(pace, "stations") == "3 / 4"
    assert key_figure(pace, "visits") == "3"
    html = osce.content.decode()
    assert 'data-note="organisation"' in html and 'data-note="window"' not in html


def test_the_organisation_narrows_the_assessments_with_their_interval(page, world):
    osce = negative(figures_of(page(f"?organisation={world.osce.pk}")))
    pace = negative(figures_of(page(f"?organisation={world.pace.pk}")))

    # OSCE opening GOOD; voting BAD, GOOD, GOOD. PACE voting VERY_BAD, GOOD, BAD. Shares and
    # Wilson bounds as published: rounded once, to one decimal (common/numbers.py).
    assert osce == {
        "Opening": (0.0, 0.0, 79.3, 0, 1),
        "Voting": (33.3, 6.1, 79.2, 1, 3),
    }
    assert pace == {"Voting": (66.7, 20.8, 93.9, 2, 3)}
    bars = figures_of(page(f"?organisation={world.pace.pk}"))["assessments"]
    assert trace(bars, "Very bad")["customdata"][0][:2] == [1, 3]


def test_the_organisation_narrows_the_findings_and_the_heat_map(page, world):
    osce = figures_of(page(f"?organisation={world.osce.pk}"))
    pace_response = page(f"?organisation={world.pace.pk}")
    pace = figures_of(pace_response)

    # The dismissed finding (OSCE) and the rejected visit's finding (PACE) never count.
    assert by_category(osce) == {(SECRECY, "Serious"): 1}
    assert heatmap(osce) == {("North", SECRECY): 1}
    assert by_category(pace) == {(CAMPAIGNING, "Critical"): 1, (PROCEDURE, "Minor"): 1}
    assert heatmap(pace) == {("North", CAMPAIGNING): 1, ("South", PROCEDURE): 1}
    assert key_figure(pace_response, "findings") == "2"


def test_the_organisation_narrows_observed_turnout(page, world):
    osce = observed(figures_of(page(f"?organisation={world.osce.pk}")))

    # Per hour, the latest OSCE count of each station over its registered voters.
    assert osce == {"11:00": (20.0, 200), "12:00": (30.0, 300), "13:00": (35.0, 350)}
    by_region = figures_of(page(f"?organisation={world.pace.pk}&hour=11:00"))["turnout_by_area"]
    assert dict(zip(by_region["data"][0]["y"], by_region["data"][0]["x"])) == {"South": 25.0}


def test_the_organisation_narrows_the_map(client, coordinator, world):
    login(client, coordinator)

    assert visited_on_map(client, world, "") == {"N": 2, "S": 2}
    assert visited_on_map(client, world, f"?organisation={world.osce.pk}") == {"N": 1, "S": 1}
    assert visited_on_map(client, world, f"?organisation={world.pace.pk}") == {"N": 1, "S": 2}
    north = f"?organisation={world.pace.pk}&region={world.north.pk}"
    assert visited_on_map(client, world, north) == {"N": 1}


def test_the_page_asks_for_the_map_with_its_filters(page, world):
    response = page(f"?organisation={world.pace.pk}&since=10:00&region={world.south.pk}")

    query = f"region={world.south.pk}&amp;organisation={world.pace.pk}&amp;since=10%3A00"
    url = f"/missions/{world.mission.pk}/dashboard/map/?{query}"
    assert f'data-figure-url="{url}"' in response.content.decode()


# --- the time window -------------------------------------------------------------------------


def test_the_window_narrows_coverage_assessments_and_findings(page):
    response = page("?since=10:00&until=12:00")
    figures = figures_of(response)

    # Visits 2 (N1 10:20), 5 (S1 10:50) and 3 (S1 11:40).
    assert coverage(figures) == {"North": (1, 2, 1), "South": (1, 2, 2)}
    assert negative(figures) == {"Voting": (33.3, 6.1, 79.2, 1, 3)}
    assert by_category(figures) == {(SECRECY, "Serious"): 1, (PROCEDURE, "Minor"): 1}
    assert heatmap(figures) == {("North", SECRECY): 1, ("South", PROCEDURE): 1}
    assert key_figure(response, "visits") == "3"
    assert key_figure(response, "findings") == "2"
    assert 'data-note="window"' in response.content.decode()


def test_the_window_keeps_the_whole_clock_hours_of_turnout_it_overlaps(page, world):
    whole_hours = observed(figures_of(page("?since=10:00&until=12:00")))
    from_half_past = observed(figures_of(page("?since=10:30&until=12:00")))
    osce_from_half_past = f"?organisation={world.osce.pk}&since=10:30&until=12:00"

    # 11:00: N1 200 and S1 250 of 2,000; 12:00: S1 300 of 1,000.
    assert whole_hours == {"11:00": (22.5, 450), "12:00": (30.0, 300)}
    # Turnout is per clock hour: the hour to 11:00 overlaps 10:30-12:00, so it counts whole.
    assert from_half_past == whole_hours
    assert observed(figures_of(page(osce_from_half_past))) == {
        "11:00": (20.0, 200),
        "12:00": (30.0, 300),
    }


def test_the_window_narrows_the_map(client, coordinator, world):
    login(client, coordinator)

    assert visited_on_map(client, world, "?since=10:00&until=12:00") == {"N": 1, "S": 1}
    assert visited_on_map(client, world, "?since=12:00") == {"N": 1, "S": 1}


# --- combined with each other and with stage and region --------------------------------------


def test_organisation_and_window_combine(page, world, client):
    response = page(f"?organisation={world.pace.pk}&since=10:00&until=13:00")
    figures = figures_of(response)

    # PACE within 10:00-13:00: visits 5 (S1) and 6 (S2).
    assert coverage(figures) == {"North": (0, 2, 0), "South": (2, 2, 2)}
    assert negative(figures) == {"Voting": (50.0, 9.5, 90.5, 1, 2)}
    assert by_category(figures) == {(PROCEDURE, "Minor"): 1}
    assert heatmap(figures) == {("South", PROCEDURE): 1}
    assert observed(figures) == {"11:00": (25.0, 250), "13:00": (40.0, 400)}
    query = f"?organisation={world.pace.pk}&since=10:00&until=13:00"
    assert visited_on_map(client, world, query) == {"S": 2}


def test_region_and_stage_compose_with_organisation_and_window(page, world):
    south = page(f"?organisation={world.pace.pk}&since=10:00&region={world.south.pk}&stage=VOTING")
    north = page(f"?organisation={world.osce.pk}&region={world.north.pk}&stage=VOTING")

    # PACE in the South from 10:00: S1 (GOOD) and S2 (BAD), by district for the voting stage.
    figures = figures_of(south)
    assert coverage(figures) == {"South D": (2, 2, 2)}
    assert negative(figures) == {"South D": (50.0, 9.5, 90.5, 1, 2)}
    assert heatmap(figures) == {("South D", PROCEDURE): 1}
    assert key_figure(south, "stations") == "2 / 2"
    # OSCE voting in the North: visits 2 (BAD) and 8 (GOOD); its opening visit is not voting,
    # and the stage narrows the coverage and the key figures too.
    figures = figures_of(north)
    assert negative(figures) == {"North D": (50.0, 9.5, 90.5, 1, 2)}
    assert coverage(figures) == {"North D": (1, 2, 2)}
    assert by_category(figures) == {(SECRECY, "Serious"): 1}
    assert key_figure(north, "visits") == "2"


def test_the_chart_api_narrows_as_the_page_does(api, client, coordinator, page, world):
    query = f"?organisation={world.osce.pk}&since=09:00"

    body = api.as_user(coordinator).get(f"/api/v1/missions/{world.mission.pk}/charts/{query}")

    assert {c["name"]: c["figure"] for c in body.json()["charts"]} == figures_of(page(query))


# --- the two sources agree -------------------------------------------------------------------


def _everything():
    """A time window that keeps every visit of the day."""
    return dataclasses.replace(
        dashboard.DashboardFilters(),
        since=local(0) - dt.timedelta(days=1),
        until=local(0) + dt.timedelta(days=2),
    )


def _data(mission, filters):
    areas = dashboard.mission_areas(mission=mission)
    data = dashboard.dashboard_data(mission=mission, filters=filters, areas=areas)
    return data.key_figures, data.charts, data.area_rows


@pytest.mark.parametrize("world_name", ["world", "election"])
def test_a_narrowing_that_keeps_every_visit_gives_the_aggregates_numbers(request, world_name):
    mission = request.getfixturevalue("mission")
    if world_name == "world":
        request.getfixturevalue("world")
    else:
        build_election(mission)
    everything = _everything()
    region = dashboard.mission_areas(mission=mission).regions[1]["id"]

    for narrowed, stored in (
        (everything, dashboard.DashboardFilters()),
        (
            dataclasses.replace(everything, region_id=region, stage="VOTING", hour="11:00"),
            dashboard.DashboardFilters(region_id=region, stage="VOTING", hour="11:00"),
        ),
    ):
        assert isinstance(
            dashboard.aggregate_source(mission=mission, filters=narrowed),
            selectors.NarrowedAggregates,
        )
        assert _data(mission, narrowed) == _data(mission, stored)
    narrow = everything.visit_narrowing()
    source = selectors.NarrowedAggregates(mission=mission, narrow=narrow, turnout_narrow=narrow)
    for level in ("national", "region", "district"):
        assert source.coverage_rows(level=level) == selectors.coverage_rows(
            mission=mission, level=level
        )
        assert source.finding_rows(level=level) == selectors.finding_rows(
            mission=mission, level=level
        )
        assert source.assessment_rows(level=level) == selectors.assessment_rows(
            mission=mission, level=level
        )
        assert source.turnout_rows(level=level) == selectors.turnout_rows(
            mission=mission, level=level
        )
    assert regions_map_arguments(mission=mission, filters=everything) == regions_map_arguments(
        mission=mission, filters=dashboard.DashboardFilters()
    )


def test_left_out_visits_subtracted_from_the_aggregates_leave_nothing_when_all_are_left_out(
    world,
):
    nothing = selectors.visit_narrowing(since=local(0) + dt.timedelta(days=5))
    source = selectors.NarrowedAggregates(
        mission=world.mission, narrow=nothing, turnout_narrow=nothing, remainder=True
    )

    for level in ("national", "region", "district"):
        rows = source.coverage_rows(level=level)
        assert rows and all(r["stations_visited"] == r["visits"] == 0 for r in rows)
        assert source.finding_rows(level=level) == []
        assert source.assessment_rows(level=level) == []
        assert source.turnout_rows(level=level) == []
    assert source.visited_station_ids() == set()


def test_the_dashboard_subtracts_when_a_filter_keeps_most_visits(world, counting):
    def remainder(**filters):
        source = dashboard.aggregate_source(
            mission=world.mission, filters=dashboard.DashboardFilters(**filters)
        )
        return source.remainder

    dashboard.REMAINDER_ABOVE = 0.5  # the dashboard's own choice (monkeypatch restores it)

    assert remainder(since=local(8)) is True  # 11 of 13 polling hours
    assert remainder(since=local(9), until=local(12)) is False
    assert remainder(organisation_id=world.osce.pk) is False  # one observer of two
    assert remainder(organisation_id=world.osce.pk, since=local(8)) is False


def test_an_organisation_of_every_observer_gives_the_aggregates_numbers(world):
    from missions.models import Observer

    Observer.objects.filter(mission=world.mission).update(organisation=world.osce)
    osce = dashboard.DashboardFilters(organisation_id=world.osce.pk)

    _, narrowed_charts, narrowed_rows = _data(world.mission, osce)
    _, stored_charts, stored_rows = _data(world.mission, dashboard.DashboardFilters())

    assert narrowed_charts == stored_charts
    assert narrowed_rows == stored_rows


# --- speed -----------------------------------------------------------------------------------


def test_the_filtered_page_costs_a_fixed_number_of_queries(
    client, coordinator, mission, other_mission, django_assert_max_num_queries
):
    small, large = small_and_large(client, coordinator, mission, other_mission)
    counts = []
    for election in (small, large):
        organisation = election.organisations[1].pk
        for query in (
            f"?organisation={organisation}",
            "?since=08:00&until=12:00",
            f"?organisation={organisation}&since=08:00&region={election.regions[1].pk}"
            "&stage=VOTING",
        ):
            counts.append(queries_of(client, f"/missions/{election.mission.pk}/dashboard/{query}"))

    assert counts[:3] == counts[3:]
    # The unfiltered map's twelve, and the organisation's share of the observers.
    with django_assert_max_num_queries(13):
        client.get(
            f"/missions/{large.mission.pk}/dashboard/map/?organisation={organisation}&since=08:00"
        )
    # Four grouped reads of the visits take the place of the aggregate reads.
    with django_assert_max_num_queries(18):
        client.get(
            f"/missions/{large.mission.pk}/dashboard/?organisation={organisation}"
            f"&since=08:00&region={large.regions[1].pk}&stage=VOTING"
        )
