"""The statistics every mode shares: percentiles of one run, medians, and intervals for a median.

Ratios are taken inside one repetition and only then reduced to a median across repetitions: the
machine's speed drifts between repetitions, and a ratio of medians would mix different moments.
:func:`interval` gives that median with a distribution-free 90 % interval; :func:`paired` does it for
a client against a baseline, repetition by repetition.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["interval", "latency_summary", "median", "median_interval", "paired", "percentile", "ratio"]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); ``q`` in [0, 100]."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    frac = pos - low
    return sorted_values[low] * (1 - frac) + sorted_values[high] * frac


def latency_summary(latencies_ns: Iterable[int]) -> dict[str, float]:
    """p50/p99/p99.9/mean/max in milliseconds."""
    ms = sorted(v / 1e6 for v in latencies_ns)
    if not ms:
        return {"p50_ms": math.nan, "p99_ms": math.nan, "p999_ms": math.nan, "mean_ms": math.nan}
    return {
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "p999_ms": percentile(ms, 99.9),
        "mean_ms": statistics.fmean(ms),
        "max_ms": ms[-1],
    }


def median(values: Iterable[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return statistics.median(finite) if finite else math.nan


def ratio(numerator: float, denominator: float) -> float:
    if denominator == 0 or math.isnan(denominator) or math.isnan(numerator):
        return math.nan
    return numerator / denominator


def median_interval(values: Iterable[float], level: float = 0.90) -> tuple[float, float, float]:
    """A distribution-free confidence interval for the median: ``(low, high, coverage)``.

    The order-statistic (sign-test) interval: with the n values sorted, ``[x(k), x(n+1-k)]`` holds the
    true median with probability ``1 - 2 P(B <= k-1)``, B ~ Binomial(n, 1/2), whatever the values'
    distribution, as long as they are independent. ``k`` is the largest whose coverage is at least
    ``level``, so the coverage returned is at least ``level`` (a little more: it moves in steps).
    Fewer than 5 values cannot reach 90 %: the interval is then the whole range, with its coverage.
    """
    xs = sorted(v for v in values if not math.isnan(v))
    n = len(xs)
    if n == 0:
        return math.nan, math.nan, 0.0
    cdf = 0.0  # P(B <= k - 1)
    best = 1
    best_coverage = 1 - 2 * 0.5**n
    for k in range(1, n // 2 + 1):
        cdf += math.comb(n, k - 1) * 0.5**n
        coverage = 1 - 2 * cdf
        if coverage < level:
            break
        best, best_coverage = k, coverage
    return xs[best - 1], xs[n - best], best_coverage


def interval(values: Sequence[float]) -> dict[str, float]:
    """The median of ``values`` and its 90 % interval, as the results files store them."""
    low, high, coverage = median_interval(values)
    return {"median": median(values), "low": low, "high": high, "coverage": coverage}


def paired(
    mine: Sequence[dict[str, Any] | None], base: Sequence[dict[str, Any] | None]
) -> dict[str, Any]:
    """Per-repetition comparison of two clients' measurements (``cpu_us_per_req`` and ``rps``).

    ``mine[i]`` and ``base[i]`` come from repetition ``i``; a repetition missing either is left out.
    """
    pairs = [(m, b) for m, b in zip(mine, base, strict=True) if m is not None and b is not None]
    return {
        "reps": len(pairs),
        "cpu_ratio": interval([ratio(m["cpu_us_per_req"], b["cpu_us_per_req"]) for m, b in pairs]),
        "rps_ratio": interval([ratio(m["rps"], b["rps"]) for m, b in pairs]),
        "cpu_diff_us": interval([m["cpu_us_per_req"] - b["cpu_us_per_req"] for m, b in pairs]),
    }
