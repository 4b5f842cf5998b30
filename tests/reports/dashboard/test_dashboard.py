"""The coordinator dashboard: each panel shows the figures the aggregates hold."""

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache

from common.plurals import SPAN
from missions.models import Deployment
from reports.aggregates import selectors
from reports.charts.base import assessment_figures, turnout_share
from tests.catalog import plural, translated
from tests.reports.dashboard_data import (
    EVIL,
    all_strings,
    build_election,
    figures_of,
    key_figure,
    login,
    queries_of,
    small_and_large,
    trace,
)
from tests.reports.factories import FindingFactory, VisitFactory, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    """The coverage map is cached by mission and aggregate time: start each test afresh."""
    cache.clear()


@pytest.fixture
def election(mission):
    return build_election(mission)


@pytest.fixture
def page(client, coordinator, election):
    login(client, coordinator)

    def get(query=""):
        response = client.get(f"/missions/{election.mission.pk}/dashboard/{query}")
        assert response.status_code == 200
        return response

    return get


def national(function, mission, **kwargs):
    return function(mission=mission, level="national", **kwargs)


# --- key figures -----------------------------------------------------------------------------


def test_key_figures_count_people_coverage_findings_and_the_review_backlog(page, election):
    response = page()

    # 4 observers of 2 organisations, nationalities DE, FR, PL; every team has visited.
    assert key_figure(response, "observers") == "4"
    assert key_figure(response, "countries") == "3"
    assert key_figure(response, "organisations") == "2"
    assert key_figure(response, "teams") == "4"
    # 3 regions x 2 districts x 3 stations, two of every three visited, two visits each.
    assert key_figure(response, "stations") == "12 / 18"
    assert key_figure(response, "visits") == "24"
    assert key_figure(response, "findings") == "9"
    assert key_figure(response, "flagged") == "1"
    html = response.content.decode()
    for severity in ("CRITICAL", "SERIOUS", "MINOR"):
        assert re.search(rf'data-severity="{severity}">3 ', html)
    assert "Figures as of" in html


RUSSIAN_SEVERITIES = {
    **plural(
        "%(count)s critical",
        "%(count)s критическое",
        "%(count)s критических",
        "%(count)s критических",
        "%(count)s критического",
        context="findings of this severity",
    ),
    **plural(
        "%(count)s minor",
        "%(count)s незначительное",
        "%(count)s незначительных",
        "%(count)s незначительных",
        "%(count)s незначительного",
        context="findings of this severity",
    ),
}


def test_the_severity_badges_say_each_count_in_its_plural_form(client, coordinator, election):
    # 5 critical findings and 1 minor one (3 of each before).
    for visit in election.visits[9:11]:
        FindingFactory(visit=visit, category="SECRECY", severity="CRITICAL")
    for finding in [f for f in election.findings if f.severity == "MINOR"][1:]:
        finding.delete()
    election.reconcile()
    login(client, coordinator)

    with translated("ru", RUSSIAN_SEVERITIES):
        response = client.get(
            f"/missions/{election.mission.pk}/dashboard/", HTTP_ACCEPT_LANGUAGE="ru"
        )

    html = response.content.decode()
    assert 'data-severity="CRITICAL">5 критических</span>' in html
    assert 'data-severity="MINOR">1 незначительное</span>' in html
    # The forms the page's script redraws the badges with: 21 is "one" again, 22 "few".
    table = json.loads(re.search(r'id="severity-texts"[^>]*>([^<]*)<', html).group(1))["MINOR"]
    forms = [table["forms"][int(table["index"][n])] for n in (1, 5, 21, 22)]
    assert forms == [
        "%(count)s незначительное",
        "%(count)s незначительных",
        "%(count)s незначительное",
        "%(count)s незначительных",
    ]
    assert len(table["index"]) == SPAN


def test_once_teams_are_deployed_only_deployed_observers_count(page, election):
    mission = election.mission
    for observer in election.observers[:3]:
        Deployment.objects.create(mission=mission, team=observer.team, day=mission.election_date)
    Deployment.objects.create(
        mission=mission,
        team=election.observers[3].team,
        day=mission.election_date - dt.timedelta(days=1),
    )

    response = page()

    assert key_figure(response, "observers") == "3"
    assert key_figure(response, "teams") == "3"
    assert key_figure(response, "countries") == str(
        len({o.nationality for o in election.observers[:3]})
    )


def test_key_figures_follow_the_aggregates_not_the_raw_tables(page, election):
    # A visit the aggregates have not seen yet does not count until they are brought up to date.
    VisitFactory(station=election.stations[2], observer=election.observers[0])

    assert key_figure(page(), "visits") == "24"

    election.reconcile()
    assert key_figure(page(), "visits") == "25"
    assert key_figure(page(), "stations") == "13 / 18"


