"""Welch comparison of two means from summary statistics (count, mean, variance).

Used for counts per user (health-declaration views) and premium per policy, where the mean is
what a person asks about and samples are large; summaries keep the comparison free of arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import t as student_t

__all__ = ["MeanSummary", "WelchResult", "welch", "welch_noninferiority_p"]


@dataclass(frozen=True)
class MeanSummary:
    """Count, mean and sample variance (ddof=1) of one cohort's observations."""

    n: int
    mean: float
    variance: float


@dataclass(frozen=True)
class WelchResult:
    """b.mean - a.mean with its (1 - alpha) interval, standard error, df and two-sided p."""

    difference: float
    low: float
    high: float
    se: float
    df: float
    p_value: float


def welch(a: MeanSummary, b: MeanSummary, alpha: float = 0.05) -> WelchResult:
    """Welch's unequal-variance t comparison of b against a; nan where a cohort has < 2 values.
    With zero variance on both sides the difference is exact (interval of width 0)."""
    nan = WelchResult(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    if a.n < 2 or b.n < 2:
        return nan
    va, vb = a.variance / a.n, b.variance / b.n
    diff = b.mean - a.mean
    se = math.sqrt(va + vb)
    if se == 0.0:
        return WelchResult(diff, diff, diff, 0.0, math.inf, 1.0 if diff == 0.0 else 0.0)
    df = (va + vb) ** 2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1))
    t_crit = float(student_t.ppf(1.0 - alpha / 2.0, df))
    p = float(2.0 * student_t.sf(abs(diff) / se, df))
    return WelchResult(diff, diff - t_crit * se, diff + t_crit * se, se, df, p)


def welch_noninferiority_p(result: WelchResult, margin: float) -> float:
    """One-sided p of H0 difference >= margin (lower is better) against difference < margin."""
    if math.isnan(result.se):
        return math.nan
    if result.se == 0.0:
        return 0.0 if result.difference < margin else 1.0
    return float(student_t.cdf((result.difference - margin) / result.se, result.df))
