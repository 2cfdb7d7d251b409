"""`harness report RUN_DIR`: generate the Allure 3 report from the run's allure-results."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from harness.errors import EvidenceError
from harness.model import ExitCode
from harness.rundir import RunDir, open_run_dir
from harness.writers.allure import generate_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run directory, e.g. reports/latest")


def run(args: argparse.Namespace) -> int:
    report = build_report(open_run_dir(args.run_dir))
    print(f"Allure report: {report / 'index.html'}")
    return ExitCode.GO


def build_report(run_dir: RunDir, allure: str | None = None) -> Path:
    if not run_dir.allure_results.is_dir() or not any(run_dir.allure_results.iterdir()):
        raise EvidenceError("no Allure results: run `harness verdict` first",
                            path=str(run_dir.allure_results))
    name = f"Launch gate {run_dir.run_id}"
    return generate_report(run_dir.allure_results, run_dir.allure_report, name,
                           allure=allure or os.environ.get("HARNESS_ALLURE"))