# --- panels ----------------------------------------------------------------------------------


def test_turnout_panel_shows_observed_national_turnout_beside_the_official_figures(page, election):
    mission = election.mission
    expected = national(selectors.turnout_rows, mission)

    figure = figures_of(page())["turnout_day"]

    observed = trace(figure, "Observed, national")
    # Each hour's turnout as published: voters over registered, rounded once to one decimal.
    assert observed["y"] == [turnout_share(row) for row in expected]
    assert observed["y"] == [round(100 * r["voters"] / r["registered"], 1) for r in expected]
    assert observed["x"] == [row["bucket_end"].strftime("%Y-%m-%d %H:%M") for row in expected]
    assert [c[1] for c in observed["customdata"]] == [row["voters"] for row in expected]
    official = trace(figure, "Official, national")
    assert official["x"] == ["2022-11-20 10:00"] and official["y"] == [23.4]


def test_turnout_by_region_at_a_chosen_hour(page, election):
    rows = selectors.turnout_rows(mission=election.mission, level="region")
    at_twelve = [r for r in rows if r["bucket_end"].hour == 12]
    assert at_twelve  # the fixture has reports before 12:00 in every region

    figure = figures_of(page("?hour=12:00"))["turnout_by_area"]

    bars = figure["data"][0]
    by_name = dict(zip(bars["y"], bars["x"]))
    assert by_name == {
        r["area_name"].replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;"): r[
            "turnout_pct"
        ]
        for r in at_twelve
    }
    assert figure["layout"]["meta"]["bucket_end"] == "2022-11-20T12:00:00+06:00"


def test_turnout_by_region_defaults_to_the_latest_hour(page, election):
    rows = selectors.turnout_rows(mission=election.mission, level="region")
    latest = max(r["bucket_end"] for r in rows)

    figure = figures_of(page())["turnout_by_area"]

    assert figure["layout"]["meta"]["bucket_end"] == latest.isoformat()
    assert sorted(figure["data"][0]["x"]) == sorted(
        r["turnout_pct"] for r in rows if r["bucket_end"] == latest
    )


def test_coverage_panel_shows_visited_of_total_per_region(page, election):
    rows = {r["area_code"]: r for r in selectors.coverage_rows(mission=election.mission)}

    figure = figures_of(page())["coverage_by_area"]

    visited, missing = trace(figure, "Visited"), trace(figure, "Not visited")
    assert visited["x"] == [rows[code]["stations_visited"] for code in ("R1", "R2", "R0")] or (
        sum(visited["x"]) == sum(r["stations_visited"] for r in rows.values())
    )
    assert sum(visited["x"]) == 12
    assert sum(missing["x"]) == 6
    links = [c[-1] for c in visited["customdata"]]
    assert all(re.fullmatch(rf"/missions/{election.mission.pk}/areas/\d+/", link) for link in links)


def test_assessment_panel_has_the_negative_share_and_interval_of_every_stage(page, election):
    expected = {r["stage"]: r for r in national(selectors.assessment_rows, election.mission)}

    figure = figures_of(page())["assessments"]

    negative = trace(figure, "Negative")
    assert negative["y"] == ["Opening", "Voting"]
    # The rows' figures as published: rounded once, from the counts, to one decimal.
    published = {stage: assessment_figures(row) for stage, row in expected.items()}
    assert negative["x"] == [
        published["OPENING"]["negative_pct"],
        published["VOTING"]["negative_pct"],
    ]
    assert negative["x"][1] == round(expected["VOTING"]["negative_pct"], 1)
    assert negative["customdata"][1][:2] == [
        published["VOTING"]["ci_low"],
        published["VOTING"]["ci_high"],
    ]
    very_bad = trace(figure, "Very bad")
    assert very_bad["customdata"][0][:2] == [
        expected["OPENING"]["very_bad"],
        expected["OPENING"]["total"],
    ]


def test_findings_panels_by_category_and_region(page, election):
    region_rows = selectors.finding_rows(mission=election.mission)
    national_rows = national(selectors.finding_rows, election.mission)

    figures = figures_of(page())

    by_category = figures["findings_by_category"]
    total = sum(sum(t["x"]) for t in by_category["data"])
    assert total == sum(r["count"] for r in national_rows) == 9
    critical = trace(by_category, "Critical")
    expected = {r["category"]: r["count"] for r in national_rows if r["severity"] == "CRITICAL"}
    assert dict(zip(critical["y"], critical["x"])) == {
        "Procedural violation": expected.get("PROCEDURE", 0),
        "Campaigning": expected.get("CAMPAIGNING", 0),
        "Secrecy of the vote": expected.get("SECRECY", 0),
    }
    heat = figures["findings_heatmap"]["data"][0]
    assert sum(sum(row) for row in heat["z"]) == 9
    assert len(heat["y"]) == len({r["area_code"] for r in region_rows})


