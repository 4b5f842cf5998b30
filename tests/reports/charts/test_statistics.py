"""The statistics figures are pure and escape free text."""

import datetime as dt
import json
import zoneinfo

from reports import charts

TZ = zoneinfo.ZoneInfo("Asia/Almaty")


def at(hour):
    return dt.datetime(2022, 11, 20, hour, tzinfo=TZ)


def estimate_row(hour, pct, margin95, margin99):
    return {
        "bucket_end": at(hour),
        "estimate_pct": pct,
        "low95": pct - margin95,
        "high95": pct + margin95,
        "low99": pct - margin99,
        "high99": pct + margin99,
        "stations_reporting": 40,
    }


def test_turnout_estimate_marks_official_figures_outside_the_interval():
    figure = charts.turnout_estimate_figure(
        rows=[estimate_row(10, 22.0, 1.0, 1.3), estimate_row(14, 49.0, 1.2, 1.6)],
        official_rows=[
            {"at": at(10), "turnout_pct": 23.4, "outside95": True},
            {"at": at(14), "turnout_pct": 49.5, "outside95": False},
        ],
        area_name="<b>North</b>",
        timezone="Asia/Almaty",
    )

    names = [trace.name for trace in figure.data]
    assert names == [
        "99% interval",
        "95% interval",
        "Estimate, &lt;b&gt;North&lt;/b&gt;",
        "Official",
        "Official, outside the 95% interval",
    ]
    outside = figure.data[-1]
    assert list(outside.y) == [23.4] and outside.x == ("2022-11-20 10:00",)
    # The 95% band runs along the highs, then back along the lows.
    assert list(figure.data[1].y) == [23.0, 50.2, 47.8, 21.0]


def test_turnout_estimate_csv_rows():
    rows = charts.turnout_estimate_csv(
        rows=[estimate_row(10, 22.0, 1.0, 1.3)],
        official_rows=[{"at": at(10), "turnout_pct": 23.4}],
        timezone="Asia/Almaty",
    )

    assert rows[1] == [
        "estimate",
        "2022-11-20T10:00:00+06:00",
        40,
        22.0,
        21.0,
        23.0,
        20.7,
        23.3,
        "",
    ]
    assert rows[2][0] == "official" and rows[2][-1] == 23.4


def test_quick_count_figures_escape_candidate_names():
    estimates = [
        {
            "code": "A",
            "name": "<script>x</script>",
            "estimate_pct": 52.0,
            "margin95": 2.0,
            "margin99": 2.6,
        },
        {"code": "B", "name": "Bolat", "estimate_pct": 48.0, "margin95": 2.0, "margin99": 2.6},
    ]
    convergence = [
        {
            "received_at": at(21),
            "stations": n,
            "code": "A",
            "name": "<script>x</script>",
            "estimate_pct": 50.0,
            "low95": 40.0,
            "high95": 60.0,
        }
        for n in (1, 2)
    ]

    bars = charts.quick_count_figure(estimates=estimates)
    lines = charts.quick_count_convergence_figure(rows=convergence, timezone="Asia/Almaty")

    assert list(bars.data[0].y) == ["&lt;script&gt;x&lt;/script&gt;", "Bolat"]
    assert list(bars.data[0].error_x.array) == [2.0, 2.0]
    assert "<script>" not in lines.to_json()
    assert [t.name for t in lines.data] == [
        "&lt;script&gt;x&lt;/script&gt;, 95% interval",
        "&lt;script&gt;x&lt;/script&gt;",
    ]


def test_forensic_figures():
    histogram = charts.turnout_distribution_figure(values=[20.0, 20.5, 61.0])
    fingerprint = charts.election_fingerprint_figure(
        points=[{"turnout_pct": 60.0, "winner_pct": 67.8}], winner_name="<i>A</i>"
    )

    assert list(histogram.data[0].x) == [20.0, 20.5, 61.0]
    assert histogram.data[0].xbins.size == 1
    assert (
        fingerprint.layout.yaxis.title.text == "&lt;i&gt;A&lt;/i&gt;&#39;s share of valid votes (%)"
    )
    assert list(fingerprint.data[0].x) == [60.0]


def test_each_spec_is_its_validated_figure():
    arguments = {
        "turnout_estimate": {
            "rows": [estimate_row(10, 22.0, 1.0, 1.3)],
            "official_rows": [{"at": at(10), "turnout_pct": 23.4, "outside95": True}],
            "timezone": "Asia/Almaty",
        },
        "quick_count": {
            "estimates": [
                {"code": "A", "name": "A", "estimate_pct": 52.0, "margin95": 2.0, "margin99": 2.6}
            ]
        },
        "quick_count_convergence": {
            "rows": [
                {
                    "received_at": at(21),
                    "stations": 1,
                    "code": "A",
                    "name": "A",
                    "estimate_pct": 50.0,
                    "low95": 40.0,
                    "high95": 60.0,
                }
            ],
            "timezone": "Asia/Almaty",
        },
        "turnout_distribution": {"values": [20.0, 61.0]},
        "election_fingerprint": {"points": [{"turnout_pct": 60.0, "winner_pct": 67.8}]},
    }
    for name, kwargs in arguments.items():
        spec = getattr(charts, f"{name}_spec")(**kwargs)
        figure = getattr(charts, f"{name}_figure")(**kwargs)

        assert json.loads(figure.to_json()) == json.loads(json.dumps(spec)), name
