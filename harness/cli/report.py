"""`harness report RUN_DIR`: generate the Allure 3 report from the run's allure-results.

RUN_DIR is a gate run (`harness run`) or a watch (`harness watch`: the escort's decisions, a
timeline per criterion and every check's features, from escort-state.json; mid-watch too).

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
from harness.record.history import ALLURE_HISTORY_FILE, ESCORT_ALLURE_HISTORY_FILE
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
    if is_watch(run_dir.path):
        report = build_escort_report(run_dir.path, history=history)
    else:
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


def is_watch(path: Path) -> bool:
    from harness.escort.state import STATE_FILE

    return (path / STATE_FILE).is_file()


def build_escort_report(run_dir: Path, allure: str | None = None,
                        history: Path | None = None) -> Path:
    """The watch's report, from its state (a finished, a running or a resumed watch)."""
    from harness.escort.allure import quality_gate, write_escort_results
    from harness.escort.report import shown
    from harness.escort.state import load_state

    state = load_state(run_dir)
    if state is None:
        raise EvidenceError("not a watch: no escort-state.json", path=str(run_dir))
    state, combined = shown(state)
    results = write_escort_results(run_dir, state, combined)
    folder = history or _sealed_history(_document(run_dir / "escort.json"))
    return generate_report(results, run_dir / "allure-report", f"Launch escort {state.run_id}",
                           allure=allure or os.environ.get("HARNESS_ALLURE"),
                           history_file=folder / ESCORT_ALLURE_HISTORY_FILE if folder
                           else None, quality_gate=quality_gate(combined))


def _document(path: Path) -> dict[str, Any] | None:
    try:
        return read_document(path)
    except EvidenceError:
        return None


def _verdict(run_dir: RunDir) -> dict[str, Any] | None:
    return _document(run_dir.path / "verdict.json")


def _sealed_history(verdict: dict[str, Any] | None) -> Path | None:
    record = (verdict or {}).get("record")
    if isinstance(record, dict) and record.get("history"):
        return Path(str(record["history"]))
    return None
