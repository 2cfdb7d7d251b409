"""Rank statistics for skewed durations: Mann-Whitney U and the Hodges-Lehmann shift.

Durations on a page are long-tailed, so the mean is a poor summary and a t test a poor test.
The Hodges-Lehmann shift (median of all pairwise differences gray - control) and its Lehmann
interval (order statistics of those differences, chosen by the rank-sum null distribution:
exact up to 50 x 50 users without ties, else the tie-corrected normal approximation) go
with the Mann-Whitney test. Materialising all n_a * n_b differences is O(n^2) in time and
memory (25 million floats at 5,000 a side, 10^11 in a full launch), so the k-th difference is
found by narrowing a bracket of shifts with O(n log n) rank counts, the pivots drawn from a
random sample of the bracket's pairs (Floyd-Rivest selection; a handful of rounds), and only
the last window of at most ~10^6 candidate pairs is enumerated: exact, O(n) memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import mannwhitneyu

from harness.gray.proportions import z_two_sided

__all__ = ["ShiftEstimate", "hodges_lehmann", "kth_pairwise_difference", "mann_whitney",
           "shift_noninferiority_p"]

FloatArray = NDArray[np.float64]

_WINDOW_PAIRS = 1_000_000
_SAMPLE = 10_000
_EXACT_PAIRS = 2_500  # exact rank-sum null distribution up to 50 x 50 users
_MAX_ROUNDS = 60


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


@dataclass
class _Bracket:
    """Candidate pairs (lo, hi] for the k-th difference, held as per-row positions in x:
    row j's pairs with y_j - x_i <= shift are i >= searchsorted(x, y_j - shift, 'left')."""

    lo: float
    hi: float
    pos_lo: NDArray[np.intp]
    pos_hi: NDArray[np.intp]

    def pairs(self) -> int:
        return int((self.pos_lo - self.pos_hi).sum())


def _positions(x_sorted: FloatArray, y: FloatArray, shift: float,
               side: Literal["left", "right"] = "left") -> NDArray[np.intp]:
    return np.searchsorted(x_sorted, y - shift, side=side)


def _at_most(x_sorted: FloatArray, pos: NDArray[np.intp]) -> int:
    """Pairs with y_j - x_i <= shift, from the positions of that shift."""
    return int(len(x_sorted) * len(pos) - pos.sum())


def _sample_pivots(x_sorted: FloatArray, y: FloatArray, b: _Bracket, k_in: int,
                   rng: np.random.Generator) -> list[float]:
    """Two order statistics of a random sample of the bracket's pairs that straddle the
    target rank with high probability (Floyd-Rivest): each round shrinks the bracket ~30x."""
    lengths = b.pos_lo - b.pos_hi
    cum = np.cumsum(lengths)
    draws = rng.integers(0, int(cum[-1]), _SAMPLE)
    rows = np.searchsorted(cum, draws, side="right")
    cols = b.pos_hi[rows] + (draws - (cum[rows] - lengths[rows]))
    sample = np.sort(y[rows] - x_sorted[cols])
    q = k_in / int(cum[-1])
    slack = 3.0 * math.sqrt(q * (1.0 - q) / _SAMPLE) + 1.0 / _SAMPLE
    low_i = min(_SAMPLE - 1, max(0, math.floor((q - slack) * _SAMPLE)))
    high_i = min(_SAMPLE - 1, max(0, math.ceil((q + slack) * _SAMPLE)))
    return [float(sample[low_i]), float(sample[high_i])]


def kth_pairwise_difference(x_sorted: FloatArray, y: FloatArray, k: int) -> float:
    """The k-th smallest (1-based) of the differences y_j - x_i, without building them all.
    Both arrays should be sorted ascending (sorted queries make the rank counts cache-friendly).
    Ties (durations rounded to 0.1 s give millions of equal differences) end the search at
    once: a pivot p is the answer when fewer than k pairs lie strictly below it."""
    total = len(x_sorted) * len(y)
    if not 1 <= k <= total:
        raise ValueError(f"k must lie in 1..{total}, got {k}")
    spread = float(y.max() - x_sorted[0]) - float(y.min() - x_sorted[-1]) + 1.0
    lo = float(y.min() - x_sorted[-1]) - spread  # margins absorb rounding of y_j - shift
    hi = float(y.max() - x_sorted[0]) + spread
    b = _Bracket(lo, hi, _positions(x_sorted, y, lo), _positions(x_sorted, y, hi))
    window = max(_WINDOW_PAIRS, 4 * (len(x_sorted) + len(y)))
    rng = np.random.default_rng(k)
    for _ in range(_MAX_ROUNDS):
        if b.pairs() <= window:
            break
        before = b.pairs()
        for pivot in _sample_pivots(x_sorted, y, b, k - _at_most(x_sorted, b.pos_lo), rng):
            found = _narrow(x_sorted, y, b, k, pivot)
            if found is not None:
                return found
        if b.pairs() == before:  # pivots fell on the bracket's ends: halve it instead
            found = _narrow(x_sorted, y, b, k, b.lo + (b.hi - b.lo) / 2.0)
            if found is not None or b.pairs() == before:
                return b.hi if found is None else found
    return _enumerate_kth(x_sorted, y, b, k)


