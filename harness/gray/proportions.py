"""Intervals and tests for one proportion and for a difference of two proportions.

Wilson's score interval and Newcombe's hybrid-score interval for a difference (Newcombe 1998b,
method 10) are used because the Wald interval undercovers at the small rates a funnel has
(errors at 1 %, conversion at 10 %) and can leave [0, 1]; both are closed-form, so a gate can
recompute them from counts at any alpha.
"""

from __future__ import annotations

import math

from scipy.stats import norm

__all__ = ["newcombe_interval", "pooled_z_test", "wilson_interval", "z_two_sided"]


def z_two_sided(alpha: float) -> float:
    """The normal quantile z_{1-alpha/2} of a two-sided (1 - alpha) interval."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    return float(norm.ppf(1.0 - alpha / 2.0))


def wilson_interval(successes: int, total: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (no continuity correction); (nan, nan) when there are no trials."""
    _check_counts(successes, total)
    if total == 0:
        return (math.nan, math.nan)
    z = z_two_sided(alpha)
    p = successes / total
    denom = 1.0 + z * z / total
    centre = (p + z * z / (2.0 * total)) / denom
    half = z * math.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_interval(successes_a: int, total_a: int, successes_b: int, total_b: int,
                      alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_a - p_b, built from the two Wilson intervals."""
    if total_a == 0 or total_b == 0:
        return (math.nan, math.nan)
    p_a, p_b = successes_a / total_a, successes_b / total_b
    low_a, high_a = wilson_interval(successes_a, total_a, alpha)
    low_b, high_b = wilson_interval(successes_b, total_b, alpha)
    diff = p_a - p_b
    low = diff - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = diff + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return (low, high)


def pooled_z_test(successes_a: int, total_a: int, successes_b: int,
                  total_b: int) -> tuple[float, float]:
    """Two-sided z test of p_a = p_b with the pooled variance: (z, p). p is 1 when both rates
    are 0 or 1 (no variance: nothing to test), nan without trials."""
    _check_counts(successes_a, total_a)
    _check_counts(successes_b, total_b)
    if total_a == 0 or total_b == 0:
        return (math.nan, math.nan)
    pooled = (successes_a + successes_b) / (total_a + total_b)
    var = pooled * (1.0 - pooled) * (1.0 / total_a + 1.0 / total_b)
    diff = successes_a / total_a - successes_b / total_b
    if var <= 0.0:
        return (0.0, 1.0)
    z = diff / math.sqrt(var)
    return (z, float(2.0 * norm.sf(abs(z))))


def _check_counts(successes: int, total: int) -> None:
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
