"""Holm's step-down adjustment across the metrics of one release decision.

A release fails when *any* guardrail shows harm, so without adjustment four metrics at 5 %
would raise a false alarm about one release in five; Holm keeps the family-wise rate at alpha
and is never less powerful than Bonferroni.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["holm"]


def holm(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm-adjusted p-values in the input order; nan entries stay nan and do not count."""
    indexed = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(indexed)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return tuple(adjusted)
