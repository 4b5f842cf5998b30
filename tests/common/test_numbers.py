"""One rounding, one writing, for every published figure (issue 18)."""

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import translation

from common.numbers import figure_plain, figure_round, figure_text, share_exact
from reports.statistics import wilson_interval


def test_a_wilson_bound_is_rounded_once_from_its_exact_value():
    # 6.6497...% would read 6.7% if its two-decimal row value (6.65) were rounded again.
    low = 0.066497

    assert figure_text(100 * low, kind="share") == "6.6%"
    assert figure_plain(100 * low, kind="share") == 6.6


def test_the_interval_from_counts_reads_the_same_in_text_and_in_data():
    low, high = wilson_interval(9, 95)

    text = figure_text((100 * low, 100 * high), kind="interval")
    plain = figure_plain((100 * low, 100 * high), kind="interval")

    assert text == f"{plain[0]:.1f}\u2013{plain[1]:.1f}%"


def test_a_share_of_counts_is_exact_and_rounds_half_up():
    # 1 of 8 is exactly 12.5%; 1 of 16 is exactly 6.25% -> 6.3 (half up), never 6.2.
    assert figure_text(share_exact(1, 8), kind="share") == "12.5%"
    assert figure_text(share_exact(1, 16), kind="share") == "6.3%"
    assert share_exact(3, 0) is None
    assert figure_text(share_exact(3, 0), kind="share") == "\u2013"


def test_a_float_rounds_as_it_prints_not_as_its_binary_expansion():
    # 0.45 is 0.450000000000000011... in binary; 2.675 is 2.67499999...: half up from the
    # printed value gives 0.5 and 2.7 in both cases.
    assert figure_plain(0.45, kind="share") == 0.5
    assert figure_plain(2.675 * 10, kind="share") == 26.8


def test_counts_and_shares_follow_the_language():
    with translation.override("ru"):
        count = figure_text(12345, kind="count")
        share = figure_text(Fraction(1331, 20), kind="share")
    with translation.override("en"):
        english = figure_text(12345, kind="count")

    assert count == "12\xa0345"
    assert share == "66,6\xa0%"  # 66.55 half up; Russian puts a space before the sign
    assert english == "12,345"


def test_times_are_the_wall_clock_of_the_mission():
    moment = dt.datetime(2022, 11, 20, 15, 0, 30, tzinfo=dt.UTC)

    assert figure_text(moment, kind="time", timezone="Asia/Tashkent") == "20:00"
    assert figure_text("2022-11-20T21:00:00+06:00", kind="time", timezone="Asia/Tashkent") == (
        "20:00"
    )
    with translation.override("en"):
        assert figure_text(moment, kind="datetime", timezone="UTC") == "Nov. 20, 2022 15:00 (UTC)"
        assert figure_text(moment, kind="datetime", timezone="Asia/Almaty") == (
            "Nov. 20, 2022 21:00 (Asia/Almaty)"
        )


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        figure_round(1, kind="ratio")


@pytest.mark.parametrize(
    ("language", "share", "interval", "count"),
    [
        ("en", "94.1%", "91.3\u201396.4%", "10,101"),
        ("ru", "94,1\xa0%", "91,3\u201396,4\xa0%", "10\xa0101"),
        ("fr", "94,1\u202f%", "91,3\u201396,4\u202f%", "10\xa0101"),
        ("es", "94,1\xa0%", "91,3\u201396,4\xa0%", "10\xa0101"),
        ("kk", "94,1%", "91,3\u201396,4%", "10\xa0101"),
        # Arabic: the interval isolated left to right, or it reads "96.4%–91.3".
        ("ar", "94.1%", "\u206691.3\u201396.4%\u2069", "10,101"),
        ("zh-hans", "94.1%", "91.3\u201396.4%", "10,101"),
    ],
)
def test_every_language_writes_its_figures_its_own_way(language, share, interval, count):
    with translation.override(language):
        assert figure_text(share_exact(941, 1000), kind="share") == share
        assert figure_text((91.3, 96.4), kind="interval") == interval
        assert figure_text(10101, kind="count") == count


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Nov. 20, 2022 21:05 (Asia/Almaty)"),
        ("ru", "20 ноября 2022 г. 21:05 (Asia/Almaty)"),
        ("fr", "20 novembre 2022 21:05 (Asia/Almaty)"),
        ("ar", "20 نوفمبر، 2022 21:05 (Asia/Almaty)"),
        ("zh-hans", "2022年11月20日 21:05 (Asia/Almaty)"),
    ],
)
def test_dates_follow_the_language_and_the_clock_has_24_hours(language, expected):
    moment = dt.datetime(2022, 11, 20, 15, 5, tzinfo=dt.UTC)

    with translation.override(language):
        assert figure_text(moment, kind="datetime", timezone="Asia/Almaty") == expected
