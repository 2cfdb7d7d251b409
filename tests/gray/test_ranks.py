"""The bounded k-th pairwise difference against brute force on samples big enough (6 million
pairs) to take the sampled-pivot path, with continuous values, heavy ties and a lattice."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness.gray.ranks import _exact_u_cdf, hodges_lehmann, kth_pairwise_difference


@pytest.mark.parametrize("kind", ["continuous", "three_values", "rounded_0.1s"])
def test_kth_difference_on_the_pivot_path(kind: str) -> None:
    rng = np.random.default_rng(5)
    if kind == "continuous":
        x, y = rng.lognormal(3, 1, 2000), rng.lognormal(3.1, 1, 3000)
    elif kind == "three_values":
        x, y = rng.integers(0, 3, 2000).astype(float), rng.integers(0, 3, 3000).astype(float)
    else:
        x, y = np.round(rng.lognormal(3, 1, 2000), 1), np.round(rng.lognormal(3, 1, 3000), 1)
    xs, ys = np.sort(x), np.sort(y)
    diffs = np.sort(np.subtract.outer(ys, xs).ravel())
    for k in (1, 7, len(diffs) // 40, len(diffs) // 2, len(diffs) - 3, len(diffs)):
        got = kth_pairwise_difference(xs, ys, k)
        # equal differences computed from different pairs can differ in the last float bit
        assert got == pytest.approx(diffs[k - 1], rel=1e-12, abs=1e-12)


def test_hodges_lehmann_large_is_quick_and_sane() -> None:
    rng = np.random.default_rng(9)
    x = np.round(rng.lognormal(np.log(60), 0.6, 100_000), 1)
    y = np.round(rng.lognormal(np.log(60), 0.6, 100_000) + 3.0, 1)
    est = hodges_lehmann(x, y)
    assert est.low <= est.shift <= est.high
    assert 2.0 < est.shift < 4.0


def test_exact_rank_sum_distribution_matches_enumeration() -> None:
    m, n = 4, 5
    counts = np.zeros(m * n + 1)
    for chosen in itertools.combinations(range(m + n), m):
        counts[sum(1 for i in chosen for j in range(m + n) if j not in chosen and j > i)] += 1
    assert np.allclose(_exact_u_cdf(m, n), np.cumsum(counts) / counts.sum())


def test_small_sample_interval_uses_the_exact_ranks() -> None:
    """scipy's example: x vs y, 4 x 5 pairs; P(U <= 1) = 2/126 <= 0.025 < P(U <= 2), so the
    95 % interval is (D_(2), D_(19)) of the 20 sorted differences y - x."""
    x = np.array([20, 11, 17, 12.0])
    y = np.array([19, 22, 16, 29, 24.0])
    diffs = np.sort(np.subtract.outer(y, x).ravel())
    est = hodges_lehmann(x, y)
    assert (est.low, est.high) == (diffs[1], diffs[18])
    assert est.shift == np.median(diffs)
