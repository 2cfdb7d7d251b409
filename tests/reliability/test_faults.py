"""Faults during a real `harness run` (issue 11, item 6), each run as short as the fault allows
(the load phase alone, `--areas capacity`): the store killed mid-load, a Locust worker killed
mid-run, the run directory's disk full. Each ends INCONCLUSIVE naming what happened (exit 3),
never GO, never a traceback; the verdict files parse and nothing the run started is left.

A worker host cut off across machines: tests/netns/test_across_hosts.py; the judge on a
captured run with a killed worker: tests/load/test_gate_validity.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from .gate_process import PHASES, GateProcess, start_gate

pytestmark = pytest.mark.slow

LOAD_ONLY = PHASES["load"][0]
VALID_ID = "The store carries the load of its launch profile :: The load test itself is valid"
DISK_ID = "launch gate::the run directory had room for the evidence"
STORE_ID = "launch gate::the store answered after the load"
KILL_AFTER_S = 8.0  # seconds into the load (the smoke profile's steady phase starts at 5 s)


def _load_sample_at(gate: GateProcess, t_s: float) -> bool:
    path = gate.reports / "latest" / "raw" / "load" / "generator.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(json.loads(line)["t_s"] >= t_s for line in lines[:-1] if line.strip())


def _shop(proc: psutil.Process) -> bool:
    return "harness_demo_shop.server" in proc.cmdline()


def _one_worker(proc: psutil.Process) -> bool:
    return "--worker" in proc.cmdline()


def _finish(gate: GateProcess, expected_exit: int) -> tuple[str, dict[str, object]]:
    """Wait for the run to end: its exit code, no traceback, nothing of it left running, the
    verdict files written and readable."""
    code = gate.proc.wait(240)
    gate.reader.join(10) if gate.reader else None
    printed = "".join(gate.lines)
    assert code == expected_exit, printed
    assert "Traceback" not in printed, printed
    assert not gate.leftovers(), [(p.pid, p.name()) for p in gate.leftovers()]
    verdict = gate.verdict()
    assert "INCONCLUSIVE" in (gate.run_dir / "verdict.md").read_text(encoding="utf-8")
    assert "<testsuites" in (gate.run_dir / "junit.xml").read_text(encoding="utf-8")
    assert not (gate.run_dir / "harness-crash.log").exists()
    return printed, verdict


def _criterion(verdict: dict[str, object], cid: str) -> dict[str, object]:
    found = [c for c in verdict["criteria"] if c["id"] == cid]  # type: ignore[attr-defined]
    assert found, [c["id"] for c in verdict["criteria"]]  # type: ignore[attr-defined]
    return dict(found[0])


@pytest.mark.parametrize(("victims", "expected"), [
    (_shop, ["the store stopped answering", "connection(s) (ECONNREFUSED)",
             "from then until the end of the run"]),
    (_one_worker, ["a worker went missing", "lost: worker vm_"]),
], ids=["store-killed", "worker-killed"])
def test_a_process_killed_mid_load_is_inconclusive_and_named(
        victims: Callable[[psutil.Process], bool], expected: list[str], tmp_path: Path,
        gates: list[GateProcess]) -> None:
    argv = [a if a != "1" else "2" for a in LOAD_ONLY]  # two Locust workers: one can be lost
    if victims is _shop:  # and a browser area: its journeys come after the load
        argv = [*argv[argv.index("--areas") + 2:], "--skip", "gray", "--areas",
                "capacity,purchase_flow"]
    gate = start_gate(argv, tmp_path / "reports")
    gates.append(gate)
    gate.wait_for(lambda g: _load_sample_at(g, KILL_AFTER_S), timeout_s=120)
    chosen = [p for p in gate.leftovers() if victims(p)]
    chosen = chosen if victims is _shop else chosen[:1]  # every shop process: master, workers
    assert chosen, [p.cmdline() for p in gate.leftovers()]
    for proc in chosen:
        proc.kill()
    printed, verdict = _finish(gate, expected_exit=3)
    assert verdict["decision"] == "INCONCLUSIVE"
    valid = _criterion(verdict, VALID_ID)
    message = str(valid["message"])
    first = STORE_ID if victims is _shop else VALID_ID  # a dead store is said first
    assert valid["status"] == "inconclusive" and verdict["reasons"][0] == first  # type: ignore[index]
    assert VALID_ID in verdict["reasons"]  # type: ignore[operator]
    for text in expected:
        assert text in message, message
    if victims is _shop:  # the store is named, the generator is not blamed
        assert "measured the generator" not in message, message
        # and its journeys were not driven against the dead port: their criteria are missing
        assert "did not answer after the load phase" in printed, printed
        assert "[browser evidence]" not in printed, printed
        assert not list((gate.run_dir / "raw" / "browser").glob("*/*/journey.json"))
        flow = [c for c in verdict["criteria"] if "steps" in str(c["scenario"])]  # type: ignore[attr-defined]
        assert flow and all(c["status"] == "inconclusive" for c in flow), flow
    load = gate.run_dir / "raw" / "load"
    for name in ("generator.jsonl", "stats.csv", "failures.csv"):  # the evidence so far
        assert (load / name).stat().st_size > 0, name


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs to hold the run directories (root only; skipped where mount is refused)."""
    where = tmp_path / "reports"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        for _ in range(20):  # a child may still hold a file open for a moment
            if subprocess.run(["umount", str(where)], capture_output=True,
                              check=False).returncode == 0:
                break
            time.sleep(0.25)


def _fill(disk: Path, leave_bytes: int) -> None:
    free = shutil.disk_usage(disk).free
    with (disk / "filler").open("wb") as out:
        out.truncate(0)
        block = b"\0" * 65536
        left = max(free - leave_bytes, 0)
        try:
            while left > 0:
                left -= out.write(block[:min(left, len(block))])
        except OSError:
            pass


def test_the_disk_filling_up_during_the_load_is_inconclusive_and_said(
        small_disk: Path, gates: list[GateProcess]) -> None:
    _fill(small_disk, leave_bytes=4 * 1024 * 1024)  # the reserve (2 MiB) and too little more
    gate = start_gate([*LOAD_ONLY, "--areas", "capacity,integrity"], small_disk)
    gates.append(gate)
    printed, verdict = _finish(gate, expected_exit=3)
    assert verdict["decision"] == "INCONCLUSIVE"
    assert verdict["reasons"][0] == DISK_ID  # type: ignore[index]
    message = str(_criterion(verdict, DISK_ID)["message"])
    assert "filled up during the load phase" in message, message
    assert f"disk of {gate.run_dir} is full" in printed, printed
    assert not any(c["status"] == "passed" for c in verdict["criteria"]  # type: ignore[attr-defined]
                   if "capacity" in str(c["tags"]))


def test_a_disk_with_no_room_at_all_is_exit_4_in_one_line(
        small_disk: Path, gates: list[GateProcess]) -> None:
    _fill(small_disk, leave_bytes=0)
    gate = start_gate(LOAD_ONLY, small_disk)
    gates.append(gate)
    code = gate.proc.wait(120)
    gate.reader.join(10) if gate.reader else None
    printed = "".join(gate.lines)
    assert code == 4, printed
    assert "Traceback" not in printed and "a bug in the harness" not in printed, printed
    assert "harness: failure: the disk is full" in printed, printed
    assert not gate.leftovers()
