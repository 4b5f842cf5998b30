"""The pure figure functions: numbers in, the same numbers in the figure JSON out."""

import datetime as dt
import json
import zoneinfo

import pytest

from reports import charts
from tests.reports.dashboard_data import all_strings, trace

ALMATY = "Asia/Almaty"
TZ = zoneinfo.ZoneInfo(ALMATY)


def at(hour):
    return dt.datetime(2022, 11, 20, hour, 0, tzinfo=TZ)


def turnout(code, name, hour, voters, registered, stations=1):
    return {
        "area_code": code,
        "area_name": name,
        "bucket_end": at(hour),
        "stations_reporting": stations,
        "voters": voters,
        "registered": registered,
        "turnout_pct": round(100 * voters / registered, 2),
    }


def assessment(code, name, stage, very_good, good, bad, very_bad, low=None, high=None):
    total = very_good + good + bad + very_bad
    return {
        "area_code": code,
        "area_name": name,
        "stage": stage,
        "very_good": very_good,
        "good": good,
        "bad": bad,
        "very_bad": very_bad,
        "total": total,
        "negative_pct": round(100 * (bad + very_bad) / total, 2) if total else None,
        "ci_low": low,
        "ci_high": high,
    }


def finding(code, name, category, severity, count):
    return {
        "area_code": code,
        "area_name": name,
        "category": category,
        "severity": severity,
        "count": count,
    }


def coverage(code, name, total, visited, visits):
    return {
        "area_code": code,
        "area_name": name,
        "stations_total": total,
        "stations_visited": visited,
        "visits": visits,
    }


def as_json(figure):
    return charts.figure_json(figure)


# --- turnout ---------------------------------------------------------------------------------


def test_turnout_day_draws_observed_national_region_and_official_in_local_time():
    national = [
        turnout("ALL", "National", 10, 230, 1000, 3),
        turnout("ALL", "National", 9, 90, 900),
    ]
    region = [turnout("R01", "North", 10, 40, 100)]
    official = [{"area_code": "ALL", "at": "2022-11-20T10:00:00+06:00", "turnout_pct": 23.4}]
    region_official = [{"area_code": "R01", "at": at(14), "turnout_pct": 50.0}]

    figure = as_json(
        charts.turnout_day_figure(
            national_rows=national,
            region_rows=region,
            region_name="North",
            official_rows=official,
            region_official_rows=region_official,
            timezone=ALMATY,
        )
    )

    observed = trace(figure, "Observed, national")
    assert observed["x"] == ["2022-11-20 09:00", "2022-11-20 10:00"]
    assert observed["y"] == [10.0, 23.0]
    assert observed["customdata"][1] == [3, 230, 1000]
    assert trace(figure, "Observed, North")["y"] == [40.0]
    assert trace(figure, "Official, national")["x"] == ["2022-11-20 10:00"]
    assert trace(figure, "Official, national")["y"] == [23.4]
    assert trace(figure, "Official, North")["x"] == ["2022-11-20 14:00"]


def test_turnout_day_accepts_iso_strings_and_utc_datetimes_alike():
    local = [turnout("ALL", "National", 10, 230, 1000)]
    as_string = [{**local[0], "bucket_end": "2022-11-20T10:00:00+06:00"}]
    as_utc = [{**local[0], "bucket_end": at(10).astimezone(dt.UTC)}]

    figures = [
        as_json(charts.turnout_day_figure(national_rows=rows, timezone=ALMATY))
        for rows in (local, as_string, as_utc)
    ]

    assert figures[0] == figures[1] == figures[2]


def test_turnout_by_area_shows_the_chosen_hour_and_defaults_to_the_latest():
    rows = [
        turnout("R01", "North", 10, 20, 100),
        turnout("R02", "South", 10, 30, 100),
        turnout("R01", "North", 12, 45, 100),
    ]

    latest = as_json(charts.turnout_by_area_figure(rows=rows, timezone=ALMATY))
    ten = as_json(
        charts.turnout_by_area_figure(
            rows=rows, bucket_end="2022-11-20T10:00:00+06:00", timezone=ALMATY
        )
    )

    assert latest["data"][0]["y"] == ["North"]
    assert latest["data"][0]["x"] == [45.0]
    assert ten["data"][0]["y"] == ["North", "South"]
    assert ten["data"][0]["x"] == [20.0, 30.0]
    assert ten["layout"]["meta"]["bucket_end"] == "2022-11-20T10:00:00+06:00"


