"""The launcher: refusals before anything starts, then real distributed runs (Locust master +
2 workers as subprocesses) against the real demo shop, judged by the real readers and gates."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.cli import main
from harness.errors import ConfigError, TargetError
from harness.gates.integrity import integrity_gate
from harness.gates.load import error_ratio_gate, generator_validity_gate
from harness.model import Status
from harness.readers.generator import (
    read_generator_health,
    read_load_plan,
    read_purchases,
    read_reconciliation,
)
from harness.readers.locust import read_locust_stats
from harness_load.launcher import LoadRequest, run_load

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["--users", "20", "--ramp-s", "3", "--hold-s", "9"]


def test_a_non_local_target_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="not loopback"):
        run_load(LoadRequest("smoke", "http://192.0.2.10:8000", tmp_path))
    assert not (tmp_path / "raw").exists()


def test_the_cli_maps_a_refused_target_to_a_usage_error(tmp_path: Path) -> None:
    code = main(["load", "--target", "http://192.0.2.10:8000", "--run-dir", str(tmp_path)])
    assert code == 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"PATH": "/tmp"}, "must be HARNESS_LOAD_"),
    ({"HARNESS_LOAD_HOLD_S": "-3"}, "must be >= 0"),
])
def test_bad_settings_are_config_errors(tmp_path: Path, overrides: dict[str, str],
                                        message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run_load(LoadRequest("smoke", "http://127.0.0.1:9", tmp_path, overrides=overrides))


@pytest.mark.slow
def test_distributed_smoke_run_produces_valid_evidence(shop_url: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code = main(["load", "--target", shop_url, "--run-dir", str(tmp_path), "--workers", "2",
                 *SHORT])
    printed = capsys.readouterr().out
    assert code == 0, printed
    load = tmp_path / "raw" / "load"
    for name in ("stats.csv", "stats_history.csv", "failures.csv", "stats.json",
                 "report.html", "generator.jsonl", "phases.json", "purchases.jsonl",
                 "phase_stats.jsonl"):
        assert (load / name).is_file(), name
    stats = read_locust_stats(load / "stats.csv")
    errors = error_ratio_gate(stats, 0.0)
    assert errors.status is Status.PASSED, (load / "failures.csv").read_text(encoding="utf-8")
    health = read_generator_health(load / "generator.jsonl")
    assert {len(s.workers) for s in health.samples} == {2}
    validity = generator_validity_gate(health, read_load_plan(load / "phases.json"))
    assert validity.status is Status.PASSED, validity.message
    integrity = integrity_gate(read_purchases(load / "purchases.jsonl"),
                               read_reconciliation(tmp_path / "raw/store/reconciliation.json"))
    assert integrity.status is Status.PASSED, integrity.message
    assert integrity.n is not None and integrity.n > 20
    assert "generator passed" in printed and "integrity passed" in printed
    assert "ms CPU per request" in printed and "KiB resident per user" in printed


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_master_and_workers_and_keeps_the_evidence(shop_url: str, tmp_path: Path,
                                                                sig: signal.Signals) -> None:
    """Also when this process (so the launcher) inherited SIGINT ignored, as CI starts jobs:
    the launcher installs its own handlers."""
    code = ("from pathlib import Path; from harness_load.launcher import LoadRequest, run_load; "
            f"run_load(LoadRequest('smoke', {shop_url!r}, Path({str(tmp_path)!r}), "
            "overrides={'HARNESS_LOAD_USERS': '10', 'HARNESS_LOAD_HOLD_S': '120'}))")
    launcher = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                                stderr=subprocess.PIPE)
    load = tmp_path / "raw" / "load"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not (load / "generator.jsonl").is_file():
        time.sleep(0.5)
    time.sleep(3)
    children = psutil.Process(launcher.pid).children(recursive=True)
    assert len(children) == 3  # master + 2 workers
    launcher.send_signal(sig)
    _, stderr = launcher.communicate(timeout=40)
    assert launcher.returncode != 0
    assert f"Cancelled: cancelled by {sig.name}".encode() in stderr
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    for name in ("stats.csv", "report.html", "stats.json", "generator.jsonl", "launch.json"):
        assert (load / name).is_file(), name
    assert read_locust_stats(load / "stats.csv").get("1 start") is not None
