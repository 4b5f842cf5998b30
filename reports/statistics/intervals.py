"""Statistics the mission's statement stands on.

Analysts call these from a shell or notebook; the aggregates, dashboards and briefings call
the same functions, and nothing else in the code computes an interval.

References: E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
inference", JASA 22; W. G. Cochran, *Sampling Techniques*, 3rd ed. (1977), sections 6.3-6.4
(ratio estimate, its Taylor-linearised variance) and 6.10-6.11 (combined ratio estimate in
stratified sampling); NDI, *The Quick Count and Election Observation* (2002).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%, 2.575829 for 99%."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be strictly between 0 and 1, e.g. 0.95")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials, as proportions in [0, 1].

    With n = 0 nothing is known and the interval is the whole of [0, 1].
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    z = z_value(confidence)
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # At k = 0 and k = n the bounds are exactly 0 and 1; clamp rounding noise.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def ratio_estimate(
    y: Sequence[float],
    x: Sequence[float],
    strata: Sequence | None = None,
    stratum_sizes: dict | None = None,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """The ratio sum(y) / sum(x) over sampled stations, and its margin of error.

    Unstratified: R = sum(y) / sum(x) with the Taylor-linearised variance
    v(R) = (1 - f) / (n * xbar^2) * sum((y_i - R x_i)^2) / (n - 1); f = 0 (no population
    size is known, so no finite population correction).

    Stratified (``strata`` gives each station's stratum label, ``stratum_sizes`` the number
    of stations in each stratum's population): the combined ratio estimate
    R = sum_h N_h ybar_h / sum_h N_h xbar_h with
    v(R) = 1 / X^2 * sum_h N_h^2 (1 - f_h) / n_h * s_dh^2, where X = sum_h N_h xbar_h,
    f_h = n_h / N_h, d_hi = y_hi - R x_hi and s_dh^2 the sample variance of d in stratum h.
    A stratum with a single sampled station contributes no variance (its s_dh^2 cannot be
    estimated); a fully sampled stratum contributes none either (f_h = 1).

    Returns ``(estimate, margin)``: margin is z times the standard error, at ``confidence``.
    """
    if len(y) != len(x):
        raise ValueError("y and x must have one value per sampled station")
    if len(y) == 0:
        raise ValueError("no sampled stations")
    z = z_value(confidence)
    if strata is None:
        if stratum_sizes is not None:
            raise ValueError("stratum_sizes needs strata")
        strata = [None] * len(y)
        sizes = None
    else:
        if stratum_sizes is None:
            raise ValueError("strata needs stratum_sizes (stations in each stratum's population)")
        if len(strata) != len(y):
            raise ValueError("strata must give one label per sampled station")
        sizes = stratum_sizes

    groups: dict = {}
    for label, yi, xi in zip(strata, y, x, strict=True):
        groups.setdefault(label, ([], []))
        groups[label][0].append(float(yi))
        groups[label][1].append(float(xi))

    if sizes is None:
        ((ys, xs),) = groups.values()
        total_x = sum(xs)
        if total_x == 0:
            raise ValueError("sum of x is zero: the ratio is undefined")
        ratio = sum(ys) / total_x
        n = len(ys)
        if n < 2:
            return ratio, 0.0
        x_mean = total_x / n
        s2 = sum((yi - ratio * xi) ** 2 for yi, xi in zip(ys, xs)) / (n - 1)
        variance = s2 / (n * x_mean**2)
        return ratio, z * math.sqrt(variance)

    missing = set(groups) - set(sizes)
    if missing:
        raise ValueError(f"stratum_sizes has no size for strata {sorted(map(str, missing))}")
    y_total = x_total = 0.0
    for label, (ys, xs) in groups.items():
        big_n, n = sizes[label], len(ys)
        if n > big_n:
            raise ValueError(f"stratum {label!r}: {n} sampled but only {big_n} in the population")
        y_total += big_n * sum(ys) / n
        x_total += big_n * sum(xs) / n
    if x_total == 0:
        raise ValueError("sum of x is zero: the ratio is undefined")
    ratio = y_total / x_total
    variance = 0.0
    for label, (ys, xs) in groups.items():
        big_n, n = sizes[label], len(ys)
        if n < 2 or n == big_n:
            continue
        d = [yi - ratio * xi for yi, xi in zip(ys, xs)]
        d_mean = sum(d) / n
        s2 = sum((di - d_mean) ** 2 for di in d) / (n - 1)
        variance += big_n**2 * (1 - n / big_n) / n * s2
    variance /= x_total**2
    return ratio, z * math.sqrt(variance)


@dataclass(frozen=True)
class Share:
    """k of n, as a percentage with its Wilson interval (percent); ``pct`` is None when n = 0."""

    k: int
    n: int
    pct: float | None
    low: float
    high: float
    confidence: float

    def as_dict(self, digits: int = 2) -> dict:
        return {
            "k": self.k,
            "n": self.n,
            "pct": None if self.pct is None else round(self.pct, digits),
            "ci_low": round(self.low, digits),
            "ci_high": round(self.high, digits),
        }


def share_interval(k: int, n: int, confidence: float = 0.95) -> Share:
    """The share k / n in percent with its Wilson interval in percent (``wilson_interval``)."""
    low, high = wilson_interval(k, n, confidence)
    return Share(
        k=k,
        n=n,
        pct=100 * k / n if n else None,
        low=100 * low,
        high=100 * high,
        confidence=confidence,
    )