def test_turnout_csv_lists_every_point_with_the_official_series():
    rows = [turnout("ALL", "National", 10, 230, 1000, 3)]

    csv_rows = charts.turnout_day_csv(
        national_rows=rows,
        official_rows=[{"area_code": "ALL", "area_name": "ALL", "at": at(10), "turnout_pct": 23.4}],
        timezone=ALMATY,
    )

    assert csv_rows[0][:4] == ["series", "area_code", "area_name", "bucket_end"]
    assert csv_rows[1] == [
        "observed",
        "ALL",
        "National",
        "2022-11-20T10:00:00+06:00",
        3,
        230,
        1000,
        23.0,
    ]
    assert csv_rows[2][0] == "official" and csv_rows[2][-1] == 23.4


# --- coverage --------------------------------------------------------------------------------


def test_coverage_by_area_stacks_visited_and_not_visited():
    rows = [coverage("R02", "South", 40, 10, 12), coverage("R01", "North", 20, 15, 30)]

    figure = as_json(
        charts.coverage_by_area_figure(rows=rows, links={"R01": "/missions/1/areas/5/"})
    )

    visited, missing = trace(figure, "Visited"), trace(figure, "Not visited")
    assert visited["y"] == ["North", "South"]
    assert visited["x"] == [15, 10]
    assert missing["x"] == [5, 30]
    assert visited["customdata"][0] == [15, 20, 75.0, 30, "/missions/1/areas/5/"]
    assert visited["customdata"][1][-1] == ""


def test_areas_that_share_a_name_stay_apart():
    rows = [coverage("D1", "Centre", 10, 1, 1), coverage("D2", "Centre", 10, 2, 2)]

    figure = as_json(charts.coverage_by_area_figure(rows=rows))

    assert trace(figure, "Visited")["y"] == ["Centre (D1)", "Centre (D2)"]


# --- assessments -----------------------------------------------------------------------------


def test_assessments_are_shares_per_stage_with_the_negative_share_and_its_interval():
    rows = [
        assessment("ALL", "National", "COUNTING", 10, 42, 30, 18, 38.5, 58.0),
        assessment("ALL", "National", "OPENING", 40, 50, 8, 2, 5.5, 17.4),
    ]

    figure = as_json(charts.assessments_figure(rows=rows))

    assert trace(figure, "Very bad")["y"] == ["Opening", "Counting"]
    assert trace(figure, "Very bad")["x"] == [2.0, 18.0]
    assert trace(figure, "Bad")["x"] == [8.0, 30.0]
    assert trace(figure, "Good")["x"] == [50.0, 42.0]
    assert trace(figure, "Very good")["x"] == [40.0, 10.0]
    negative = trace(figure, "Negative")
    assert negative["x"] == [10.0, 48.0]
    # The interval is Wilson's from the counts, rounded once (the rows' own 58.0 is ignored):
    # 10 of 100 -> 5.5-17.4%, 48 of 100 -> 38.5-57.7%.
    assert negative["error_x"]["array"] == [7.4, 9.7]
    assert negative["error_x"]["arrayminus"] == [4.5, 9.5]
    assert figure["layout"]["barmode"] == "stack"


def test_assessments_by_area_and_without_visits():
    rows = [
        assessment("R01", "North", "VOTING", 1, 1, 1, 1, 15.0, 85.0),
        assessment("R02", "South", "VOTING", 0, 0, 0, 0),
    ]

    figure = as_json(charts.assessments_figure(rows=rows, by="area"))

    assert trace(figure, "Bad")["y"] == ["North"]
    assert trace(figure, "Negative")["x"] == [50.0]
    assert len(charts.assessments_csv(rows=rows, by="area")) == 3


# --- findings --------------------------------------------------------------------------------


