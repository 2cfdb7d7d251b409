"""The evidence of one metric in both cohorts, as frozen values a gate can judge.

Each sample keeps the sufficient statistics (counts, summaries, or the sorted per-user values
for rank methods) rather than a verdict, so a gate can recompute its interval at its own alpha
and its own margin; `p_value` is the two-sided test of "no difference" and `p_holm` the same
after Holm's adjustment across the guardrails of one decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from harness.gray.means import MeanSummary

__all__ = ["DurationSample", "MeanSample", "ProportionSample"]


@dataclass(frozen=True)
class ProportionSample:
    """Users with an event (successes) among users eligible for it (total), per cohort."""

    name: str
    label: str
    control_successes: int
    control_total: int
    gray_successes: int
    gray_total: int
    p_value: float = math.nan
    p_holm: float = math.nan

    @property
    def control_ratio(self) -> float:
        return self.control_successes / self.control_total if self.control_total else math.nan

    @property
    def gray_ratio(self) -> float:
        return self.gray_successes / self.gray_total if self.gray_total else math.nan

    @property
    def difference(self) -> float:
        """gray - control, as a 0-1 ratio difference."""
        return self.gray_ratio - self.control_ratio


@dataclass(frozen=True, eq=False)
class DurationSample:
    """One value per user (seconds), sorted and read-only, per cohort."""

    name: str
    label: str
    control_s: NDArray[np.float64]
    gray_s: NDArray[np.float64]
    p_value: float = math.nan
    p_holm: float = math.nan

    @property
    def control_median_s(self) -> float:
        return float(np.median(self.control_s)) if len(self.control_s) else math.nan

    @property
    def gray_median_s(self) -> float:
        return float(np.median(self.gray_s)) if len(self.gray_s) else math.nan


@dataclass(frozen=True)
class MeanSample:
    """Count, mean and variance per cohort of a per-user or per-policy quantity."""

    name: str
    label: str
    unit: str
    control: MeanSummary
    gray: MeanSummary
    p_value: float = math.nan
    p_holm: float = math.nan
