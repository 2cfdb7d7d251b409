"""`harness verify RUN`: recompute every hash of a sealed run and name each file that changed
since its verdict. Exit 0 intact, 1 anything changed (or never sealed), 2 usage error."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.model import ExitCode
from harness.record.verify import verify_run
from harness.rundir import open_run_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN", help="a run directory, e.g. reports/latest")
    parser.add_argument("--history", metavar="DIR",
                        help="history folder to check the chain against (default: the one the "
                             "run was sealed into)")


def run(args: argparse.Namespace) -> int:
    run_dir = open_run_dir(args.run_dir)
    result = verify_run(run_dir.path, Path(args.history) if args.history else None)
    for note in result.notes:
        print(f"note: {note}")
    if result.intact:
        print(f"{result.run_id}: intact ({result.files_checked} files, verdict and chain "
              "match their hashes)")
        return ExitCode.GO
    count = len(result.problems)
    plural = "s" if count > 1 else ""
    print(f"{result.run_id}: CHANGED since its verdict ({count} problem{plural}):")
    for problem in result.problems:
        print(f"  {problem}")
    return ExitCode.NO_GO