def test_findings_by_category_sum_the_areas_and_stack_by_severity():
    rows = [
        finding("R01", "North", "SECRECY", "SERIOUS", 2),
        finding("R02", "South", "SECRECY", "SERIOUS", 3),
        finding("R02", "South", "SECRECY", "CRITICAL", 1),
        finding("R01", "North", "CAMPAIGNING", "MINOR", 1),
    ]

    figure = as_json(charts.findings_by_category_figure(rows=rows))

    assert trace(figure, "Serious")["y"] == ["Secrecy of the vote", "Campaigning"]
    assert trace(figure, "Serious")["x"] == [5, 0]
    assert trace(figure, "Critical")["x"] == [1, 0]
    assert trace(figure, "Minor")["x"] == [0, 1]
    assert charts.findings_by_category_csv(rows=rows)[1:] == [
        ["SECRECY", "SERIOUS", 5],
        ["SECRECY", "CRITICAL", 1],
        ["CAMPAIGNING", "MINOR", 1],
    ]


def test_findings_heatmap_is_area_by_category():
    rows = [
        finding("R01", "North", "SECRECY", "SERIOUS", 2),
        finding("R01", "North", "SECRECY", "MINOR", 1),
        finding("R02", "South", "CAMPAIGNING", "MINOR", 4),
    ]

    figure = as_json(charts.findings_heatmap_figure(rows=rows))
    serious_only = as_json(charts.findings_heatmap_figure(rows=rows, severities=["SERIOUS"]))

    heat = figure["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["y"] == ["North", "South"]
    assert heat["x"] == ["Secrecy of the vote", "Campaigning"]
    assert heat["z"] == [[3, 0], [0, 4]]
    assert serious_only["data"][0]["z"] == [[2]]


# --- the map ---------------------------------------------------------------------------------


def region(code, name, outline=None, total=10, visited=5, turnout=None):
    return {
        "area_code": code,
        "area_name": name,
        "link": f"/missions/1/areas/{code}/",
        "outline": outline,
        "stations_total": total,
        "stations_visited": visited,
        "visits": visited,
        "turnout_pct": turnout,
    }


def test_the_map_fills_regions_by_coverage_or_turnout_over_the_country():
    north = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[70, 50], [72, 50], [72, 52], [70, 50]]],
            [[[73, 50], [74, 50], [73, 51], [73, 50]]],
        ],
    }
    regions = [region("R01", "North", north, 10, 8, 61.5), region("R02", "South", None, 10, 2)]
    stations = [
        {
            "region_code": "R02",
            "latitude": 43.0 + i / 100,
            "longitude": 70.0 + i / 100,
            "visited": i < 2,
        }
        for i in range(6)
    ] + [{"region_code": "R01", "latitude": "51.0", "longitude": "71.0", "visited": True}]
    country = [[(69.0, 42.0), (75.0, 42.0), (75.0, 53.0), (69.0, 42.0)]]

    coverage = as_json(
        charts.regions_map_figure(regions=regions, stations=stations, country=country)
    )
    turnout = charts.regions_map_spec(
        regions=regions, stations=stations, country=country, measure="turnout"
    )

    by_uid = {f"region-{t['meta']['area']}": t for t in coverage["data"] if t.get("meta")}
    north_fill = by_uid["region-R01"]
    assert north_fill["fill"] == "toself" and north_fill["x"][:4] == [70, 72, 72, 70]
    assert north_fill["customdata"] == ["/missions/1/areas/R01/"]  # a click opens the region
    assert "8 of 10 stations visited (80.0%)" in north_fill["text"]
    # No outline for South: its shape is drawn around its stations, and the map says so.
    assert by_uid["region-R02"]["x"]
    assert coverage["layout"]["meta"]["approximate"] is True
    assert "approximate" in coverage["layout"]["annotations"][0]["text"]
    assert trace(coverage, "Country outline")["x"][:3] == [69.0, 75.0, 75.0]
    # Coverage 80% is darker than 20%; turnout has no figure for South: the no-data grey.
    assert north_fill["fillcolor"] != by_uid["region-R02"]["fillcolor"]
    turnout_uid = {f"region-{t['meta']['area']}": t for t in turnout["data"] if t.get("meta")}
    assert turnout_uid["region-R02"]["fillcolor"] == "#e6e9ef"
    # Stations as hexagons, not points: 7 stations in a few cells.
    meta = coverage["layout"]["meta"]
    assert meta["stations"] == 7 and meta["visited"] == 3 and 1 <= meta["hexagons"] < 7
    assert {t["type"] for t in coverage["data"]} == {"scatter"}
    assert "geo" not in coverage["layout"] and "mapbox" not in coverage["layout"]
    assert not [s for s in all_strings(coverage) if "http" in s]
    assert charts.regions_map_csv(regions=regions)[1] == ["R01", "North", 10, 8, 8, 61.5]