# --- filters ---------------------------------------------------------------------------------


def test_the_stage_filter_shows_that_stage_per_region(page, election):
    rows = {
        r["area_code"]: r
        for r in selectors.assessment_rows(mission=election.mission, stage="VOTING")
    }

    figure = figures_of(page("?stage=VOTING"))["assessments"]

    negative = trace(figure, "Negative")
    assert sorted(negative["x"]) == sorted(
        assessment_figures(r)["negative_pct"] for r in rows.values()
    )
    assert "Opening" not in negative["y"]


def test_panel_titles_name_regions_or_a_regions_districts(page, election):
    titles = re.compile(r"<h2>([^<]*)</h2>")

    national = titles.findall(page().content.decode())
    regional = titles.findall(page(f"?region={election.regions[1].pk}").content.decode())

    assert {"Turnout by region", "Coverage by region", "Findings by region and category"} <= set(
        national
    )
    assert {
        "Turnout by district",
        "Coverage by district",
        "Findings by district and category",
    } <= set(regional)


def test_the_region_filter_narrows_every_panel_to_its_districts(page, election):
    region = election.regions[1]

    response = page(f"?region={region.pk}")
    figures = figures_of(response)

    district_names = {"District 1.0", "District 1.1"}
    assert set(trace(figures["coverage_by_area"], "Visited")["y"]) == district_names
    assert set(figures["turnout_by_area"]["data"][0]["y"]) <= district_names
    assert set(figures["findings_heatmap"]["data"][0]["y"]) <= district_names
    region_turnout = selectors.turnout_rows(
        mission=election.mission, level="region", area_code=region.code
    )
    assert trace(figures["turnout_day"], "Observed, Region 1")["y"] == [
        turnout_share(r) for r in region_turnout
    ]
    assert trace(figures["turnout_day"], "Official, Region 1")["y"] == [51.2]
    assessments = trace(figures["assessments"], "Negative")
    expected = [
        r
        for r in selectors.assessment_rows(mission=election.mission, level="region")
        if r["area_code"] == region.code
    ]
    assert assessments["x"] == [assessment_figures(r)["negative_pct"] for r in expected]
    assert "Districts of Region 1" in response.content.decode()
    (coverage,) = [
        r
        for r in selectors.coverage_rows(mission=election.mission)
        if r["area_code"] == region.code
    ]
    assert key_figure(response, "stations") == (
        f"{coverage['stations_visited']} / {coverage['stations_total']}"
    )
    assert key_figure(response, "visits") == str(coverage["visits"])


def test_the_time_window_narrows_turnout_and_the_feed(page, election):
    all_buckets = figures_of(page())["turnout_day"]
    narrowed = figures_of(page("?since=11:00&until=12:00"))["turnout_day"]

    hours = [x[-5:] for x in trace(narrowed, "Observed, national")["x"]]
    assert hours == ["12:00"]
    assert len(trace(all_buckets, "Observed, national")["x"]) == 4
    assert not [t for t in narrowed["data"] if t["name"].startswith("Official")]
    feed = page("?since=11:00").content.decode()
    early = [f for f in election.findings if f.visit.arrived_at < local(11)]
    late = [f for f in election.findings if f.visit.arrived_at >= local(11)]
    shown = set(re.findall(r'data-finding="(\d+)"', feed))
    assert not {str(f.pk) for f in early} & shown
    assert {str(f.pk) for f in late if f.severity != "MINOR"} <= shown


def test_the_organisation_filter_narrows_people_backlog_and_feed(page, election):
    pace = election.organisations[1]

    response = page(f"?organisation={pace.pk}")

    assert key_figure(response, "observers") == "2"
    assert key_figure(response, "organisations") == "1"
    assert key_figure(response, "teams") == "2"
    flagged_org = election.visits[-1].observer.organisation
    assert key_figure(response, "flagged") == ("1" if flagged_org == pace else "0")
    shown = set(re.findall(r'data-finding="(\d+)"', response.content.decode()))
    for finding in election.findings:
        if finding.severity == "MINOR":
            continue
        assert (str(finding.pk) in shown) == (finding.visit.observer.organisation == pace)
    assert "only the observers of the chosen organisation" in response.content.decode()


def test_nonsense_filters_are_ignored_not_an_error(page):
    response = page("?region=abc&stage=NOPE&since=25:99&hour=x&organisation=999999")

    assert key_figure(response, "visits") == "24"


# --- feed, map, escaping, speed ---------------------------------------------------------------


