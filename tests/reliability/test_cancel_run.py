"""SIGINT and SIGTERM during `harness run` (started in its own session, as CI starts jobs, and
with SIGINT ignored when pytest was): every process of the run is gone within 10 s, the
evidence measured so far stays, and the verdict files say INCONCLUSIVE because the run was
cancelled (exit 3)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from .gate_process import PHASES, SIGNALS, GateProcess, start_gate, wait_gone

pytestmark = [pytest.mark.slow, pytest.mark.gate]

CANCELLED_ID = "launch gate::the run was not cancelled"


def _cancel_and_check(gate: GateProcess, sig: signal.Signals, phase: str) -> None:
    children = len(gate.leftovers())
    assert children >= 1, "".join(gate.lines)
    sent = time.monotonic()
    gate.proc.send_signal(sig)
    took_s, left = wait_gone(gate.tag, gate.proc.pid, sent, timeout_s=10.0)
    assert not left, f"{[(p.pid, p.name()) for p in left]} still run {took_s:.1f} s after {sig}"
    code = gate.proc.wait(30)
    printed = "".join(gate.lines)
    assert code == 3, printed
    assert f"{sig.name} received: cancelling the run" in printed
    verdict = gate.verdict()
    assert verdict["decision"] == "INCONCLUSIVE"
    assert verdict["reasons"][0] == CANCELLED_ID  # type: ignore[index]
    cancelled = next(c for c in verdict["criteria"] if c["id"] == CANCELLED_ID)  # type: ignore[attr-defined]
    assert f"cancelled by {sig.name} during the {phase} phase" in cancelled["message"]
    for name in ("verdict.md", "junit.xml", "cancelled.json", "run.json"):
        assert (gate.run_dir / name).is_file(), name
    assert "INCONCLUSIVE" in (gate.run_dir / "verdict.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_the_load_phase_stops_locust_and_the_shop(
        sig: signal.Signals, tmp_path: Path, gates: list[GateProcess]) -> None:
    gate = _reach("load", tmp_path, gates)
    _cancel_and_check(gate, sig, "load")
    load = gate.run_dir / "raw" / "load"
    for name in ("generator.jsonl", "launch.json", "master.log"):  # the evidence so far stays
        assert (load / name).is_file(), name


@pytest.mark.browser
@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_a_signal_during_the_features_phase_stops_pytest_and_chromium(
        sig: signal.Signals, tmp_path: Path, gates: list[GateProcess]) -> None:
    gate = _reach("acceptance features", tmp_path, gates)
    _cancel_and_check(gate, sig, "acceptance features")


def _reach(phase: str, tmp_path: Path, gates: list[GateProcess]) -> GateProcess:
    argv, running = PHASES[phase]
    gate = start_gate(argv, tmp_path / "reports")
    gates.append(gate)
    gate.wait_for(running, timeout_s=120)
    return gate


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_a_signal_stops_harness_load_and_its_shop_with_exit_3(
        sig: signal.Signals, tmp_path: Path, gates: list[GateProcess]) -> None:
    run_dir = tmp_path / "load-run"
    gate = start_gate(["--workers", "1", "--users", "10", "--ramp-s", "2", "--hold-s", "120"],
                      run_dir, command=("load", "--run-dir"))
    gates.append(gate)
    gate.wait_for(lambda _: (run_dir / "raw/load/generator.jsonl").is_file(), timeout_s=90)
    assert len(gate.leftovers()) >= 3  # the shop (master + 2 workers), Locust master + worker
    sent = time.monotonic()
    gate.proc.send_signal(sig)
    took_s, left = wait_gone(gate.tag, gate.proc.pid, sent, timeout_s=10.0)
    assert not left, f"{[(p.pid, p.name()) for p in left]} still run {took_s:.1f} s after {sig}"
    assert gate.proc.wait(30) == 3
    printed = "".join(gate.lines)
    assert f"harness: cancelled by {sig.name}; nothing was decided (exit 3)" in printed
    for name in ("stats.csv", "generator.jsonl", "launch.json"):  # Locust saved on the way out
        assert (run_dir / "raw" / "load" / name).is_file(), name