def test_convex_hull_and_hexagons():
    from reports.charts.maps import convex_hull, hexbins

    square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)]
    cells = hexbins(
        [{"latitude": 50, "longitude": 70, "visited": True}] * 3
        + [{"latitude": 55, "longitude": 80, "visited": False}]
    )

    assert convex_hull(square) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    assert sorted((c["stations"], c["visited"]) for c in cells) == [(1, 0), (3, 3)]
    assert all(len(c["polygon"]) == 7 for c in cells)


# --- escaping, CSV and the registry ----------------------------------------------------------

EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def evil_arguments():
    return {
        "turnout_day": {
            "national_rows": [turnout("ALL", EVIL, 10, 1, 10)],
            "region_rows": [turnout("R01", EVIL, 10, 1, 10)],
            "region_name": EVIL,
        },
        "turnout_by_area": {"rows": [turnout("R01", EVIL, 10, 1, 10)]},
        "coverage_by_area": {"rows": [coverage("R01", EVIL, 2, 1, 1)]},
        "assessments": {"rows": [assessment("R01", EVIL, "VOTING", 1, 0, 1, 0)], "by": "area"},
        "findings_by_category": {"rows": [finding("R01", EVIL, "OTHER", "MINOR", 1)]},
        "findings_heatmap": {"rows": [finding("R01", EVIL, "OTHER", "MINOR", 1)]},
        "regions_map": {
            "regions": [region("R01", EVIL), region("R02", EVIL, total=0)],
            "stations": [{"region_code": "R02", "latitude": 1, "longitude": 1, "visited": True}],
        },
    }


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_free_text_reaches_plotly_only_escaped(name):
    arguments = evil_arguments()[name]

    figure = as_json(charts.CHARTS[name].figure(**arguments, title=EVIL))

    strings = list(all_strings(figure))
    assert not [s for s in strings if "<script" in s or "<img" in s]
    assert [
        s for s in strings if "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in s
    ]


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_every_chart_has_csv_of_its_data_from_the_same_arguments(name):
    arguments = evil_arguments()[name]

    csv_rows = charts.CHARTS[name].csv(**arguments)

    assert len(csv_rows) >= 2
    assert all(len(row) == len(csv_rows[0]) for row in csv_rows)
    assert any(EVIL in row for row in csv_rows) or name == "findings_by_category"


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_figure_arguments_survive_a_json_round_trip(name):
    arguments = evil_arguments()[name]
    frozen = json.loads(json.dumps(arguments, default=str))

    assert as_json(charts.CHARTS[name].figure(**frozen)) == as_json(
        charts.CHARTS[name].figure(**arguments)
    )


def test_csv_defuses_spreadsheet_formulas_but_keeps_numbers():
    rows = [coverage("R01", "=HYPERLINK(1)", 5, -1, 0)]

    csv_rows = charts.coverage_by_area_csv(rows=rows)

    assert csv_rows[1] == ["R01", "'=HYPERLINK(1)", 5, -1, 0]


def test_empty_rows_give_empty_figures_not_errors():
    for name, chart in charts.CHARTS.items():
        arguments = {"regions": []} if name == "regions_map" else {"rows": []}
        if name == "turnout_day":
            arguments = {"national_rows": []}

        figure = as_json(chart.figure(**arguments))

        assert "data" in figure
        assert chart.csv(**arguments)[0]


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_the_fast_spec_is_exactly_the_validated_figure(name):
    """The dashboard embeds the spec; export renders the Figure: they must be one chart."""
    chart = charts.CHARTS[name]
    arguments = {**evil_arguments()[name], "title": "A title"}

    spec = json.loads(json.dumps(chart.spec(**arguments)))
    figure = charts.figure_json(chart.figure(**arguments))

    assert spec == figure
