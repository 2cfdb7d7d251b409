"""Minimum detectable effect: the smallest true difference a comparison of this size would find.

A guardrail is only evidence of "no regression" when the cohorts could have shown a regression
as large as its margin; otherwise a non-significant result is silence, not safety. Convention:
two-sided alpha (the same level as the reported interval) and the given power, normal
approximation, as in the 5,000-vs-5,000 figure of the domain brief (1.68 pp at 10 %).
"""

from __future__ import annotations

import math

from scipy.stats import norm

from harness.gray.proportions import z_two_sided

__all__ = ["mde_from_se", "mde_proportion"]


def _z_power(power: float) -> float:
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must lie in (0, 1), got {power}")
    return float(norm.ppf(power))


def mde_proportion(baseline: float, n_a: int, n_b: int, alpha: float = 0.05,
                   power: float = 0.8) -> float:
    """(z_{1-alpha/2} + z_power) * sqrt(p (1 - p) (1/n_a + 1/n_b)) for a baseline rate p.
    A baseline of 0 or 1 has no variance to estimate from: the rule of three stands in
    (p taken as 3/n), so an all-zero control does not claim perfect sensitivity."""
    if n_a <= 0 or n_b <= 0:
        return math.inf
    p = baseline
    if p <= 0.0 or p >= 1.0:
        edge = 3.0 / min(n_a, n_b)
        p = min(edge, 0.5) if p <= 0.0 else max(1.0 - edge, 0.5)
    se = math.sqrt(p * (1.0 - p) * (1.0 / n_a + 1.0 / n_b))
    return mde_from_se(se, alpha, power)


def mde_from_se(se: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """(z_{1-alpha/2} + z_power) * se: the MDE implied by a standard error (or an interval's
    half-width divided by z_{1-alpha/2}); inf when the standard error is unknown."""
    if math.isnan(se):
        return math.inf
    return (z_two_sided(alpha) + _z_power(power)) * se