def test_the_feed_lists_critical_and_serious_findings_newest_first(client, coordinator, election):
    login(client, coordinator)

    response = client.get(f"/missions/{election.mission.pk}/dashboard/feed/")

    assert response.status_code == 200
    shown = [int(i) for i in re.findall(r'data-finding="(\d+)"', response.content.decode())]
    expected = sorted(
        (f for f in election.findings if f.severity in ("CRITICAL", "SERIOUS")),
        key=lambda f: (f.created_at, f.pk),
        reverse=True,
    )
    assert shown == [f.pk for f in expected]


def test_the_dashboard_polls_the_feed_from_static_js(page, election):
    html = page().content.decode()

    assert f'data-poll-url="/missions/{election.mission.pk}/dashboard/feed/"' in html
    assert '<script src="/static/js/dashboard.js"></script>' in html
    assert '<script src="/static/vendor/plotly/plotly-observatory.min.js"></script>' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all(
        "src=" in attributes or 'type="application/json"' in attributes for attributes in scripts
    )


def test_the_map_fills_the_regions_and_groups_the_stations(client, coordinator, election):
    region = election.regions[2]
    region.geojson = {"type": "Polygon", "coordinates": [[[70, 50], [75, 50], [75, 55], [70, 50]]]}
    region.save(update_fields=["geojson"])
    login(client, coordinator)

    body = client.get(f"/missions/{election.mission.pk}/dashboard/map/").json()
    turnout = client.get(f"/missions/{election.mission.pk}/dashboard/map/?measure=turnout").json()
    narrowed = client.get(
        f"/missions/{election.mission.pk}/dashboard/map/?region={election.regions[0].pk}"
    ).json()

    figure = body["figure"]
    assert body["stations"] == 18 and body["visited"] == 12 and body["outlines"] == 1
    fills = {t["meta"]["area"]: t for t in figure["data"] if t.get("meta")}
    assert set(fills) == {r.code for r in election.regions}
    assert fills[region.code]["x"][:4] == [70, 75, 75, 70]  # the uploaded outline
    assert body["approximate"] is True  # the others are drawn around their stations
    assert "geo" not in figure["layout"] and "mapbox" not in figure["layout"]
    assert turnout["measure"] == "turnout" and body["measure"] == "coverage"
    assert narrowed["stations"] == 6 and narrowed["outlines"] == 0


def test_free_text_is_escaped_in_the_page_and_in_the_figure_json(page, election):
    response = page()
    html = response.content.decode()

    assert EVIL not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    strings = list(all_strings(figures_of(response)))
    assert not [s for s in strings if "<script" in s]
    assert [s for s in strings if "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in s]


def test_the_number_of_queries_does_not_grow_with_regions_or_visits(
    client, coordinator, mission, other_mission, django_assert_max_num_queries
):
    small, large = small_and_large(client, coordinator, mission, other_mission)
    counts = []
    for election in (small, large):
        for query in ("", f"?region={election.regions[1].pk}&stage=VOTING&since=09:00"):
            counts.append(queries_of(client, f"/missions/{election.mission.pk}/dashboard/{query}"))

    assert counts[0] == counts[2] and counts[1] == counts[3]
    with django_assert_max_num_queries(19):
        client.get(f"/missions/{large.mission.pk}/dashboard/")


# --- the same charts through the API ---------------------------------------------------------


def test_the_api_answers_the_figures_the_dashboard_draws(api, client, coordinator, election):
    mission = election.mission
    login(client, coordinator)
    page_figures = figures_of(client.get(f"/missions/{mission.pk}/dashboard/?stage=VOTING"))

    body = (
        api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/charts/?stage=VOTING").json()
    )

    assert {c["name"]: c["figure"] for c in body["charts"]} == page_figures
    coverage = next(c for c in body["charts"] if c["name"] == "coverage_by_area")
    csv_response = api.get(coverage["csv"])
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert csv_response["Content-Type"].startswith("text/csv")
    assert lines[0] == "area_code,area_name,stations_total,stations_visited,visits"
    rows = {r["area_code"]: r for r in selectors.coverage_rows(mission=mission)}
    assert f"R1,Region 1,{rows['R1']['stations_total']},{rows['R1']['stations_visited']}," in (
        "\n".join(lines)
    )


def test_the_chart_api_is_for_the_missions_staff_only(api, press, analyst, election):
    url = f"/api/v1/missions/{election.mission.pk}/charts/"

    assert api.as_user(press).get(url).status_code == 404
    assert api.as_user(press).get(f"{url}coverage_by_area.csv").status_code == 404
    assert api.as_user(analyst).get(url).status_code == 200
    assert api.as_user(analyst).get(f"{url}nonsense.csv").status_code == 404
