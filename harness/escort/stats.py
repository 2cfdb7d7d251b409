"""Gray vs control during the escort: a difference of two proportions (conversion = policies /
quotes, error ratio = errors / requests) checked at every interval without inflating false
alarms.

Method: the mixture sequential probability ratio test (mSPRT; Robbins 1970) as Johari,
Koomen, Pekelis & Walsh apply it to A/B tests ("Always valid inference: continuous monitoring
of A/B tests", Operations Research 70(3):1806-1821, 2022, doi 10.1287/opre.2021.2135; arXiv
1512.04922), for the difference theta = p_a - p_b with a normal mixing distribution
N(0, tau^2) over theta and the normal approximation of the estimate:

    Lambda_n = sqrt(V / (V + tau^2)) * exp(theta_hat^2 * tau^2 / (2 V (V + tau^2)))

with theta_hat = x_a/n_a - x_b/n_b from the CUMULATIVE counts at look n and V its variance,
p_i(1 - p_i)/n_i summed over the cohorts with Agresti & Caffo's (2000) rates (x + 1)/(n + 2)
(so that V is never 0 at small counts). Lambda is a nonnegative supermartingale under
theta = 0, so by Ville's inequality P(Lambda_n >= 1/alpha at ANY n) <= alpha: the always-valid
p-value p_n = min(p_{n-1}, 1/Lambda_n) may be read after every look. Inverting Lambda gives the
confidence sequence (Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
nonasymptotic confidence sequences", Annals of Statistics 49(2), 2021, the normal mixture):

    theta in theta_hat +- sqrt(V (V + tau^2) / tau^2 * (2 log(1/alpha) + log((V + tau^2) / V)))

which excludes 0 exactly when 1/Lambda_n <= alpha, so the decision and the interval agree.

Tuning: `tau` (the SD of the mixing distribution, on the scale of the difference) is free: the
sequence is valid for every tau fixed in advance, and narrowest when V is about tau^2 / 8 (at
alpha 0.05). Left as None, tau^2 = rho^2 * s^2, where s^2 = V * n_h is the per-observation
variance (n_h = 1/(1/n_a + 1/n_b)) and rho^2 = (2 log(1/alpha) + log(1 + 2 log(1/alpha))) /
n_h*, narrowest when each cohort has `planned_trials` (n_h* = planned_trials / 2): the
asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas
("Time-uniform central limit theory and asymptotic confidence sequences", Annals of Statistics
2024; arXiv 2103.06476), the form GrowthBook's sequential engine uses. Lambda then depends only on
z = theta_hat / sqrt(V) and n_h rho^2, so one default suits a 10 % conversion and a 0.1 % error
ratio alike. With V estimated (both modes) the guarantee is asymptotic; tests/escort/
test_stats.py measures it: identical cohorts looked at 288 times alarm in ~2 % of watches at
alpha 0.05, a fixed-sample z-test looked at the same way in ~44 %.

The normal approximation needs counts: a look with fewer than `min_trials` per cohort is "not
enough data", never "no difference". No event in either cohort (a healthy error ratio) is
"no difference shown": the Agresti-Caffo variance keeps the interval honest (wide) there.
Counts may be fractional (Prometheus' increase() extrapolates) but never negative, NaN, or
x > n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from harness_contract._record import dumps
from harness_contract.fields import Obj, loads

__all__ = ["BETTER", "DECISIONS", "NOT_ENOUGH", "NO_DIFFERENCE", "WORSE", "FixedSampleResult",
           "SequentialResult", "SequentialState", "check_counts", "cs_half_width",
           "default_tau2", "fixed_sample_compare", "log_likelihood_ratio",
           "sequential_compare", "variance"]

Array = npt.NDArray[np.float64]
WORSE, BETTER, NO_DIFFERENCE, NOT_ENOUGH = ("worse", "better", "no difference shown",
                                           "not enough data")
DECISIONS = (WORSE, BETTER, NO_DIFFERENCE, NOT_ENOUGH)
MIN_TRIALS = 30
PLANNED_TRIALS = 5000


# --- the vectorised core (the simulations in the tests call these same functions) ---

def variance(x_a: Array, n_a: Array, x_b: Array, n_b: Array) -> Array:
    """Variance of x_a/n_a - x_b/n_b with Agresti-Caffo rates (x + 1)/(n + 2); n > 0."""
    p_a = (x_a + 1.0) / (n_a + 2.0)
    p_b = (x_b + 1.0) / (n_b + 2.0)
    return np.asarray(p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b, dtype=np.float64)


def default_tau2(var: Array, n_a: Array, n_b: Array, alpha: float,
                 planned_trials: float = PLANNED_TRIALS) -> Array:
    """tau^2 = rho^2 s^2, tightest when each cohort has `planned_trials` (module docstring)."""
    two_l = 2.0 * math.log(1.0 / alpha)
    rho2 = (two_l + math.log1p(two_l)) / (planned_trials / 2.0)
    n_h = 1.0 / (1.0 / n_a + 1.0 / n_b)
    return np.asarray(rho2 * var * n_h, dtype=np.float64)


def log_likelihood_ratio(estimate: Array, var: Array, tau2: Array) -> Array:
    """log Lambda of the normal-mixture SPRT of theta = 0 (Johari, Pekelis & Walsh)."""
    return np.asarray(0.5 * np.log(var / (var + tau2))
                      + estimate ** 2 * tau2 / (2.0 * var * (var + tau2)), dtype=np.float64)


def cs_half_width(var: Array, tau2: Array, alpha: float) -> Array:
    """Half-width of the (1 - alpha) confidence sequence: {theta: Lambda(theta) < 1/alpha}."""
    return np.asarray(np.sqrt(var * (var + tau2) / tau2
                              * (2.0 * math.log(1.0 / alpha) + np.log((var + tau2) / var))),
                      dtype=np.float64)


# --- one look ---

@dataclass(frozen=True)
class SequentialResult:
    """One look at cumulative counts; `a` is gray, `b` control, estimate = rate_a - rate_b."""

    decision: str
    reason: str
    rate_a: float | None
    rate_b: float | None
    estimate: float | None
    lower: float | None
    upper: float | None
    p_value: float            # always valid: 1/Lambda at this look (running min via the state)
    likelihood_ratio: float   # Lambda at this look (1 when not enough data)
    alpha: float
    tau: float | None         # the mixing SD used at this look

    @property
    def shown(self) -> bool:
        return self.decision in (WORSE, BETTER)

    def describe(self) -> str:
        """One sentence: rates, difference, interval, p and the decision."""
        if self.estimate is None or self.lower is None or self.upper is None:
            return f"{self.decision}: {self.reason}"
        return (f"{self.decision}: gray {_pct(self.rate_a)} vs control {_pct(self.rate_b)}, "
                f"difference {self.estimate * 100:+.2f} points, "
                f"{1 - self.alpha:.0%} confidence sequence {self.lower * 100:+.2f} to "
                f"{self.upper * 100:+.2f} points, always-valid p = {self.p_value:.3g}")


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.2%}"


def check_counts(x: float, n: float, what: str) -> None:
    """ValueError unless 0 <= x <= n, both finite numbers (fractions allowed: Prometheus)."""
    for name, value in ((f"{what} events", x), (f"{what} trials", n)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer
                                                     | np.floating):
            raise ValueError(f"{name} is {value!r}, not a number")
        if not math.isfinite(value):
            raise ValueError(f"{name} is {value!r}, not a finite number")
        if value < 0:
            raise ValueError(f"{name} is {value!r}: a count cannot be negative")
    if x > n:
        raise ValueError(f"{what}: {x:g} events out of {n:g} trials: more events than trials")


def _direction(estimate: float, higher_is_better: bool) -> str:
    return BETTER if (estimate > 0) == higher_is_better else WORSE


def sequential_compare(x_a: float, n_a: float, x_b: float, n_b: float, alpha: float = 0.05,
                       tau: float | None = None, *, higher_is_better: bool = True,
                       min_trials: float = MIN_TRIALS,
                       planned_trials: float = PLANNED_TRIALS) -> SequentialResult:
    """Anytime-valid comparison of cohort a (gray) against b (control) at one look.

    `higher_is_better`: True for conversion, False for an error ratio (decides which sign is
    "worse"). Alone this is one look; carry p across looks with `SequentialState.update`."""
    _check_parameters(alpha, tau, min_trials, planned_trials)
    check_counts(x_a, n_a, "cohort a")
    check_counts(x_b, n_b, "cohort b")
    rate_a = x_a / n_a if n_a > 0 else None
    rate_b = x_b / n_b if n_b > 0 else None
    why = _not_enough(n_a, n_b, min_trials)
    if why:
        estimate = None if rate_a is None or rate_b is None else rate_a - rate_b
        return SequentialResult(NOT_ENOUGH, why, rate_a, rate_b, estimate, None, None, 1.0, 1.0,
                                alpha, tau)
    assert rate_a is not None and rate_b is not None
    estimate = rate_a - rate_b
    log_lr, half, tau2 = _one_look(estimate, float(x_a), float(n_a), float(x_b), float(n_b),
                                   alpha, tau, planned_trials)
    p_value = min(1.0, math.exp(-log_lr))
    if p_value <= alpha:
        decision = _direction(estimate, higher_is_better)
        reason = (f"the {1 - alpha:.0%} confidence sequence of the difference excludes 0 "
                  f"(always-valid p = {p_value:.3g} <= {alpha:g})")
    else:
        decision = NO_DIFFERENCE
        reason = (f"the {1 - alpha:.0%} confidence sequence of the difference includes 0 "
                  f"(always-valid p = {p_value:.3g} > {alpha:g})")
        if x_a + x_b == 0 or (x_a == n_a and x_b == n_b):
            reason += ("; no event in either cohort: the same rate so far" if x_a + x_b == 0
                       else "; every trial is an event in both cohorts: the same rate so far")
    return SequentialResult(decision, reason, rate_a, rate_b, estimate, estimate - half,
                            estimate + half, p_value, math.exp(min(log_lr, 690.0)), alpha,
                            math.sqrt(tau2))


def _one_look(estimate: float, x_a: float, n_a: float, x_b: float, n_b: float, alpha: float,
              tau: float | None, planned_trials: float) -> tuple[float, float, float]:
    """(log Lambda, CS half-width, tau^2) of one look: the vectorised core's formulas in
    scalar arithmetic (a look costs microseconds; tests check both agree)."""
    p_a, p_b = (x_a + 1.0) / (n_a + 2.0), (x_b + 1.0) / (n_b + 2.0)
    var = p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b
    two_l = 2.0 * math.log(1.0 / alpha)
    if tau is None:
        rho2 = (two_l + math.log1p(two_l)) / (planned_trials / 2.0)
        tau2 = rho2 * var / (1.0 / n_a + 1.0 / n_b)
    else:
        tau2 = tau * tau
    log_lr = 0.5 * math.log(var / (var + tau2)) + estimate ** 2 * tau2 / (2 * var * (var + tau2))
    half = math.sqrt(var * (var + tau2) / tau2 * (two_l + math.log((var + tau2) / var)))
    return log_lr, half, tau2


def _check_parameters(alpha: float, tau: float | None, min_trials: float,
                      planned_trials: float) -> None:
    if not (isinstance(alpha, float | int) and 0.0 < alpha < 1.0):
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if tau is not None and not (math.isfinite(tau) and tau > 0):
        raise ValueError(f"tau (the mixing SD) must be a positive finite number, got {tau!r}")
    if not (math.isfinite(min_trials) and min_trials >= 1):
        raise ValueError(f"min_trials must be >= 1, got {min_trials!r}")
    if not (math.isfinite(planned_trials) and planned_trials >= 2):
        raise ValueError(f"planned_trials must be >= 2, got {planned_trials!r}")


def _not_enough(n_a: float, n_b: float, min_trials: float) -> str:
    if n_a < min_trials or n_b < min_trials:
        return (f"too few trials: {n_a:g} in cohort a and {n_b:g} in cohort b, at least "
                f"{min_trials:g} each are needed")
    return ""


# --- across looks ---

@dataclass
class SequentialState:
    """The running always-valid p-value across looks, p_n = min(p_{n-1}, 1/Lambda_n), and the
    decision once shown (it stays: a difference shown at any look is shown).

    JSON-serialisable (`to_json`/`from_json`): the watch persists it after every check and
    resumes after a restart. Counts are cumulative and must never decrease."""

    alpha: float = 0.05
    tau: float | None = None
    higher_is_better: bool = True
    min_trials: float = MIN_TRIALS
    planned_trials: float = PLANNED_TRIALS
    looks: int = 0
    p_value: float = 1.0
    shown: str | None = None       # WORSE or BETTER once the running p reached alpha
    shown_at: int | None = None    # the look (0-based) at which it was shown
    last: tuple[float, float, float, float] | None = field(default=None)

    def update(self, x_a: float, n_a: float, x_b: float, n_b: float) -> SequentialResult:
        """Look at the new cumulative counts; returns the look with the running p-value."""
        counts = (x_a, n_a, x_b, n_b)
        result = sequential_compare(x_a, n_a, x_b, n_b, self.alpha, self.tau,
                                    higher_is_better=self.higher_is_better,
                                    min_trials=self.min_trials,
                                    planned_trials=self.planned_trials)
        if self.last is not None:
            names = ("events a", "trials a", "events b", "trials b")
            for name, before, now in zip(names, self.last, counts, strict=True):
                if now < before:
                    raise ValueError(f"cumulative {name} went down from {before:g} to {now:g} "
                                     f"at look {self.looks}: counts must be cumulative")
        self.last = (float(x_a), float(n_a), float(x_b), float(n_b))
        self.p_value = min(self.p_value, result.p_value)
        if self.shown is None and result.shown:
            self.shown, self.shown_at = result.decision, self.looks
        self.looks += 1
        if self.shown is not None and not result.shown:
            reason = (f"shown at look {self.shown_at} (running always-valid p = "
                      f"{self.p_value:.3g} <= {self.alpha:g}); now: {result.reason}")
            return _replace(result, self.shown, reason, self.p_value)
        return _replace(result, result.decision, result.reason, self.p_value)

    def to_json(self) -> str:
        return dumps({"alpha": self.alpha, "tau": self.tau,
                      "higher_is_better": self.higher_is_better,
                      "min_trials": float(self.min_trials),
                      "planned_trials": float(self.planned_trials), "looks": self.looks,
                      "p_value": self.p_value, "shown": self.shown, "shown_at": self.shown_at,
                      "last": None if self.last is None else list(self.last)}, indent=None)

    @classmethod
    def from_json(cls, text: str, file: str = "sequential state") -> SequentialState:
        """Strict: a defect raises EvidenceInvalid (a ValueError) naming the field."""
        o = Obj(loads(text, file), file)
        last = o.array("last", optional=True)
        if last and (len(last) != 4 or not all(isinstance(v, int | float)
                                               and not isinstance(v, bool) for v in last)):
            raise o.fail("last", "must be null or four counts [x_a, n_a, x_b, n_b]")
        shown = o.opt_text("shown")
        if shown not in (None, WORSE, BETTER):
            raise o.fail("shown", f"is {shown!r}, not null, {WORSE!r} or {BETTER!r}")
        state = cls(alpha=o.number("alpha", hi=1.0), tau=o.opt_number("tau", hi=1.0),
                    higher_is_better=o.boolean("higher_is_better"),
                    min_trials=o.number("min_trials", lo=1.0, hi=1e12),
                    planned_trials=o.number("planned_trials", lo=2.0, hi=1e12),
                    looks=o.integer("looks"), p_value=o.number("p_value", hi=1.0),
                    shown=shown, shown_at=o.opt_integer("shown_at"),
                    last=None if not last else (float(last[0]), float(last[1]),
                                                float(last[2]), float(last[3])))
        if (state.shown is None) != (state.shown_at is None):
            raise o.fail("shown_at", "must be given exactly when `shown` is")
        _check_parameters(state.alpha, state.tau, state.min_trials, state.planned_trials)
        return state


def _replace(result: SequentialResult, decision: str, reason: str,
             p_value: float) -> SequentialResult:
    return SequentialResult(decision, reason, result.rate_a, result.rate_b, result.estimate,
                            result.lower, result.upper, p_value, result.likelihood_ratio,
                            result.alpha, result.tau)


# --- what a naive dashboard does ---

@dataclass(frozen=True)
class FixedSampleResult:
    """The pooled two-proportion z-test, valid only when looked at once."""

    decision: str
    rate_a: float | None
    rate_b: float | None
    estimate: float | None
    lower: float | None       # Wald interval
    upper: float | None
    z: float | None
    p_value: float


def fixed_sample_compare(x_a: float, n_a: float, x_b: float, n_b: float, alpha: float = 0.05,
                         *, higher_is_better: bool = True,
                         min_trials: float = MIN_TRIALS) -> FixedSampleResult:
    """Two-sided pooled z-test of p_a = p_b (what a dashboard shows); repeated looks inflate
    its false alarms far above alpha. Same "not enough data" rule as the sequential test."""
    _check_parameters(alpha, None, min_trials, PLANNED_TRIALS)
    check_counts(x_a, n_a, "cohort a")
    check_counts(x_b, n_b, "cohort b")
    rate_a = x_a / n_a if n_a > 0 else None
    rate_b = x_b / n_b if n_b > 0 else None
    if _not_enough(n_a, n_b, min_trials):
        return FixedSampleResult(NOT_ENOUGH, rate_a, rate_b, None, None, None, None, 1.0)
    assert rate_a is not None and rate_b is not None
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    estimate = rate_a - rate_b
    z = estimate / se if se > 0 else 0.0
    p = math.erfc(abs(z) / math.sqrt(2.0))  # two-sided normal p-value
    half = NormalDist().inv_cdf(1.0 - alpha / 2.0) * math.sqrt(
        rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b)
    decision = _direction(estimate, higher_is_better) if p <= alpha else NO_DIFFERENCE
    return FixedSampleResult(decision, rate_a, rate_b, estimate, estimate - half,
                             estimate + half, z, p)
