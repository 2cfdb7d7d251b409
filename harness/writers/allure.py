"""Allure results the pytest-bdd adapter cannot write: environment, executor, categories, and a
"Launch verdict" entry (one step per criterion) that a release manager opens first.

`generate_report` runs Allure 3 (npm package `allure`) over the results directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import ToolError
from harness.model import Decision, Status, Verdict
from harness.writers.markdown import render_markdown
from harness.writers.sentence import describe

ALLURE_STATUS = {Status.PASSED: "passed", Status.FAILED: "failed",
                  Status.INCONCLUSIVE: "broken", Status.WAIVED: "skipped",
                  Status.NOT_APPLICABLE: "skipped",
                  Status.SKIPPED: "skipped"}
_DECISION_STATUS = {Decision.GO: "passed", Decision.NO_GO: "failed",
                    Decision.INCONCLUSIVE: "broken"}

CATEGORIES = [
    {"name": "Criterion failed (release blocked)", "matchedStatuses": ["failed"]},
    {"name": "Inconclusive: evidence missing or invalid", "matchedStatuses": ["broken"],
     "messageRegex": ".*(inconclusive|evidence|missing|invalid).*"},
    {"name": "Harness or tool failure", "matchedStatuses": ["broken"]},
    {"name": "Waived or skipped", "matchedStatuses": ["skipped"]},
]


def write_allure_extras(verdict: Verdict, results_dir: Path,
                        environment: Mapping[str, str]) -> None:
    write_run_files(results_dir, environment, str(verdict.run.get("run_id", "")),
                    f"Launch verdict: {verdict.decision.value}")
    _write_verdict_result(verdict, results_dir)


def write_run_files(results_dir: Path, environment: Mapping[str, str], build: str,
                    report_name: str) -> None:
    """environment.properties, categories.json and executor.json of a results folder (a gate
    run's, an escort's)."""
    results_dir.mkdir(parents=True, exist_ok=True)
    props = "\n".join(f"{k}={_escape(v)}" for k, v in environment.items())
    (results_dir / "environment.properties").write_text(props + "\n", encoding="utf-8")
    (results_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2), "utf-8")
    executor = {"name": "launch-harness", "type": "launch-harness", "buildName": build,
                "reportName": report_name}
    (results_dir / "executor.json").write_text(json.dumps(executor, indent=2), "utf-8")


def _write_verdict_result(verdict: Verdict, results_dir: Path) -> None:
    now_ms = int(time.time() * 1000)
    md_name = "launch-verdict-attachment.md"  # fixed names: a re-judge replaces, not adds
    (results_dir / md_name).write_text(render_markdown(verdict), encoding="utf-8")
    steps: list[dict[str, Any]] = []
    for c in verdict.criteria:
        steps.append({"name": f"[{c.status.value}] {c.feature}: {c.scenario}",
                      "status": ALLURE_STATUS[c.status], "stage": "finished",
                      "statusDetails": {"message": describe(c)},
                      "start": now_ms, "stop": now_ms})
    reasons = "; ".join(verdict.reasons) or "every required criterion passed"
    result = {
        "uuid": str(uuid.uuid4()), "historyId": "launch-verdict",
        "name": f"Launch verdict: {verdict.decision.value}",
        "fullName": "launch-harness.verdict", "status": _DECISION_STATUS[verdict.decision],
        "stage": "finished",
        "statusDetails": {"message": f"{verdict.decision.value}: {reasons}"},
        "description": render_markdown(verdict),
        "steps": steps, "start": now_ms, "stop": now_ms,
        "attachments": [{"name": "verdict.md", "source": md_name, "type": "text/markdown"}],
        "labels": [{"name": "suite", "value": "Launch verdict"},
                   {"name": "feature", "value": "Launch verdict"},
                   {"name": "severity", "value": "blocker"}],
    }
    (results_dir / "launch-verdict-result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def find_allure(start: Path, configured: str | None = None) -> str | None:
    """The Allure 3 executable: the configured one, else node_modules/.bin/allure in `start`
    or a folder above it (where `npm install allure` puts it), else `allure` on PATH."""
    if configured:
        return configured
    for folder in (start, *start.parents):
        local = folder / "node_modules" / ".bin" / "allure"
        if local.exists():
            return str(local)
    return shutil.which("allure")


def generate_report(results_dir: Path, report_dir: Path, name: str = "Launch harness", *,
                    allure: str | None = None, history_file: Path | None = None,
                    verdict: Mapping[str, Any] | None = None, single_file: bool = True,
                    quality_gate: Mapping[str, Any] | None = None) -> Path:
    """Run Allure 3 over `results_dir`; raises ToolError with the fix when it cannot.

    `single_file`: one self-contained index.html (opens from disk, a double-click or a CI
    artifact; Allure's awesome plugin option `singleFile`). `history_file`: Allure's own
    JSON-lines history (config `historyPath`): read for the History and trend, then appended.
    `verdict`: the verdict.json document, shown in Allure's "Quality Gates" tab (or
    `quality_gate`: one quality-gate result, e.g. the escort's)."""
    if quality_gate is None and verdict is not None:
        quality_gate = quality_gate_result(verdict)
    executable = find_allure(report_dir.resolve().parent, allure)
    if executable is None:
        raise ToolError("Allure 3 is not installed: `npm install allure@3` in your project "
                        "(or set [report] allure / $HARNESS_ALLURE to its path)")
    with tempfile.TemporaryDirectory(prefix="harness-allure-") as scratch:
        config = _write_config(Path(scratch), name, history_file, single_file)
        command = [executable, "generate", str(results_dir), "-o", str(report_dir),
                   "--config", str(config)]
        if quality_gate is not None:
            command += ["--dump", str(_write_quality_gate_dump(Path(scratch), quality_gate))]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ToolError(f"Allure could not run ({' '.join(command)}): {exc}") from exc
    if done.returncode != 0 or not (report_dir / "index.html").exists():
        raise ToolError(f"Allure failed with exit {done.returncode}: "
                        f"{(done.stderr or done.stdout).strip()[-800:]}")
    _strip_analytics(report_dir / "index.html")
    return report_dir


_ANALYTICS = '<script async src="https://www.googletagmanager.com/gtag/js'


def _strip_analytics(index: Path) -> None:
    """Allure 3.18's awesome report always embeds Google Analytics (`analyticsEnable: true`
    in @allurereport/plugin-awesome, no option): opening the verdict of an insurer's release
    would call www.googletagmanager.com with the report's id. Remove that block (the loader
    script and the gtag() script after it), nothing else."""
    text = index.read_text(encoding="utf-8")
    start = text.find(_ANALYTICS)
    if start < 0:
        return
    first = text.find("</script>", start)
    second = text.find("</script>", first + 1)
    if first < 0 or second < 0 or "gtag(" not in text[first:second]:
        return
    index.write_text(text[:start] + text[second + len("</script>"):], encoding="utf-8")


def _write_config(folder: Path, name: str, history_file: Path | None, single_file: bool) -> Path:
    """An allurerc.json for this report only (the user's own allurerc is not read)."""
    config: dict[str, Any] = {"name": name, "plugins": {"awesome": {"options": {
        "singleFile": single_file, "reportName": name}}}}
    if history_file is not None:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        config["historyPath"] = str(history_file.resolve())
    path = folder / "allurerc.json"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


QUALITY_GATE_RULE = "launch-harness verdict"
# `allure generate` runs no quality gate itself (only `allure run` / `allure quality-gate` do,
# and they evaluate Allure's own rules over test results); what the "Quality Gates" tab shows
# comes from the report's store, which `--dump ARCHIVE` restores. So the gate's decision goes
# in as a dump archive holding an empty store plus one quality-gate result (Allure 3.18 format:
# @allurereport/plugin-api AllureStoreDumpFiles).
_EMPTY_DUMP: dict[str, Any] = {
    "test-results.json": {}, "test-cases.json": {}, "fixtures.json": {},
    "attachments.json": {}, "environments.json": [], "report-variables.json": {},
    "global-attachments.json": [], "global-errors.json": [],
    "index-attachments-by-test-results.json": {}, "index-test-results-by-history-id.json": {},
    "index-test-results-by-test-case.json": {}, "index-attachments-by-fixture.json": {},
    "index-fixtures-by-test-result.json": {},
}


def quality_gate_result(verdict: Mapping[str, Any]) -> dict[str, Any]:
    decision = str(verdict.get("decision", "INCONCLUSIVE"))
    reasons = [str(r) for r in verdict.get("reasons") or ()]
    message = (f"Launch verdict {decision}: " + ("; ".join(reasons[:5]) if reasons
               else "every required criterion passed"))
    return {"rule": QUALITY_GATE_RULE, "success": decision == Decision.GO.value,
            "actual": decision, "expected": Decision.GO.value, "message": message,
            "environment": "default", "testResults": []}


def _write_quality_gate_dump(folder: Path, gate: Mapping[str, Any]) -> Path:
    path = folder / "launch-verdict-quality-gate.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for entry, content in _EMPTY_DUMP.items():
            archive.writestr(entry, json.dumps(content))
        archive.writestr("quality-gate-results.json",
                         json.dumps([dict(gate)], ensure_ascii=False))
    return path


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", " ").replace("=", "\\=")
