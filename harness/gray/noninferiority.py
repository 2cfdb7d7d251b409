"""Score test of a difference of two proportions against a non-zero null (a margin).

A non-inferiority test asks whether p_a - p_b = delta with delta != 0, so the variance must be
evaluated at the maximum-likelihood rates *restricted* to the null (Farrington & Manning 1990;
Miettinen & Nurminen 1985 add the factor N/(N-1)). statsmodels 0.15 gets exactly this case wrong
(issue 10269), so it is written out here and checked against Newcombe's published intervals.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq
from scipy.stats import norm

from harness.gray.proportions import z_two_sided

__all__ = ["noninferiority_p", "restricted_rates", "score_interval", "score_z"]

_EDGE = 1e-9


def restricted_rates(successes_a: int, total_a: int, successes_b: int, total_b: int,
                     delta: float) -> tuple[float, float]:
    """MLE of (p_a, p_b) under p_a - p_b = delta: the closed-form root of FM's cubic."""
    p_a, p_b = successes_a / total_a, successes_b / total_b
    theta = total_b / total_a
    a = 1.0 + theta
    b = -(1.0 + theta + p_a + theta * p_b + delta * (theta + 2.0))
    c = delta * delta + delta * (2.0 * p_a + theta + 1.0) + p_a + theta * p_b
    d = -p_a * delta * (1.0 + delta)
    v = b**3 / (27.0 * a**3) - b * c / (6.0 * a * a) + d / (2.0 * a)
    u_sq = b * b / (9.0 * a * a) - c / (3.0 * a)
    u = math.copysign(math.sqrt(max(u_sq, 0.0)), v)
    ratio = 0.0 if u == 0.0 else max(-1.0, min(1.0, v / u**3))
    w = (math.pi + math.acos(ratio)) / 3.0
    rest_a = 2.0 * u * math.cos(w) - b / (3.0 * a)
    rest_a = min(1.0, max(0.0, rest_a))
    rest_b = min(1.0, max(0.0, rest_a - delta))
    return rest_a, rest_b


def score_z(successes_a: int, total_a: int, successes_b: int, total_b: int, delta: float,
            *, miettinen_nurminen: bool = False) -> float:
    """Score statistic of H0: p_a - p_b = delta (Farrington-Manning; with the N/(N-1) factor
    when `miettinen_nurminen`). Positive when the observed difference exceeds delta."""
    if total_a == 0 or total_b == 0:
        return math.nan
    rest_a, rest_b = restricted_rates(successes_a, total_a, successes_b, total_b, delta)
    var = rest_a * (1.0 - rest_a) / total_a + rest_b * (1.0 - rest_b) / total_b
    if miettinen_nurminen:
        n = total_a + total_b
        var *= n / (n - 1.0)
    diff = successes_a / total_a - successes_b / total_b - delta
    if var <= 0.0:
        return 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(var)


def noninferiority_p(successes_a: int, total_a: int, successes_b: int, total_b: int,
                     delta: float, *, higher_is_better: bool) -> float:
    """One-sided Farrington-Manning p-value that `a` is not worse than `b` by more than |delta|.

    higher_is_better: H0 p_a - p_b <= -|delta| against H1 p_a - p_b > -|delta| (conversion);
    otherwise H0 p_a - p_b >= |delta| against H1 p_a - p_b < |delta| (error rates).
    """
    margin = abs(delta)
    null = -margin if higher_is_better else margin
    z = score_z(successes_a, total_a, successes_b, total_b, null)
    if math.isnan(z):
        return math.nan
    return float(norm.sf(z) if higher_is_better else norm.cdf(z))


def score_interval(successes_a: int, total_a: int, successes_b: int, total_b: int,
                   alpha: float = 0.05, *, miettinen_nurminen: bool = True) -> tuple[float, float]:
    """The (1 - alpha) interval for p_a - p_b that inverts the score test (Miettinen-Nurminen by
    default): the set of deltas the two-sided test does not reject."""
    if total_a == 0 or total_b == 0:
        return (math.nan, math.nan)
    z_crit = z_two_sided(alpha)
    diff = successes_a / total_a - successes_b / total_b

    def excess(delta: float) -> float:
        z = score_z(successes_a, total_a, successes_b, total_b, delta,
                    miettinen_nurminen=miettinen_nurminen)
        return abs(z) - z_crit

    low = -1.0 if excess(-1.0 + _EDGE) <= 0 else brentq(excess, -1.0 + _EDGE, diff, xtol=1e-12)
    high = 1.0 if excess(1.0 - _EDGE) <= 0 else brentq(excess, diff, 1.0 - _EDGE, xtol=1e-12)
    return (float(low), float(high))
