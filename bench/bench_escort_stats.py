"""Benchmark: the escort's statistics at one check, and over a simulated 72-hour watch.

    .venv/bin/python bench/bench_escort_stats.py [--checks 288] [--series 1 10 100]

At the last check of a watch of `--checks` intervals (288 = 72 h every 15 min) and for 1, 10
and 100 series per criterion, times what the judge does from the counts alone (no Prometheus):
replaying the anytime-valid gray-vs-control state over every check so far (as a watch that
keeps no state in memory does), the burn-rate pairs at the last check, and the complaint
screen (ratio, top categories, jumps); next to it, the bare baseline of one fixed-sample
z-test per check per series. Then runs the whole watch check after check, carrying each
series' state (saved as JSON after every check, as `harness watch` persists it), and reports
its time and the peak memory tracemalloc sees (the time includes tracemalloc's overhead).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from harness.escort.burn import evaluate_burn
from harness.escort.complaints import category_jumps, complaint_ratio, top_categories
from harness.escort.stats import SequentialState, fixed_sample_compare
from harness_contract.complaints import ComplaintWindow

T0 = 1_796_000_000.0
INTERVAL_S = 900.0


def counts(checks: int, seed: int) -> np.ndarray:
    """Cumulative (quotes->policies) counts per check: gray x, gray n, control x, control n."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(20, (checks, 2))
    x = rng.binomial(n, 0.1)
    return np.cumsum(np.stack([x[:, 0], n[:, 0], x[:, 1], n[:, 1]], axis=1), axis=0)


def complaint_windows(checks: int, seed: int) -> list[ComplaintWindow]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(checks):
        c = {k: int(v) for k, v in zip(("payment", "policy", "premium", "page"),
                                       rng.poisson(0.5, 4), strict=True) if v}
        out.append(ComplaintWindow(i, T0 + i * INTERVAL_S, T0 + (i + 1) * INTERVAL_S, c,
                                   sum(c.values()), 0))
    return out


def one_check(series: list[np.ndarray], burn: list[list[tuple[float, float, float]]],
              windows: list[ComplaintWindow], upto: int) -> None:
    for s, b in zip(series, burn, strict=True):
        state = SequentialState()
        for row in s[:upto]:
            state.update(*(float(v) for v in row))
        evaluate_burn(b[:upto])
    complaint_ratio(windows[:upto], 1000.0)
    top_categories(windows[:upto])
    category_jumps(windows[:upto])


def watch(series: list[np.ndarray], burn: list[list[tuple[float, float, float]]],
          windows: list[ComplaintWindow], checks: int) -> tuple[float, int]:
    """The whole watch, check after check, each series' state carried (and saved as JSON, as
    the watch persists it); (seconds, peak traced bytes)."""
    tracemalloc.start()
    start = time.perf_counter()
    states = [SequentialState() for _ in series]
    saved = [""] * len(series)
    for upto in range(1, checks + 1):
        for i, (s, b) in enumerate(zip(series, burn, strict=True)):
            states[i].update(*(float(v) for v in s[upto - 1]))
            saved[i] = states[i].to_json()
            evaluate_burn(b[:upto])
        complaint_ratio(windows[:upto], 1000.0)
        top_categories(windows[:upto])
        category_jumps(windows[:upto])
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def baseline(series: list[np.ndarray], upto: int) -> None:
    for s in series:
        for row in s[:upto]:
            fixed_sample_compare(*(float(v) for v in row))


def timed(fn: Callable[[], None], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=288)
    parser.add_argument("--series", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    windows = complaint_windows(args.checks, 3)
    for n in args.series:
        series = [counts(args.checks, seed) for seed in range(n)]
        burn = [[(T0 + i * INTERVAL_S, float(r[0] - (s[i - 1][0] if i else 0)),
                  float(r[1] - (s[i - 1][1] if i else 0))) for i, r in enumerate(s)]
                for s in series]
        last = timed(lambda: one_check(series, burn, windows, args.checks))  # noqa: B023
        bare = timed(lambda: baseline(series, args.checks))  # noqa: B023
        whole, peak = watch(series, burn, windows, args.checks)
        print(f"{n:>4} series: last check {last * 1000:8.1f} ms (bare z-tests "
              f"{bare * 1000:7.1f} ms, x{last / bare:.1f}); whole {args.checks}-check watch "
              f"{whole:6.1f} s, peak traced memory {peak / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
