"""Sample-ratio mismatch: are the cohort sizes what the configured split says they should be?

A split that drifted (a bucketing bug, a crash that drops gray users, bots) biases every metric
in ways no test can correct, so a mismatch makes the whole comparison untrustworthy (Kohavi,
Tang & Xu 2020, ch. 21). The test counts users, not events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import chisquare

__all__ = ["SampleRatio", "sample_ratio"]


@dataclass(frozen=True)
class SampleRatio:
    """Users per cohort, the expected gray share, and the chi-square goodness-of-fit test."""

    n_control: int
    n_gray: int
    expected_gray_share: float
    chi2: float
    p_value: float

    @property
    def observed_gray_share(self) -> float:
        total = self.n_control + self.n_gray
        return self.n_gray / total if total else math.nan


def sample_ratio(n_control: int, n_gray: int, expected_gray_share: float) -> SampleRatio:
    """Chi-square (df = 1) of the observed user counts against the configured split."""
    if not 0.0 < expected_gray_share < 1.0:
        raise ValueError(f"gray share must lie in (0, 1), got {expected_gray_share}")
    total = n_control + n_gray
    if total == 0:
        return SampleRatio(n_control, n_gray, expected_gray_share, math.nan, math.nan)
    expected = [total * (1.0 - expected_gray_share), total * expected_gray_share]
    res = chisquare([n_control, n_gray], f_exp=expected)
    return SampleRatio(n_control, n_gray, expected_gray_share, float(res.statistic),
                       float(res.pvalue))
