"""Cases per second of the corruption suite and the share of mutation kinds covered.

Judges a copy of tests/data/go_run corrupted one site at a time (tests/contract/corrupt.py),
in-process (tests/contract/judge.py), as tests/harness/test_corruption.py does, with a seeded
random choice of kind, file and site instead of Hypothesis. Baseline measured in the same run:
judging the unmutated evidence from scratch (every reader and gate, nothing reused), which is
what one case would cost without reuse. Prints cases/s, the ratio to the baseline, decisions,
raw errors, and per kind how many cases and how many sites exist.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_corruption.py [--cases 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.contract.corrupt import KINDS, all_sites, apply  # noqa: E402
from tests.contract.judge import judge  # noqa: E402

GO = ROOT / "tests" / "data" / "go_run"


def baseline(run: Path, repeats: int = 10) -> float:
    """Full judgements of the unmutated run per second (no outcome reused between calls)."""
    started = time.perf_counter()
    for _ in range(repeats):
        assert judge(run).verdict.decision.value == "GO"
    return repeats / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        shutil.copytree(GO, run)
        started = time.perf_counter()
        sites = all_sites(run)
        setup_s = time.perf_counter() - started
        base_before = baseline(run)
        rng = random.Random(args.seed)
        kinds: Counter[str] = Counter()
        decisions: Counter[str] = Counter()
        raw = 0
        started = time.perf_counter()
        for _ in range(args.cases):
            kind = rng.choice(KINDS)
            file = rng.choice(sorted(sites[kind]))
            site = rng.choice(sites[kind][file])
            original = (run / site.file).read_bytes()
            apply(run, site, rng.randrange(max(site.spread, 1)))
            try:
                judged = judge(run, share=True)
            finally:
                (run / site.file).write_bytes(original)
            kinds[kind] += 1
            decisions[judged.verdict.decision.value] += 1
            raw += bool(judged.raw_errors)
        elapsed = time.perf_counter() - started
        base_after = baseline(run)
    rate = args.cases / elapsed
    base = (base_before + base_after) / 2
    print(f"load average {os.getloadavg()[0]:.1f}; site enumeration {setup_s:.1f} s")
    print(f"corruption cases: {args.cases:,} in {elapsed:.1f} s = {rate:,.1f} cases/s")
    print(f"baseline, full judgement of the unmutated run: {base:,.1f}/s "
          f"(before {base_before:,.1f}, after {base_after:,.1f}); ratio {rate / base:.1f}x")
    print(f"decisions: {dict(decisions)}; cases with a raw Python error: {raw}")
    covered = sum(1 for k in KINDS if kinds[k])
    print(f"mutation kinds covered: {covered} of {len(KINDS)} ({covered / len(KINDS):.0%})")
    for k in KINDS:
        print(f"  {k:<16}{kinds[k]:>6} cases  {sum(map(len, sites[k].values())):>6} sites")
    return 1 if decisions["GO"] or raw else 0


if __name__ == "__main__":
    sys.exit(main())