def _narrow(x_sorted: FloatArray, y: FloatArray, b: _Bracket, k: int,
            pivot: float) -> float | None:
    """Move one end of the bracket to `pivot`; return the pivot when it is the k-th value."""
    if not b.lo < pivot <= b.hi:
        return None
    pos = _positions(x_sorted, y, pivot)
    if _at_most(x_sorted, pos) < k:
        b.lo, b.pos_lo = pivot, pos
        return None
    below = _positions(x_sorted, y, pivot, "right")
    if _at_most(x_sorted, below) < k:
        return pivot  # the k-th difference equals the pivot (a block of ties)
    # every pair at the pivot lies above rank k: keep only the pairs strictly below it
    b.hi, b.pos_hi = float(np.nextafter(pivot, -math.inf)), below
    return None


def _enumerate_kth(x_sorted: FloatArray, y: FloatArray, b: _Bracket, k: int) -> float:
    """Materialise the bracket's pairs (the same membership rule as the counts) and select."""
    lengths = b.pos_lo - b.pos_hi
    rows = np.repeat(np.arange(len(y)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    diffs = y[rows] - x_sorted[b.pos_hi[rows] + offsets]
    rank = k - _at_most(x_sorted, b.pos_lo) - 1
    return float(np.partition(diffs, rank)[rank])


def _rank_sum_sd(x: FloatArray, y: FloatArray) -> float:
    """Standard deviation of U under H0, corrected for ties."""
    n_x, n_y = len(x), len(y)
    n = n_x + n_y
    _, ties = np.unique(np.concatenate([x, y]), return_counts=True)
    tie_term = float((ties.astype(np.float64) ** 3 - ties).sum()) / (n * (n - 1)) if n > 1 else 0.0
    return math.sqrt(n_x * n_y / 12.0 * ((n + 1) - tie_term))


def _exact_u_cdf(m: int, n: int) -> FloatArray:
    """P(U <= u) for u = 0..mn under H0 without ties: the coefficients of the Gaussian binomial
    [m+n choose m]_q = prod_i (1 - q^(n+i)) / (1 - q^i), normalised."""
    size = m * n + 1
    coef = np.zeros(size)
    coef[0] = 1.0
    for i in range(1, m + 1):
        step = n + i
        if step < size:
            coef[step:] -= coef[:-step].copy()
        for r in range(i):  # divide by (1 - q^i): running sums along each residue class
            coef[r::i] = np.cumsum(coef[r::i])
    return np.asarray(np.cumsum(coef) / coef.sum(), np.float64)


def _lehmann_k(x_sorted: FloatArray, y: FloatArray, alpha: float) -> int:
    """Rank k of the lower end of the (1 - alpha) interval, the upper end being N + 1 - k:
    exact (the largest k with P(U <= k - 1) <= alpha/2) for small samples without ties,
    else floor(N/2 - z sd(U)) from the tie-corrected normal approximation."""
    m, n = len(x_sorted), len(y)
    ties = len(np.unique(np.concatenate([x_sorted, y]))) < m + n
    if m * n <= _EXACT_PAIRS and not ties:
        cdf = _exact_u_cdf(min(m, n), max(m, n))
        return int(np.searchsorted(cdf, alpha / 2.0 + 1e-12, side="right"))
    return math.floor(m * n / 2.0 - z_two_sided(alpha) * _rank_sum_sd(x_sorted, y))


def hodges_lehmann(x: FloatArray, y: FloatArray, alpha: float = 0.05) -> ShiftEstimate:
    """Shift of y over x (positive: y larger) and the Lehmann interval: the pair
    (D_(k), D_(N+1-k)) of sorted pairwise differences, k from the rank-sum distribution."""
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
    k = _lehmann_k(x_sorted, y_arr, alpha)
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
