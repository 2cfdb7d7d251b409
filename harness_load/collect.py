"""Bring the evidence of a load run made outside `harness load` (Locust master and workers on
several machines, or the Helm chart) into the layout `harness verdict RUN_DIR` reads.

    python -m harness_load.collect RUN_DIR [--store URL]

Expects Locust's `--csv` outputs (locust_stats.csv ...), generator.jsonl, phases.json and
phase_stats.jsonl from the master, and every worker's purchase log under
RUN_DIR/raw/load/purchases/ (any depth). Renames the CSVs to the contract names, merges the
purchase logs into purchases.jsonl and, with --store, fetches the store's reconciliation into
RUN_DIR/raw/store/reconciliation.json. Judges nothing; prints what is still missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness_load.launcher import CSV_NAMES
from harness_load.purchases import merge_purchase_files
from harness_load.reconciliation import fetch_reconciliation

NEEDED = ("stats.csv", "stats_history.csv", "generator.jsonl", "phases.json",
          "phase_stats.jsonl", "purchases.jsonl")


def collect(run_dir: Path, store: str | None = None) -> list[str]:
    """Arrange RUN_DIR/raw/load; returns the evidence files still missing (empty: complete)."""
    load = run_dir / "raw" / "load"
    load.mkdir(parents=True, exist_ok=True)
    for src, dst in CSV_NAMES.items():
        if (load / src).is_file():
            os.replace(load / src, load / dst)
    parts = load / "purchases"
    if parts.is_dir():
        for nested in [p for p in parts.rglob("*.jsonl") if p.parent != parts]:
            os.replace(nested, parts / f"{nested.parent.name}-{nested.name}")
    merge_purchase_files(parts, load / "purchases.jsonl")
    missing = [n for n in NEEDED if not (load / n).is_file()]
    if store:
        error = fetch_reconciliation(store, run_dir / "raw" / "store" / "reconciliation.json")
        if error:
            missing.append(f"raw/store/reconciliation.json ({error})")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness_load.collect",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--store", help="base URL of the store, for GET /api/reconciliation")
    args = parser.parse_args(argv)
    missing = collect(args.run_dir, args.store)
    for name in missing:
        print(f"missing: {name} (its criteria will be INCONCLUSIVE)", file=sys.stderr)
    print(f"judge it with: harness verdict {args.run_dir}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
