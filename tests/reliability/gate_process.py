"""`harness run` as a child process that a test (or bench/bench_cancel.py) can signal, and the
processes it started, found by a tag in their environment (Locust runs in its own sessions,
the demo shop forks workers, Chromium double-forks: none of that hides an environment
variable every descendant inherits)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.project.maker import make_demo_project, tool_paths

ROOT = Path(__file__).resolve().parents[2]
TAG = "HARNESS_TEST_RUN_TAG"


@dataclass
class GateProcess:
    """A running `harness run`; `lines` collects its stdout as it comes."""

    proc: subprocess.Popen[str]
    tag: str
    reports: Path
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def wait_for(self, ready: Callable[[GateProcess], bool], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not ready(self):
            if self.proc.poll() is not None:
                raise AssertionError("harness run ended early:\n" + "".join(self.lines))
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time:\n" + "".join(self.lines))
            time.sleep(0.2)

    def printed(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    @property
    def run_dir(self) -> Path:
        return (self.reports / "latest").resolve()

    def verdict(self) -> dict[str, object]:
        document: dict[str, object] = json.loads(
            (self.run_dir / "verdict.json").read_text(encoding="utf-8"))
        return document

    def leftovers(self) -> list[psutil.Process]:
        return tagged_processes(self.tag, exclude=self.proc.pid)

    def kill_everything(self) -> None:
        """Test teardown: nothing of this run survives a failed assertion."""
        for proc in [*self.leftovers(), *_alive(self.proc.pid)]:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        if self.proc.poll() is None:
            self.proc.wait(10)
        if self.reader is not None:
            self.reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start_gate(argv: Sequence[str], reports: Path,
               command: Sequence[str] = ("run", "--reports")) -> GateProcess:
    """`python -m harness run --reports REPORTS ARGV...` (or another COMMAND whose last word
    takes REPORTS) in its own session, as CI runs it."""
    tag = uuid.uuid4().hex
    env = {**os.environ, TAG: tag, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
           **tool_paths()}
    project = reports.parent / "gate-project"
    if not project.is_dir():
        make_demo_project(project)
    proc = subprocess.Popen([sys.executable, "-m", "harness", *command, str(reports), *argv],
                            cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    gate = GateProcess(proc, tag, reports)
    gate.reader = threading.Thread(target=_collect, args=(gate,), daemon=True)
    gate.reader.start()
    return gate


def _collect(gate: GateProcess) -> None:
    assert gate.proc.stdout is not None
    for line in gate.proc.stdout:
        gate.lines.append(line)


def tagged_processes(tag: str, exclude: int | None = None) -> list[psutil.Process]:
    """Running (not zombie) processes whose environment carries TAG=tag."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid in (exclude, os.getpid()):
            continue
        try:
            if proc.environ().get(TAG) == tag and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def wait_gone(tag: str, exclude: int, since: float,
              timeout_s: float) -> tuple[float, list[psutil.Process]]:
    """Seconds from `since` (a time.monotonic()) until no tagged process runs, or until
    `timeout_s` after it, and what is left then."""
    left = tagged_processes(tag, exclude)
    while left and time.monotonic() - since < timeout_s:
        time.sleep(0.05)
        left = tagged_processes(tag, exclude)
    return time.monotonic() - since, left


def _alive(pid: int) -> list[psutil.Process]:
    try:
        return [psutil.Process(pid)]
    except psutil.Error:
        return []


SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _in_load(gate: GateProcess) -> bool:
    return (gate.reports / "latest").exists() and (
        gate.run_dir / "raw" / "load" / "generator.jsonl").is_file()


def _in_features(gate: GateProcess) -> bool:
    return gate.printed("[acceptance features] ...") and any(
        "chrom" in p.name().lower() for p in gate.leftovers())


# phase -> (the shortest `harness run` that reaches it, "it is running now, with its processes")
PHASES: dict[str, tuple[list[str], Callable[[GateProcess], bool]]] = {
    "load": (["--skip", "gray", "--skip", "browser", "--areas", "capacity",
              "--load-workers", "1", "--no-report"], _in_load),
    "acceptance features": (["--skip", "gray", "--skip", "load", "--skip", "browser",
                             "--areas", "disclosures", "--no-report"], _in_features),
}
