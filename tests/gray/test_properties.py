"""Properties of the statistics and gates that must hold for any data (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.gates.gray import (
    GrayThresholds,
    conversion_gate,
    duration_gate,
    error_rate_gate,
    gray_outcomes,
)
from harness.gray.comparison import compare
from harness.gray.events import EVENTS, EventLog, Provenance
from harness.gray.noninferiority import score_interval
from harness.gray.proportions import newcombe_interval, wilson_interval
from harness.gray.ranks import hodges_lehmann, kth_pairwise_difference
from harness.gray.samples import DurationSample, ProportionSample
from harness.model import Status

# no per-example deadline: two shared cores under load must not turn slowness into failures
RELAXED = settings(deadline=None)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 5000) -> tuple[int, int]:
    n = draw(st.integers(1, max_n))
    return draw(st.integers(0, n)), n


samples = st.lists(st.integers(0, 300).map(float), min_size=2, max_size=60)


@RELAXED
@given(counts(), counts())
def test_newcombe_swap_mirrors_and_contains_estimate(a: tuple[int, int],
                                                     b: tuple[int, int]) -> None:
    low, high = newcombe_interval(*a, *b)
    low_swapped, high_swapped = newcombe_interval(*b, *a)
    assert math.isclose(low, -high_swapped, abs_tol=1e-12)
    assert math.isclose(high, -low_swapped, abs_tol=1e-12)
    diff = a[0] / a[1] - b[0] / b[1]
    assert low - 1e-12 <= diff <= high + 1e-12
    assert low >= -1.0 - 1e-12 and high <= 1.0 + 1e-12


@RELAXED
@given(counts())
def test_wilson_contains_estimate(a: tuple[int, int]) -> None:
    low, high = wilson_interval(*a)
    assert 0.0 <= low <= a[0] / a[1] + 1e-12 and a[0] / a[1] - 1e-12 <= high <= 1.0


@settings(max_examples=60, deadline=None)
@given(counts(400), counts(400))
def test_score_interval_contains_estimate_and_mirrors(a: tuple[int, int],
                                                       b: tuple[int, int]) -> None:
    low, high = score_interval(*a, *b)
    diff = a[0] / a[1] - b[0] / b[1]
    assert low - 1e-7 <= diff <= high + 1e-7
    low_s, high_s = score_interval(*b, *a)
    assert math.isclose(low, -high_s, abs_tol=1e-6) and math.isclose(high, -low_s, abs_tol=1e-6)


@RELAXED
@given(samples, samples)
def test_hodges_lehmann_mirrors_and_contains_estimate(x: list[float], y: list[float]) -> None:
    xs, ys = np.array(x), np.array(y)
    est, swapped = hodges_lehmann(xs, ys), hodges_lehmann(ys, xs)
    assert est.shift == -swapped.shift
    assert (est.low, est.high) == (-swapped.high, -swapped.low)
    assert est.low <= est.shift <= est.high
    assert est.shift == np.median(np.subtract.outer(ys, xs))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=40),
       st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=40), st.data())
def test_kth_pairwise_difference_matches_brute_force(x: list[float], y: list[float],
                                                     data: st.DataObject) -> None:
    xs, ys = np.sort(np.array(x)), np.sort(np.array(y))
    diffs = np.sort(np.subtract.outer(ys, xs).ravel())
    k = data.draw(st.integers(1, len(diffs)))
    assert kth_pairwise_difference(xs, ys, k) == diffs[k - 1]


@RELAXED
@given(counts())
def test_identical_cohorts_never_fail(a: tuple[int, int]) -> None:
    sample = ProportionSample("conversion", "conversion", a[0], a[1], a[0], a[1],
                              p_value=1.0, p_holm=1.0)
    for gate in (conversion_gate, error_rate_gate):
        outcome = gate(sample, margin_pp=1.0)
        assert outcome.status != Status.FAILED
        assert outcome.ci is not None and outcome.ci[0] <= 0.0 <= outcome.ci[1]


@RELAXED
@given(samples)
def test_identical_durations_never_fail(x: list[float]) -> None:
    values = np.sort(np.array(x))
    outcome = duration_gate(DurationSample("d", "time", values, values, 1.0, 1.0), margin_s=1.0)
    assert outcome.status != Status.FAILED


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 400), st.integers(0, 2**32 - 1))
def test_identical_cohorts_never_give_no_go_end_to_end(n_users: int, seed: int) -> None:
    """The same users' events, once as control and once as gray: nothing may fail."""
    rng = np.random.default_rng(seed)
    rows = int(n_users * 4)
    user = rng.integers(0, n_users, rows)
    event = rng.integers(0, len(EVENTS), rows).astype(np.int8)
    value = np.round(rng.lognormal(3, 1, rows), 1)
    log = EventLog(user=np.concatenate([user, user + n_users]),
                   cohort=np.repeat(np.array([0, 1], np.int8), rows),
                   event=np.concatenate([event, event]), value=np.concatenate([value, value]),
                   n_users=2 * n_users, provenance=Provenance("synthetic", 2 * rows, 2 * rows))
    outcomes = gray_outcomes(compare(log, 0.5), GrayThresholds())
    assert all(o.status is not Status.FAILED for o in outcomes.values())
    assert outcomes["sample_ratio"].status is Status.PASSED
