"""Rank statistics for skewed durations: Mann-Whitney U and the Hodges-Lehmann shift.

Durations on a page are long-tailed, so the mean is a poor summary and a t test a poor test.
The Hodges-Lehmann shift (median of all pairwise differences gray - control) and its Lehmann
interval (order statistics of those differences, chosen by the rank-sum null distribution) go
with the Mann-Whitney test. Materialising all n_a * n_b differences is O(n^2) in time and
memory (25 million floats at 5,000 a side, 10^11 in a full launch), so the k-th difference is
found by bisection on the shift with an O(n log n) rank count, and only the last narrow window
of candidate pairs is enumerated: exact, in O(n log n log range) time and O(n) memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import mannwhitneyu

from harness.gray.proportions import z_two_sided

__all__ = ["ShiftEstimate", "hodges_lehmann", "kth_pairwise_difference", "mann_whitney",
           "shift_noninferiority_p"]

FloatArray = NDArray[np.float64]

_WINDOW_PAIRS = 1_000_000
_MAX_BISECTIONS = 200


@dataclass(frozen=True)
class ShiftEstimate:
    """Hodges-Lehmann shift of `y` over `x` with its Lehmann (1 - alpha) interval."""

    shift: float
    low: float
    high: float


def mann_whitney(x: FloatArray, y: FloatArray, alternative: str = "two-sided") -> tuple[float,
                                                                                      float]:
    """U statistic of `x` and the p-value (exact for small samples without ties, else the
    tie-corrected normal approximation with continuity correction, as scipy chooses)."""
    if len(x) == 0 or len(y) == 0:
        return (math.nan, math.nan)
    res = mannwhitneyu(x, y, alternative=alternative, method="auto")
    return (float(res.statistic), float(res.pvalue))


def _count_at_most(x_sorted: FloatArray, y: FloatArray, shift: float) -> int:
    """Number of pairs with y_j - x_i <= shift, i.e. x_i >= y_j - shift."""
    return int(len(x_sorted) * len(y) - np.searchsorted(x_sorted, y - shift, side="left").sum())


def _sampled_bracket(x_sorted: FloatArray, y: FloatArray, k: int) -> tuple[float, float]:
    """A guess of an interval holding the k-th difference, from a random sample of pairs; the
    caller checks it with exact counts and falls back to the full range when it misses."""
    total = len(x_sorted) * len(y)
    rng = np.random.default_rng(k)
    m = 20_000
    sample = np.sort(y[rng.integers(0, len(y), m)] - x_sorted[rng.integers(0, len(x_sorted), m)])
    q = k / total
    slack = 4.0 * math.sqrt(q * (1.0 - q) / m) + 1.0 / m
    lo = float(sample[max(0, math.floor((q - slack) * m) - 1)])
    hi = float(sample[min(m - 1, math.ceil((q + slack) * m))])
    return lo, hi


def kth_pairwise_difference(x_sorted: FloatArray, y: FloatArray, k: int) -> float:
    """The k-th smallest (1-based) of the differences y_j - x_i, without building them all.
    Both arrays should be sorted ascending (sorted queries make the rank counts cache-friendly).
    """
    total = len(x_sorted) * len(y)
    if not 1 <= k <= total:
        raise ValueError(f"k must lie in 1..{total}, got {k}")
    spread = float(y.max() - x_sorted[0]) - float(y.min() - x_sorted[-1]) + 1.0
    lo = float(y.min() - x_sorted[-1]) - spread  # margins absorb rounding of y_j - shift
    hi = float(y.max() - x_sorted[0]) + spread
    count_lo, count_hi = 0, total
    window = max(_WINDOW_PAIRS, 4 * (len(x_sorted) + len(y)))
    if total > window:
        guess_lo, guess_hi = _sampled_bracket(x_sorted, y, k)
        count_guess_lo = _count_at_most(x_sorted, y, guess_lo)
        if count_guess_lo < k:
            lo, count_lo = guess_lo, count_guess_lo
        count_guess_hi = _count_at_most(x_sorted, y, guess_hi)
        if count_guess_hi >= k:
            hi, count_hi = guess_hi, count_guess_hi
    for _ in range(_MAX_BISECTIONS):
        if count_hi - count_lo <= window:
            break
        mid = lo + (hi - lo) / 2.0
        if mid <= lo or mid >= hi:  # no float between: every candidate equals hi
            return hi
        count_mid = _count_at_most(x_sorted, y, mid)
        if count_mid >= k:
            hi, count_hi = mid, count_mid
        else:
            lo, count_lo = mid, count_mid
    # enumerate the pairs counted at hi but not at lo, with the same membership rule
    start = np.searchsorted(x_sorted, y - hi, side="left")
    stop = np.searchsorted(x_sorted, y - lo, side="left")
    lengths = stop - start
    rows = np.repeat(np.arange(len(y)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    diffs = y[rows] - x_sorted[start[rows] + offsets]
    rank = k - count_lo - 1
    return float(np.partition(diffs, rank)[rank])


def _rank_sum_sd(x: FloatArray, y: FloatArray) -> float:
    """Standard deviation of U under H0, corrected for ties."""
    n_x, n_y = len(x), len(y)
    n = n_x + n_y
    _, ties = np.unique(np.concatenate([x, y]), return_counts=True)
    tie_term = float((ties.astype(np.float64) ** 3 - ties).sum()) / (n * (n - 1)) if n > 1 else 0.0
    return math.sqrt(n_x * n_y / 12.0 * ((n + 1) - tie_term))


def hodges_lehmann(x: FloatArray, y: FloatArray, alpha: float = 0.05) -> ShiftEstimate:
    """Shift of y over x (positive: y larger) and the Lehmann interval from the normal
    approximation to the rank-sum distribution (tie-corrected): the interval is the pair
    (D_(k), D_(N+1-k)) of sorted pairwise differences with k = floor(N/2 - z sd(U))."""
    if len(x) == 0 or len(y) == 0:
        return ShiftEstimate(math.nan, math.nan, math.nan)
    x_sorted = np.sort(np.asarray(x, dtype=np.float64))
    y_arr = np.sort(np.asarray(y, dtype=np.float64))
    total = len(x_sorted) * len(y_arr)
    if total % 2:
        shift = kth_pairwise_difference(x_sorted, y_arr, total // 2 + 1)
    else:
        shift = (kth_pairwise_difference(x_sorted, y_arr, total // 2)
                 + kth_pairwise_difference(x_sorted, y_arr, total // 2 + 1)) / 2.0
    k = math.floor(total / 2.0 - z_two_sided(alpha) * _rank_sum_sd(x_sorted, y_arr))
    if k < 1:  # too few observations for any finite interval at this alpha
        return ShiftEstimate(shift, -math.inf, math.inf)
    low = kth_pairwise_difference(x_sorted, y_arr, k)
    high = kth_pairwise_difference(x_sorted, y_arr, total + 1 - k)
    return ShiftEstimate(shift, low, high)


def shift_noninferiority_p(x: FloatArray, y: FloatArray, margin: float) -> float:
    """One-sided Mann-Whitney p that y exceeds x by less than `margin` (lower is better):
    H0 shift >= margin is tested by comparing y - margin with x, alternative 'less'."""
    if len(x) == 0 or len(y) == 0:
        return math.nan
    shifted = np.asarray(y, dtype=np.float64) - margin
    return mann_whitney(shifted, np.asarray(x, dtype=np.float64), alternative="less")[1]
