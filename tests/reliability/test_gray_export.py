"""The gray export unreadable (issue 11, item 6): a run directory whose raw/gray events file is
cut (also at a line boundary, where it still parses: events.json's size and hash catch it),
garbage or not readable (permission denied: run without root's CAP_DAC_OVERRIDE, so a
mode-000 file is refused) is re-judged by `harness verdict` (a separate process, as a user
runs it): every gray criterion INCONCLUSIVE naming the file, exit 3, no traceback, verdict
files readable. The same run with the file intact is GO."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness_contract.gray_export import record_export
from tests.gray.synthetic import Cohort, make_events, write_events

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _cut(path: Path) -> None:  # in the middle of a line, as a copy cut short does
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 7])


def _cut_at_line(path: Path) -> None:  # a whole number of lines: it still parses
    if path.suffix == ".csv":
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[: len(lines) * 2 // 3]))
    else:
        _cut(path)


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _no_permission(path: Path) -> None:
    path.chmod(0)


def _intact(path: Path) -> None:
    pass


def _verdict(run: Path, project: Path, without_dac: bool) -> tuple[int, str]:
    command = [sys.executable, "-m", "harness", "verdict", str(run), "--project", str(project)]
    if without_dac:
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            pytest.skip("permission denied needs root and setpriv (root reads a mode-000 "
                        "file otherwise)")
        command = [*NO_DAC, *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize(("fault", "expected"), [
    (_intact, None),
    (_cut, ("is not the file exported",)),
    (_cut_at_line, ("is not the file exported", "it was cut or changed after the export")),
    (_garbage, ("is not the file exported",)),
    (_no_permission, ("cannot read the events file (PermissionError",)),
], ids=["intact", "cut", "cut-at-a-line", "garbage", "permission-denied"])
def test_an_unreadable_gray_export_is_inconclusive_naming_the_file(
        fault: Callable[[Path], None], expected: tuple[str, ...] | None, fmt: str,
        tmp_path: Path, demo_project: Path) -> None:
    run = tmp_path / "run"
    (run / "raw" / "gray").mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"run_id": "gray", "areas": "gray_release"}),
                                  encoding="utf-8")
    (run / "raw" / "gray" / "split.json").write_text('{"gray_share": 0.5}', encoding="utf-8")
    events = write_events(make_events(Cohort(3000), Cohort(3000)),
                          run / "raw" / "gray" / f"events.{fmt}")
    record_export(events)  # as the gray phase records its export
    fault(events)
    code, printed = _verdict(run, demo_project, without_dac=fault is _no_permission)
    assert "Traceback" not in printed and "a bug in the harness" not in printed, printed
    verdict = json.loads((run / "verdict.json").read_text(encoding="utf-8"))
    gray = [c for c in verdict["criteria"] if "gray_release" in c["tags"]]
    assert len(gray) >= 3, verdict["criteria"]
    if expected is None:
        assert code == 0 and verdict["decision"] == "GO", printed
        return
    assert code == 3 and verdict["decision"] == "INCONCLUSIVE", printed
    for criterion in gray:
        message = criterion["message"]
        assert criterion["status"] == "inconclusive", criterion
        assert str(events) in message, message
        assert any(text in message for text in expected), message
    assert "INCONCLUSIVE" in (run / "verdict.md").read_text(encoding="utf-8")
