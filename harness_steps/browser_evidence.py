"""Browser evidence for the features: produce it (live) or find it (offline) in raw/browser.

Live, each (journey, viewport) is driven once per pytest session, by a browser worker process,
and its journey.json reused by every scenario that needs it; offline (`harness verdict`),
nothing is driven and whatever is on disk is judged. When `harness run`'s browser phase already
produced a folder for this target in this run directory (listed in raw/browser/.produced), it
is judged as it is, not driven again.
The journey for a product is `<journeys dir>/<product>.toml` (or `.py`) of the project, else
the demo shop's own `demo-<product>`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import allure
import pytest

from harness.errors import ConfigError, EvidenceError
from harness.pytest_plugin import scenario_of
from harness.readers.browser import JourneyEvidence, read_journey
from harness.readers.evidence_file import contract_record
from harness_contract.journey_plan import JOURNEYS_JSON, JourneyPlan
from harness_contract.pages import PAGES_JSON

DRIVE_TIMEOUT_S = 600.0


class BrowserEvidence:
    def __init__(self, run_dir: Path, offline: bool, store_url: Callable[[], str],
                 journeys_dir: Path | None, target: str | None = None,
                 allow_non_local: bool = False) -> None:
        self.root = run_dir / "raw" / "browser"
        self.offline = offline
        self._store_url = store_url
        self._journeys_dir = journeys_dir
        self._allow_non_local = allow_non_local
        self._produced: set[Path] = _produced_by_phase(self.root, target, journeys_dir)
        self._declared: JourneyPlan | None = None

    def declared(self) -> JourneyPlan:
        """What the journeys declare (viewports, not applicable, own target): the run's
        raw/browser/journeys.json; live without one, read from the journey files and kept
        there; offline without one, nothing (every criterion applies)."""
        if self._declared is None:
            path = self.root / JOURNEYS_JSON
            if not path.is_file() and not self.offline and self._journeys_dir is not None:
                _write_atomically(path, _check_journeys(self._journeys_dir))
            self._declared = (contract_record(path, JourneyPlan.from_json, "")
                              if path.is_file() else JourneyPlan())
        return self._declared

    def not_applicable(self, request: pytest.FixtureRequest, product: str,
                       viewport: str) -> str | None:
        """The journey's reason this scenario does not apply to `product` at `viewport`."""
        info = scenario_of(request.node)
        tags = info[2] if info is not None else ()
        return self.declared().product(product).why_not_applicable(viewport, tags)

    def journey(self, product: str, viewport: str) -> JourneyEvidence:
        out = self.root / product / viewport
        if not self.offline and out not in self._produced:
            self._produced.add(out)
            self._drive("journey", product, viewport)
        evidence = read_journey(out / "journey.json")
        _attach_screens(evidence)
        if (out / PAGES_JSON).is_file():  # the page versions seen (可回溯): hashes and files
            allure.attach.file(str(out / PAGES_JSON), name="page versions (pages.json)",
                               attachment_type=allure.attachment_type.JSON)
        return evidence

    def form_errors(self, product: str, viewport: str) -> Path:
        out = self.root / f"health-{product}" / viewport
        if not self.offline and out not in self._produced:
            self._produced.add(out)
            self._drive("form-errors", product, viewport)
        return out / "form-errors.json"

    def _drive(self, kind: str, product: str, viewport: str) -> None:
        """One journey or form check by a browser worker process (`python -m
        harness_browser.produce`, as the browser phase runs them): the steps never load
        Playwright, and a browser that hangs is stopped with its whole process group."""
        command = [sys.executable, "-m", "harness_browser.produce", "--run-dir",
                   str(self.root.parent.parent), "--base-url", self._store_url(),
                   f"--{kind}", f"{product}:{viewport}"]
        if self._allow_non_local:
            command.append("--allow-non-local")
        if self._journeys_dir is not None:
            command += ["--journeys", str(self._journeys_dir)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=DRIVE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise EvidenceError(f"the browser did not finish the {product} {kind} at "
                                f"{viewport} within {DRIVE_TIMEOUT_S:g} s") from None
        lines = err.strip().splitlines()
        if proc.returncode == 2:
            raise ConfigError(lines[-1] if lines else f"invalid journey for {product}")
        if proc.returncode != 0:
            raise EvidenceError(f"the browser could not drive the {product} {kind} at "
                                f"{viewport} (exit {proc.returncode}): "
                                f"{lines[-1] if lines else 'no message'}")


def _check_journeys(folder: Path) -> str:
    """journeys.json's text from the journey files (validated by the browser package, in a
    child process: step definitions never import it)."""
    done = subprocess.run([sys.executable, "-m", "harness_browser.journey_check", str(folder)],
                          capture_output=True, text=True, timeout=120, check=False)
    lines = done.stderr.strip().splitlines()
    if done.returncode == 2:
        raise ConfigError(lines[-1] if lines else f"{folder}: invalid journey")
    if done.returncode != 0:
        raise EvidenceError(f"{folder}: the journeys could not be checked (exit "
                            f"{done.returncode}): {lines[-1] if lines else 'no message'}")
    return done.stdout


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    part.write_text(text, encoding="utf-8")
    part.replace(path)


def _produced_by_phase(root: Path, target: str | None,
                       journeys_dir: Path | None) -> set[Path]:
    """Folders the browser phase produced for this very target and journeys (else none)."""
    marker = root / ".produced"
    if target is None or not marker.is_file():
        return set()
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # unreadable: drive live rather than judge unknown evidence
    journeys = str(journeys_dir.resolve()) if journeys_dir else None
    if data.get("target") != target.rstrip("/") or data.get("journeys") != journeys:
        return set()
    return {root / str(item["folder"]) for item in data.get("produced", [])}


def _attach_screens(evidence: JourneyEvidence) -> None:
    for step in evidence.steps:
        if step.screenshot and Path(step.screenshot).is_file():
            allure.attach.file(step.screenshot, name=f"step {step.index}: {step.description}",
                               attachment_type=allure.attachment_type.PNG)
    notice = evidence.notice or {}
    shot = notice.get("screenshot")
    if shot and Path(str(shot)).is_file():
        allure.attach.file(str(shot), name="cooling-off notice (outlined)",
                           attachment_type=allure.attachment_type.PNG)
