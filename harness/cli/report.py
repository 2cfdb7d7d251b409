"""`harness report RUN_DIR`: generate the Allure 3 report from the run's allure-results.

The report is one self-contained index.html: it opens from disk (a double-click, a CI
artifact), where a multi-file Allure report only spins. It carries the release history (Allure's
own history file, kept in the run's history folder) and the gate's verdict in the "Quality
Gates" tab.
"""

from __future__ import annotations

import argparse
import os
import webbrowser
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.model import ExitCode
from harness.record.history import ALLURE_HISTORY_FILE
from harness.rundir import RunDir, open_run_dir
from harness.writers.allure import generate_report
from harness.writers.json_verdict import read_document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run directory, e.g. reports/latest")
    parser.add_argument("--history", metavar="DIR",
                        help="history folder whose Allure history the report shows and extends "
                             "(default: the one the run was sealed into)")
    parser.add_argument("--open", action="store_true",
                        help="open the report in the default browser when it is written")


def run(args: argparse.Namespace) -> int:
    run_dir = open_run_dir(args.run_dir)
    history = Path(args.history) if args.history else None
    report = build_report(run_dir, history=history)
    index = report / "index.html"
    print(f"Allure report (one file, opens from disk): {index}")
    if args.open:
        webbrowser.open(index.resolve().as_uri())
    return ExitCode.GO


def build_report(run_dir: RunDir, allure: str | None = None,
                 history: Path | None = None) -> Path:
    if not run_dir.allure_results.is_dir() or not any(run_dir.allure_results.iterdir()):
        raise EvidenceError("no Allure results: run `harness verdict` first",
                            path=str(run_dir.allure_results))
    verdict = _verdict(run_dir)
    folder = history or _sealed_history(verdict)
    name = f"Launch gate {run_dir.run_id}"
    return generate_report(run_dir.allure_results, run_dir.allure_report, name,
                           allure=allure or os.environ.get("HARNESS_ALLURE"),
                           history_file=folder / ALLURE_HISTORY_FILE if folder else None,
                           verdict=verdict)


def _verdict(run_dir: RunDir) -> dict[str, Any] | None:
    try:
        return read_document(run_dir.path / "verdict.json")
    except EvidenceError:
        return None


def _sealed_history(verdict: dict[str, Any] | None) -> Path | None:
    record = (verdict or {}).get("record")
    if isinstance(record, dict) and record.get("history"):
        return Path(str(record["history"]))
    return None
