"""The real gate, as a user runs it: `harness run` on the demo shop's releases.

Marked `gate`: minutes of real Chromium, Locust and Allure; `make test` runs these after the
parallel part, one at a time, so a busy machine does not make the load test invalid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project.maker import tool_paths

pytestmark = [pytest.mark.gate, pytest.mark.slow]


def harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd, text=True,
                          env={**os.environ, **tool_paths()}, capture_output=True, timeout=900,
                          check=False)


def latest(reports: Path) -> Path:
    return (reports / "latest").resolve()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory,
             demo_project: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path_factory.mktemp("reports")
    done = harness("run", "--reports", str(reports), cwd=demo_project)
    return done, latest(reports)


def test_good_release_is_go_with_every_output(good_run: tuple[subprocess.CompletedProcess[str],
                                                              Path]) -> None:
    done, run = good_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    verdict = json.loads((run / "verdict.json").read_text())
    assert verdict["decision"] == "GO"
    statuses = {c["status"] for c in verdict["criteria"]}
    assert statuses == {"passed", "not_applicable"}
    # only the uncertainty rule (监管办法 art. 14) does not apply, to the products whose journeys
    # declare their benefits guaranteed (travel, medical), and it says so
    not_applicable = [c for c in verdict["criteria"] if c["status"] == "not_applicable"]
    assert not_applicable and all("REQ-UNCERTAINTY" in c["tags"] and "guaranteed" in c["message"]
                                  for c in not_applicable), not_applicable
    areas = {c["tags"][0] for c in verdict["criteria"]} | {
        t for c in verdict["criteria"] for t in c["tags"]}
    for area in ("purchase_flow", "disclosures", "health_declaration", "capacity", "integrity",
                 "gray_release"):
        assert area in areas
    assert (run / "junit.xml").read_text().count("<testcase") == len(verdict["criteria"])
    assert (run / "allure-report" / "index.html").is_file()
    assert (run / "raw" / "load" / "report.html").is_file()
    assert list((run / "raw" / "browser").glob("*/*/step-01.png"))
    assert "Decision: GO" in done.stdout


def test_deleted_evidence_makes_the_rejudge_inconclusive(
        good_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, run = good_run
    (run / "raw" / "load" / "stats.csv").unlink()
    done = harness("verdict", str(run), cwd=run)
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    text = (run / "verdict.md").read_text()
    assert text.startswith("# Launch verdict: INCONCLUSIVE")
    why = text.split("## Why")[1].split("## ")[0]
    assert "stats.csv" in why
    assert "Few requests fail under load" in why
    assert (run / "previous-verdict.json").is_file()  # the first judgement is kept


@pytest.mark.parametrize(("variant", "options", "named"), [
    ("notice-covered", ("--areas", "disclosures"), "notice of medical is fully visible"),
    ("notice-below-fold", ("--areas", "disclosures"), "at phone"),
    ("long-flow", ("--areas", "purchase_flow"), "Buying medical takes at most 5 steps"),
    ("preticked-consent", ("--areas", "regulation"), "Nothing is ticked by default on any screen"),
    ("unclear-errors", ("--areas", "health_declaration"),
     "A missing answer of medical is explained"),
    ("lost-policies", ("--areas", "integrity", "--skip", "gray"), "One policy per paid purchase"),
    ("gray-regression", ("--areas", "gray_release", "--skip", "load"), "灰度组转化率不比对照组差"),
])
def test_bad_release_is_no_go_naming_its_criterion(tmp_path: Path, demo_project: Path,
                                                   variant: str, options: tuple[str, ...],
                                                   named: str) -> None:
    done = harness("run", "--variant", variant, "--reports", str(tmp_path), "--no-report",
                   *options, cwd=demo_project)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    text = (latest(tmp_path) / "verdict.md").read_text()
    assert text.startswith("# Launch verdict: NO-GO")
    why = text.split("## Why")[1].split("## ")[0]
    assert named in why
    assert "only these areas were judged" in text


def test_non_local_target_is_refused_before_anything_runs(tmp_path: Path,
                                                          demo_project: Path) -> None:
    done = harness("run", "--target", "http://10.1.2.3:8000", "--reports", str(tmp_path),
                   cwd=demo_project)
    assert done.returncode == 2
    assert "127.0.0.0/8" in done.stderr or "loopback" in done.stderr
    assert not (tmp_path / "latest").exists()


def test_unknown_area_is_a_usage_error(tmp_path: Path, demo_project: Path) -> None:
    done = harness("run", "--areas", "weather", "--reports", str(tmp_path), cwd=demo_project)
    assert done.returncode == 2
    assert "unknown area(s) weather" in done.stderr
