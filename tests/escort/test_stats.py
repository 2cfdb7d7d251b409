"""Anytime-valid gray-vs-control comparison (harness.escort.stats): known answers, symmetry,
input validation, state across looks, and the issue's test: identical cohorts looked at every
interval of a 72-hour watch raise a false alarm in at most alpha of the watches, while a
fixed-sample z-test looked at the same way raises far more."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import proportions_ztest

from harness.escort.stats import (
    SequentialState,
    cs_half_width,
    default_tau2,
    fixed_sample_compare,
    log_likelihood_ratio,
    sequential_compare,
    variance,
)

ALPHA = 0.05


def test_likelihood_ratio_by_hand_with_a_given_tau() -> None:
    # 10/100 vs 5/100, tau = 0.05. Agresti-Caffo rates 11/102 and 6/102:
    # V = (11/102)(91/102)/100 + (6/102)(96/102)/100 = 0.001515763
    # Lambda = sqrt(V/(V+tau^2)) exp(0.05^2 tau^2 / (2 V (V+tau^2)))
    #        = sqrt(0.377453) * exp(0.513396) = 0.614372 * 1.670971 = 1.026587
    r = sequential_compare(10, 100, 5, 100, tau=0.05)
    assert r.likelihood_ratio == pytest.approx(1.026587, rel=1e-5)
    assert r.p_value == pytest.approx(1 / 1.026587, rel=1e-5)
    # half-width sqrt(V (V+tau^2)/tau^2 (2 ln 20 + ln((V+tau^2)/V))) = sqrt(0.00243475 * 6.965762)
    assert (r.lower, r.upper) == pytest.approx((0.05 - 0.130231, 0.05 + 0.130231), abs=1e-5)
    assert r.estimate == pytest.approx(0.05)
    assert r.decision == "no difference shown"


def test_likelihood_ratio_by_hand_with_the_default_tuning() -> None:
    # 60/500 vs 40/500: V = (61/502)(441/502)/500 + (41/502)(461/502)/500 = 3.63502e-4,
    # z^2 = 0.04^2 / V = 4.40162; n_h = 250, n_h rho^2 = 250 (2 ln 20 + ln(1 + 2 ln 20))/2500
    # = 0.793615; Lambda = sqrt(1/(1+k)) exp(z^2/2 * k/(1+k)) = 0.746752 * 2.647703 = 1.977177
    r = sequential_compare(60, 500, 40, 500)
    assert r.likelihood_ratio == pytest.approx(1.977177, rel=1e-5)
    assert r.decision == "no difference shown"
    # the same counts pass a fixed-sample z-test: p = 0.035 (statsmodels agrees)
    fixed = fixed_sample_compare(60, 500, 40, 500)
    z, p = proportions_ztest([60, 40], [500, 500])
    assert (fixed.z, fixed.p_value) == pytest.approx((z, p))
    assert fixed.decision == "better" and fixed.p_value == pytest.approx(0.03501, abs=1e-5)


def test_a_large_difference_is_shown_and_its_direction_named() -> None:
    worse = sequential_compare(300, 5000, 500, 5000)
    assert worse.decision == "worse" and worse.upper is not None and worse.upper < 0
    assert worse.p_value <= ALPHA
    # an error ratio: higher is worse
    errors = sequential_compare(500, 5000, 300, 5000, higher_is_better=False)
    assert errors.decision == "worse" and errors.lower is not None and errors.lower > 0


@pytest.mark.parametrize("counts", [(12, 900, 9, 1000), (300, 5000, 500, 5000),
                                    (1, 40, 0, 35), (77, 1000, 60, 1000)])
def test_swapping_the_cohorts_mirrors_the_result(counts: tuple[int, int, int, int]) -> None:
    x_a, n_a, x_b, n_b = counts
    ab = sequential_compare(x_a, n_a, x_b, n_b)
    ba = sequential_compare(x_b, n_b, x_a, n_a)
    assert ab.p_value == pytest.approx(ba.p_value)
    assert ab.estimate == pytest.approx(-(ba.estimate or 0.0))
    assert (ab.lower, ab.upper) == pytest.approx((-(ba.upper or 0), -(ba.lower or 0)))
    flip = {"worse": "better", "better": "worse"}
    assert flip.get(ab.decision, ab.decision) == ba.decision


def test_the_interval_excludes_zero_exactly_when_p_is_below_alpha() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        n_a, n_b = (int(v) for v in rng.integers(30, 3000, 2))
        x_a, x_b = int(rng.integers(0, n_a // 5)), int(rng.integers(0, n_b // 5))
        r = sequential_compare(x_a, n_a, x_b, n_b)
        if r.decision == "not enough data":
            continue
        assert r.lower is not None and r.upper is not None
        excludes = r.lower > 0 or r.upper < 0
        assert excludes == (r.p_value <= ALPHA), (x_a, n_a, x_b, n_b, r)


@pytest.mark.parametrize(("counts", "problem"), [
    ((11, 10, 1, 10), "more events than trials"),
    ((-1, 10, 1, 10), "cannot be negative"),
    ((1, 10, math.nan, 10), "not a finite number"),
    ((1, math.inf, 1, 10), "not a finite number"),
    ((True, 10, 1, 10), "not a number"),
    (("3", 10, 1, 10), "not a number"),
])
def test_bad_counts_are_refused_with_a_clear_message(counts: tuple[object, ...],
                                                      problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        sequential_compare(*counts)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=problem):
        fixed_sample_compare(*counts)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "problem"), [({"alpha": 0.0}, "alpha"),
                                                 ({"alpha": 1.5}, "alpha"),
                                                 ({"tau": -0.1}, "tau"),
                                                 ({"tau": math.nan}, "tau")])
def test_bad_parameters_are_refused(kwargs: dict[str, float], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        sequential_compare(5, 100, 5, 100, **kwargs)


@pytest.mark.parametrize("counts", [(0, 10, 0, 10), (3, 29, 3, 500), (0, 0, 0, 0)])
def test_too_few_trials_is_never_no_difference(counts: tuple[int, int, int, int]) -> None:
    r = sequential_compare(*counts)
    assert r.decision == "not enough data" and "too few trials" in r.reason
    assert r.p_value == 1.0 and r.lower is None
    assert fixed_sample_compare(*counts).decision == "not enough data"
    assert r.describe().startswith("not enough data: too few trials")


@pytest.mark.parametrize(("counts", "why"), [((0, 1000, 0, 1000), "no event in either"),
                                             ((100, 100, 90, 90), "every trial")])
def test_no_events_in_either_cohort_is_no_difference_with_a_wide_interval(
        counts: tuple[int, int, int, int], why: str) -> None:
    # a healthy error ratio: nothing to tell the cohorts apart, and nothing shown worse
    r = sequential_compare(*counts)
    assert r.decision == "no difference shown" and why in r.reason
    assert r.lower is not None and r.upper is not None and r.lower < 0 < r.upper
    assert fixed_sample_compare(*counts).decision == "no difference shown"


def test_a_result_describes_itself_in_one_sentence() -> None:
    text = sequential_compare(300, 5000, 500, 5000).describe()
    assert text.startswith("worse: gray 6.00% vs control 10.00%, difference -4.00 points, "
                           "95% confidence sequence -")


def test_an_overwhelming_difference_does_not_overflow() -> None:
    r = sequential_compare(0, 10**9, 10**8, 10**9)
    assert r.decision == "worse" and r.p_value == 0.0 and math.isfinite(r.likelihood_ratio)


def test_fractional_counts_from_prometheus_are_accepted() -> None:
    r = sequential_compare(120.4, 1000.7, 98.2, 1003.1)
    assert r.decision == "no difference shown"


# --- across looks ---

def test_state_keeps_the_running_minimum_and_a_shown_difference() -> None:
    state = SequentialState()
    first = state.update(0, 10, 0, 10)
    assert first.decision == "not enough data" and state.looks == 1
    shown = state.update(300, 5000, 500, 5000)
    assert shown.decision == "worse" and state.shown_at == 1
    # later the cohorts converge: the difference once shown stays shown, p never rises
    later = state.update(1950, 20000, 2000, 20000)
    assert later.decision == "worse" and "shown at look 1" in later.reason
    assert later.p_value == state.p_value == shown.p_value


def test_state_survives_a_restart_through_json() -> None:
    rng = np.random.default_rng(7)
    looks = np.cumsum(rng.binomial(40, [0.1, 0.08], size=(60, 2)), axis=0)
    whole = SequentialState(alpha=0.1)
    resumed = SequentialState(alpha=0.1)
    for i, (x_a, x_b) in enumerate(looks):
        expected = whole.update(int(x_a), 40 * (i + 1), int(x_b), 40 * (i + 1))
        resumed = SequentialState.from_json(resumed.to_json())
        got = resumed.update(int(x_a), 40 * (i + 1), int(x_b), 40 * (i + 1))
        assert got == expected
    assert resumed.to_json() == whole.to_json()


def test_cumulative_counts_that_go_down_are_refused() -> None:
    state = SequentialState()
    state.update(10, 100, 10, 100)
    with pytest.raises(ValueError, match="trials a went down from 100 to 90 at look 1"):
        state.update(10, 90, 10, 100)


@pytest.mark.parametrize(("edit", "field"), [
    ({"p_value": 2.0}, "p_value"), ({"shown": "maybe"}, "shown"),
    ({"shown": "worse", "shown_at": None}, "shown_at"), ({"last": [1, 2]}, "last"),
    ({"alpha": None}, "alpha")])
def test_a_corrupt_state_file_is_refused_naming_the_field(edit: dict[str, object],
                                                           field: str) -> None:
    import json

    data = json.loads(SequentialState().to_json())
    data.update(edit)
    with pytest.raises(ValueError, match=field):
        SequentialState.from_json(json.dumps(data), "escort/state.json")


# --- the test: repeated looks at identical cohorts ---

def _watches(p_a: float, p_b: float, per_look: float, looks: int, watches: int,
             seed: int) -> tuple[np.ndarray, ...]:
    """Cumulative counts (watches x looks) of two cohorts with Poisson arrivals per interval."""
    rng = np.random.default_rng(seed)
    n_a = rng.poisson(per_look, (watches, looks))
    n_b = rng.poisson(per_look, (watches, looks))
    x_a, x_b = rng.binomial(n_a, p_a), rng.binomial(n_b, p_b)
    return tuple(np.cumsum(v, axis=1).astype(np.float64) for v in (x_a, n_a, x_b, n_b))


def _alarm_rates(x_a: np.ndarray, n_a: np.ndarray, x_b: np.ndarray, n_b: np.ndarray,
                 ) -> tuple[float, float]:
    """Share of watches in which ANY look declares a difference: (anytime-valid, fixed)."""
    usable = (n_a >= 30) & (n_b >= 30)  # as sequential_compare: min_trials
    with np.errstate(divide="ignore", invalid="ignore"):
        var = variance(x_a, n_a, x_b, n_b)
        est = x_a / n_a - x_b / n_b
        llr = log_likelihood_ratio(est, var, default_tau2(var, n_a, n_b, ALPHA))
        pooled = (x_a + x_b) / (n_a + n_b)
        z = est / np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    anytime = (usable & (llr >= math.log(1 / ALPHA))).any(axis=1).mean()
    fixed = (usable & (np.abs(z) >= 1.959964)).any(axis=1).mean()
    return float(anytime), float(fixed)


@pytest.mark.parametrize(("what", "rate", "per_look", "looks"), [
    ("conversion", 0.10, 20.0, 288),    # a 72-hour watch checked every 15 minutes
    ("error ratio", 0.01, 200.0, 100),  # the "checked 100 times"
])
def test_identical_cohorts_looked_at_every_interval_rarely_alarm(
        what: str, rate: float, per_look: float, looks: int) -> None:
    watches = 1000
    counts = _watches(rate, rate, per_look, looks, watches, seed=20261201)
    anytime, fixed = _alarm_rates(*counts)
    # at most alpha, up to the binomial noise of 1000 watches (one-sided 99.9 % quantile)
    allowed = binom.ppf(0.999, watches, ALPHA) / watches
    print(f"\n{what} {rate:.0%}, identical cohorts, {looks} looks x {watches} watches: "
          f"false alarms anytime-valid {anytime:.1%} (allowed {allowed:.1%}), "
          f"fixed-sample z-test {fixed:.1%}")
    assert anytime <= allowed
    assert fixed > 3 * ALPHA  # peeking with a fixed-sample test: the bad case the issue names


@pytest.mark.parametrize("tau", [None, 0.02])
def test_the_vectorised_core_is_what_one_look_computes(tau: float | None) -> None:
    """The simulations use the numpy core; a look uses scalar arithmetic: both agree."""
    x_a, n_a, x_b, n_b = (v.ravel() for v in _watches(0.1, 0.11, 20.0, 50, 3, seed=5))
    var = variance(x_a, n_a, x_b, n_b)
    tau2 = default_tau2(var, n_a, n_b, ALPHA) if tau is None else np.full_like(var, tau ** 2)
    llr = log_likelihood_ratio(x_a / n_a - x_b / n_b, var, tau2)
    half = cs_half_width(var, tau2, ALPHA)
    for i in range(len(x_a)):
        r = sequential_compare(x_a[i], n_a[i], x_b[i], n_b[i], tau=tau)
        if r.decision == "not enough data":
            continue
        assert r.estimate is not None and r.upper is not None
        assert math.log(r.likelihood_ratio) == pytest.approx(llr[i], rel=1e-9, abs=1e-12)
        assert r.upper - r.estimate == pytest.approx(half[i], rel=1e-9)


def test_the_confidence_sequence_covers_the_true_difference_at_every_look() -> None:
    x_a, n_a, x_b, n_b = _watches(0.12, 0.10, 20.0, 288, 500, seed=11)
    var = variance(x_a, n_a, x_b, n_b)
    est = x_a / n_a - x_b / n_b
    half = cs_half_width(var, default_tau2(var, n_a, n_b, ALPHA), ALPHA)
    usable = (n_a >= 30) & (n_b >= 30)
    missed = (usable & (np.abs(est - 0.02) > half)).any(axis=1).mean()
    print(f"\nCS missed the true difference at some look in {missed:.1%} of 500 watches")
    assert missed <= binom.ppf(0.999, 500, ALPHA) / 500


def test_a_real_drop_in_conversion_is_found() -> None:
    # 10 % vs 7 %: found in nearly every watch, and before the end
    x_a, n_a, x_b, n_b = _watches(0.07, 0.10, 20.0, 288, 200, seed=13)
    var = variance(x_a, n_a, x_b, n_b)
    llr = log_likelihood_ratio(x_a / n_a - x_b / n_b, var, default_tau2(var, n_a, n_b, ALPHA))
    found = llr >= math.log(1 / ALPHA)
    assert found.any(axis=1).mean() >= 0.95
    first = np.argmax(found, axis=1)[found.any(axis=1)]
    print(f"\n10 % vs 7 %: found in {found.any(axis=1).mean():.0%} of watches, median look "
          f"{int(np.median(first))} of 288")
    assert np.median(first) < 200
    # and one watch through the public API says "worse" for the gray cohort
    state = SequentialState()
    decisions = [state.update(x_a[0, i], n_a[0, i], x_b[0, i], n_b[0, i]).decision
                 for i in range(288)]
    assert decisions[-1] == "worse"
