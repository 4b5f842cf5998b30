"""Hand-worked and textbook values for the statistics the briefing stands on."""

import pytest

from reports.statistics import ratio_estimate, share_interval, wilson_interval
from reports.statistics.intervals import z_value


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombes_table(k, n, low, high):
    result = wilson_interval(k, n)

    assert result == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_hand_worked_zero_of_ten():
    # z = 1.959964, z^2/n = 0.3841459; centre = 0.0384146 / 1.3841459 = 0.1387664;
    # half = 1.959964 / 1.3841459 * sqrt(0.3841459 / 40) = 0.1387664.
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775328), abs=1e-6)


def test_wilson_interval_all_successes_reaches_one():
    low, high = wilson_interval(10, 10)

    assert high == 1.0
    assert low == pytest.approx(1 - 0.2775328, abs=1e-6)


def test_wilson_interval_with_no_observations_is_everything():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_is_wider_at_99_percent():
    low95, high95 = wilson_interval(48, 100)
    low99, high99 = wilson_interval(48, 100, confidence=0.99)

    assert low99 < low95 < 0.48 < high95 < high99


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_wilson_interval_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_z_values():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)


def test_ratio_estimate_unstratified_hand_worked():
    # R = 12 / 55 = 0.2181818; d = y - R x = (-0.181818, -0.363636, 0.545455);
    # s_d^2 = 0.462810 / 2 = 0.231405; xbar = 18.3333;
    # v = 0.231405 / (3 * 336.1111) = 0.00022949; margin = 1.959964 * 0.0151490 = 0.0296915.
    estimate, margin = ratio_estimate([2, 4, 6], [10, 20, 25])

    assert estimate == pytest.approx(0.2181818, abs=1e-7)
    assert margin == pytest.approx(0.0296915, abs=1e-6)


def test_ratio_estimate_stratified_hand_worked():
    # Stratum a: N=10, n=3; stratum b: N=4, n=2.
    # Y = 10*4 + 4*4 = 56; X = 10*18.3333 + 4*20 = 263.3333; R = 0.2126582.
    # a: s_d^2 = 0.258288, term = 100 * 0.7 / 3 * 0.258288 = 6.026720
    # b: s_d^2 = 2.538388, term = 16 * 0.5 / 2 * 2.538388 = 10.153552
    # v = 16.180272 / 263.3333^2 = 0.00023333; margin = 1.959964 * 0.0152753 = 0.0299389.
    estimate, margin = ratio_estimate(
        [2, 4, 6, 3, 5],
        [10, 20, 25, 10, 30],
        strata=["a", "a", "a", "b", "b"],
        stratum_sizes={"a": 10, "b": 4},
    )

    assert estimate == pytest.approx(0.2126582, abs=1e-7)
    assert margin == pytest.approx(0.0299389, abs=1e-6)


def test_ratio_estimate_99_percent_margin_scales_with_z():
    _, m95 = ratio_estimate([2, 4, 6], [10, 20, 25])
    _, m99 = ratio_estimate([2, 4, 6], [10, 20, 25], confidence=0.99)

    assert m99 / m95 == pytest.approx(2.5758293 / 1.9599640, rel=1e-7)


def test_fully_sampled_strata_have_no_sampling_error():
    estimate, margin = ratio_estimate(
        [2, 4, 6], [10, 20, 25], strata=["a", "a", "a"], stratum_sizes={"a": 3}
    )

    assert estimate == pytest.approx(12 / 55)
    assert margin == 0.0


def test_a_stratum_with_one_station_contributes_no_variance():
    with_single = ratio_estimate(
        [2, 4, 6, 9], [10, 20, 25, 30], strata=["a", "a", "a", "b"], stratum_sizes={"a": 10, "b": 5}
    )
    # Only stratum a contributes variance; the estimate still weights b by N_b = 5.
    y_total = 10 * 4 + 5 * 9
    x_total = 10 * 55 / 3 + 5 * 30
    assert with_single[0] == pytest.approx(y_total / x_total)
    assert with_single[1] > 0


def test_ratio_estimate_rejects_bad_input():
    with pytest.raises(ValueError):
        ratio_estimate([], [])
    with pytest.raises(ValueError):
        ratio_estimate([1], [0])
    with pytest.raises(ValueError):
        ratio_estimate([1, 2], [3])
    with pytest.raises(ValueError):
        ratio_estimate([1, 2], [3, 4], strata=["a", "b"], stratum_sizes={"a": 5})
    with pytest.raises(ValueError):
        ratio_estimate([1, 2, 3], [3, 4, 5], strata=["a", "a", "a"], stratum_sizes={"a": 2})


def test_share_interval_hand_worked_in_percent():
    # 48 of 100: p = 0.48; z^2/n = 0.0384146; centre = 0.4992073 / 1.0384146 = 0.4807423;
    # half = 1.959964 / 1.0384146 * sqrt(0.002496 + 0.0000960) = 1.887459 * 0.0509121
    # = 0.0960945; so 38.4646% to 57.6834%.
    share = share_interval(48, 100)

    assert share.pct == 48.0
    assert share.low == pytest.approx(38.4646, abs=1e-3)
    assert share.high == pytest.approx(57.6834, abs=1e-3)
    assert share.as_dict() == {"k": 48, "n": 100, "pct": 48.0, "ci_low": 38.46, "ci_high": 57.68}


def test_share_interval_of_nothing_has_no_share_and_the_whole_interval():
    share = share_interval(0, 0)

    assert share.pct is None
    assert (share.low, share.high) == (0.0, 100.0)


def test_share_interval_at_the_edges():
    none = share_interval(0, 10)
    every = share_interval(10, 10)

    assert (none.pct, none.low) == (0.0, 0.0)
    assert none.high == pytest.approx(27.75328, abs=1e-4)
    assert (every.pct, every.high) == (100.0, 100.0)
    assert every.low == pytest.approx(72.24672, abs=1e-4)
