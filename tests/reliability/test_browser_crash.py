"""Chromium crashing mid-journey (issue 11, item 6): the browser phase's worker (`python -m
harness_browser.produce`, as `harness run` starts it) has its Chromium SIGKILLed after the
journey's first screen. The journey's record says "the browser crashed" in one line, the next
item gets a new browser, and `harness verdict` on that evidence makes the journey's criterion
INCONCLUSIVE "the browser crashed", never FAILED; nothing of the browser is left running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from harness.cli import main
from harness.gates.browser import flow_length_gate
from harness.model import ExitCode, Status
from harness.readers.browser import read_journey
from tests.project.maker import make_demo_project

from .gate_process import TAG, tagged_processes

ROOT = Path(__file__).resolve().parents[2]


def _browser_main(pid: int) -> list[psutil.Process]:
    """Chromium's browser process(es) under `pid` (its helpers carry --type=...)."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if cmd and "chrom" in Path(cmd[0]).name and not any(a.startswith("--type=")
                                                             for a in cmd):
            found.append(child)
    return found


def _crash_mid_journey(run_dir: Path, shop_url: str, tag: str) -> tuple[int, str, str]:
    env = {**os.environ, TAG: tag, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness_browser.produce", "--run-dir", str(run_dir),
         "--base-url", shop_url, "--journey", "medical:desktop",
         "--form-errors", "medical:desktop"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    journey = run_dir / "raw" / "browser" / "medical" / "desktop"
    try:
        deadline = time.monotonic() + 90
        while not any(journey.glob("step-*.png")):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        victims = _browser_main(proc.pid)
        assert victims, "no Chromium found under the browser worker"
        for victim in victims:
            victim.kill()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


@pytest.mark.browser
@pytest.mark.slow
def test_chromium_killed_mid_journey_is_inconclusive_the_browser_crashed(
        shop_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = tmp_path / "run"
    tag = uuid.uuid4().hex
    code, out, err = _crash_mid_journey(run_dir, shop_url, tag)
    assert code == 0, err  # every item was attempted: a crash is evidence, not a worker failure
    assert "Traceback" not in err, err
    journey_item, form_item = json.loads(out)
    assert journey_item["completed"] is False and form_item["completed"] is True  # new browser
    record = read_journey(run_dir / "raw" / "browser" / "medical" / "desktop" / "journey.json")
    assert record.error is not None and record.error.startswith("the browser crashed ("), \
        record.error
    assert "Browser logs" not in record.error and "\n" not in record.error
    outcome = flow_length_gate(record, max_steps=5)
    assert outcome.status is Status.INCONCLUSIVE
    assert "the browser crashed" in outcome.message
    deadline = time.monotonic() + 10
    while tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tagged_processes(tag), [p.name() for p in tagged_processes(tag)]

    # the same evidence re-judged by `harness verdict` (offline features of a demo project)
    project = make_demo_project(tmp_path / "project")
    (run_dir / "run.json").write_text(json.dumps({"run_id": "crash", "areas": "purchase_flow",
                                                  "variant": "good"}), encoding="utf-8")
    code = main(["verdict", str(run_dir), "--project", str(project),
                 "--history", str(tmp_path / "history")])
    printed = capsys.readouterr()
    assert code == ExitCode.INCONCLUSIVE, printed.out + printed.err
    assert "Traceback" not in printed.out + printed.err
    verdict = json.loads((run_dir / "verdict.json").read_text(encoding="utf-8"))
    medical = [c for c in verdict["criteria"] if "medical" in c["id"]]
    assert medical, [c["id"] for c in verdict["criteria"]]
    for criterion in medical:
        assert criterion["status"] == "inconclusive", criterion
        assert "the browser crashed" in criterion["message"], criterion["message"]
    assert not any(c["status"] == "failed" for c in verdict["criteria"])


def test_a_crash_is_told_from_the_page_s_own_errors() -> None:
    from playwright._impl._errors import TargetClosedError
    from playwright.sync_api import Error, TimeoutError

    from harness_browser.crash import failure_text

    closed = TargetClosedError("Locator.click: Target page, context or browser has been "
                               "closed\nBrowser logs:\n\n<launching> /usr/bin/chromium ...")
    assert failure_text(closed) == ("the browser crashed (TargetClosedError: Locator.click: "
                                    "Target page, context or browser has been closed)")
    assert failure_text(Error("Page.goto: Target crashed")).startswith("the browser crashed")
    timeout = TimeoutError("Locator.click: Timeout 10000ms exceeded.")
    assert failure_text(timeout) == "TimeoutError: Locator.click: Timeout 10000ms exceeded."


def test_a_form_check_that_never_reached_the_form_says_why() -> None:
    from harness.gates.browser import form_errors_gate
    from harness.readers.browser import FormErrorEvidence

    crashed = FormErrorEvidence("form-errors.json", False, (), (
        "the browser crashed (TargetClosedError: Page.evaluate: Target page, context or "
        "browser has been closed)",), None)
    outcome = form_errors_gate(crashed)
    assert outcome.status is Status.INCONCLUSIVE
    assert outcome.message.endswith("could not be checked: the browser crashed "
                                    "(TargetClosedError: Page.evaluate: Target page, context or "
                                    "browser has been closed)"), outcome.message
