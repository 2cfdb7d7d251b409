"""Fakes at the collector seam: the samples a check of a store with given numbers would yield."""

from __future__ import annotations

from collections.abc import Mapping

from harness_contract.escort import DEFAULT_QUERIES, DEFAULT_STEPS, EscortSample

T0 = 1_780_000_000.0
GOOD: dict[str, float | None] = {
    "purchase_requests": 1000.0, "purchase_errors": 0.0, "quotes": 300.0, "payments": 120.0,
    "policies": 120.0, "paid_without_policy": 0.0, "premium_mismatches": 0.0,
    "health_errors": 3.0, "p95_seconds": 0.2}


def samples(check: int, values: Mapping[str, float | None] | None = None,
            error: str | None = None, interval_s: float = 60.0,
            cohorts: tuple[str, ...] = ("gray", "control")) -> list[EscortSample]:
    """Every quantity of one check; whole-store values as given, each cohort half of them."""
    chosen = {**GOOD, **(values or {})}
    out = []
    for quantity, template in DEFAULT_QUERIES.items():
        steps: list[str | None] = list(DEFAULT_STEPS) if "{step}" in template else [None]
        for step in steps:
            for cohort in (*cohorts, "all"):
                value = None if error else chosen.get(quantity)
                if value is not None and cohort != "all" and quantity != "p95_seconds":
                    value = value / 2
                out.append(EscortSample(
                    check=check, at=T0 + (check + 1) * interval_s, window_seconds=interval_s,
                    quantity=quantity, cohort=cohort, value=value,
                    series=0 if value is None else 1, query=template, error=error, step=step))
    return out
