"""`harness diff RUN_A RUN_B`: what changed from one run to the other: every criterion whose
status changed and the biggest moves in measured values (p95, error ratio, conversion, steps).

RUN_A / RUN_B: run directories, verdict.json files, or run ids in the history (--history)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.model import ExitCode
from harness.record.changes import compare, describe_move, records
from harness.record.history import load_record, read_history
from harness.writers.json_verdict import read_document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_a", metavar="RUN_A", help="the earlier run")
    parser.add_argument("run_b", metavar="RUN_B", help="the later run")
    parser.add_argument("--history", metavar="DIR",
                        help="history folder to find run ids in (default: reports)")
    parser.add_argument("--top", type=int, default=10,
                        help="how many measured moves to show (default 10)")


def run(args: argparse.Namespace) -> int:
    history = Path(args.history or "reports")
    a, b = _document(args.run_a, history), _document(args.run_b, history)
    name_a, name_b = _name(a, args.run_a), _name(b, args.run_b)
    changes = compare(records(a), records(b), name_a, top=args.top)
    print(f"{name_a} ({a.get('decision')}) → {name_b} ({b.get('decision')})")
    if changes.empty:
        print("no criterion changed status and no measured value moved")
        return ExitCode.GO
    if changes.status:
        print(f"\nStatus changed ({len(changes.status)}):")
        for c in changes.status:
            print(f"  {c.before:>12} → {c.after:<12} {c.area}: {c.name}\n{'':31}{c.id}")
    if changes.moves:
        print("\nBiggest moves in measured values:")
        for m in changes.moves:
            print(f"  {m.kind:12} {m.area}: {m.name}\n{'':15}{describe_move(m)}")
    return ExitCode.GO


def _document(value: str, history: Path) -> dict[str, Any]:
    path = Path(value)
    if path.is_dir():
        return read_document(path / "verdict.json")
    if path.is_file():
        return read_document(path)
    for entry in reversed(read_history(history)):
        if entry.run_id == value:
            return load_record(history, entry)
    raise ConfigError(f"{value}: not a run directory, a verdict.json, or a run id in "
                      f"{history} (see `harness history`)")


def _name(document: dict[str, Any], given: str) -> str:
    run = document.get("run") or {}
    version = f" v{run['target_version']}" if run.get("target_version") else ""
    return f"{run.get('run_id') or given}{version}"
