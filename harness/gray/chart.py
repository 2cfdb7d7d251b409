"""PNG charts of a gray comparison: the funnel (share of starters reaching each step) and the
distribution of time on the application page. Matplotlib's object API with the Agg canvas, so
no display, no pyplot global state, and safe inside a test process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from harness.gray.comparison import GrayComparison
from harness.gray.proportions import wilson_interval

__all__ = ["write_charts"]

_COLOURS = {"control": "#4c72b0", "gray": "#dd8452"}


def write_charts(comparison: GrayComparison, out_dir: Path, alpha: float = 0.05) -> list[Path]:
    """Write funnel.png and duration.png into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_funnel(comparison, out_dir / "funnel.png", alpha),
            _duration(comparison, out_dir / "duration.png")]


def _funnel(comparison: GrayComparison, path: Path, alpha: float) -> Path:
    fig = Figure(figsize=(9, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    steps = comparison.funnel
    x = np.arange(len(steps))
    for offset, cohort in ((-0.2, "control"), (0.2, "gray")):
        ratios, lows, highs = [], [], []
        for s in steps:
            succ, total = ((s.control_successes, s.control_total) if cohort == "control"
                           else (s.gray_successes, s.gray_total))
            ratio = succ / total if total else np.nan
            low, high = wilson_interval(succ, total, alpha)
            ratios.append(ratio)
            below, above = _error_bar(ratio, low, high)
            lows.append(below)
            highs.append(above)
        ax.bar(x + offset, ratios, width=0.4, label=cohort, color=_COLOURS[cohort],
               yerr=[lows, highs], capsize=3)
    ax.set_xticks(x, [s.name.removeprefix("reached_") for s in steps], rotation=20, ha="right")
    ax.set_ylabel("share of users who started a journey")
    ax.set_ylim(0, 1)
    ax.set_title(f"Funnel by cohort ({int((1 - alpha) * 100)}% Wilson intervals)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _error_bar(ratio: float, low: float, high: float) -> tuple[float, float]:
    """Lengths below and above the bar: never negative (at 0 of n or n of n the Wilson bound
    lies a rounding error past the ratio, and matplotlib refuses a negative yerr), 0 without
    data (no users, no bar, no whisker)."""
    if not np.isfinite(ratio) or not np.isfinite(low) or not np.isfinite(high):
        return 0.0, 0.0
    return max(0.0, ratio - low), max(0.0, high - ratio)


def _duration(comparison: GrayComparison, path: Path) -> Path:
    fig = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    sample = comparison.application_duration
    for cohort, values in (("control", sample.control_s), ("gray", sample.gray_s)):
        if len(values):
            ecdf = np.arange(1, len(values) + 1) / len(values)
            step = max(1, len(values) // 2000)  # an ECDF needs no more than ~2,000 points
            ax.step(values[::step], ecdf[::step], where="post", color=_COLOURS[cohort],
                    label=f"{cohort} (n={len(values):,}, median {np.median(values):.1f} s)")
    ax.set_xscale("symlog")
    ax.set_xlabel("time on the application page per user, s (log scale)")
    ax.set_ylabel("share of users at or below")
    ax.set_title("Time on the application page")
    if len(sample.control_s) or len(sample.gray_s):
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
