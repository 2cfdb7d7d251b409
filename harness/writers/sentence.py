"""One readable sentence per criterion: "observed 7 steps (threshold <= 5 steps)"."""

from __future__ import annotations

from harness.model import Criterion, Observed


def format_value(value: Observed, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and unit != "%" else f"{text}{unit}"


def describe(criterion: Criterion) -> str:
    """The criterion's own message, plus observed/threshold when the message lacks them."""
    o = criterion.outcome
    if o.comparator is None or o.threshold is None:
        return o.message
    measured = (f"observed {format_value(o.observed, o.unit)} "
                f"(threshold {o.comparator.value} {format_value(o.threshold, o.unit)})")
    return o.message if measured in o.message else f"{o.message} — {measured}"
