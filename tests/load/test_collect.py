"""harness_load.collect: evidence copied off several machines is arranged for `harness verdict`."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.readers.generator import read_purchases
from harness.readers.locust import read_locust_stats
from harness_load.collect import collect, main
from tests.load.conftest import DATA


def test_master_and_worker_files_become_the_contract_layout(tmp_path: Path) -> None:
    load = tmp_path / "raw" / "load"
    (load / "purchases" / "worker-pod-a").mkdir(parents=True)
    (load / "purchases" / "worker-pod-b").mkdir(parents=True)
    for name in ("generator.jsonl", "phases.json", "phase_stats.jsonl"):
        shutil.copy(DATA / "good" / name, load / name)
    shutil.copy(DATA / "good" / "stats.csv", load / "locust_stats.csv")
    shutil.copy(DATA / "good" / "stats_history.csv", load / "locust_stats_history.csv")
    lines = (DATA / "good" / "purchases.jsonl").read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    (load / "purchases" / "worker-pod-a" / "h-1.jsonl").write_text(
        "\n".join(lines[:half]) + "\n", encoding="utf-8")
    (load / "purchases" / "worker-pod-b" / "h-1.jsonl").write_text(
        "\n".join(lines[half:]) + "\n", encoding="utf-8")
    assert collect(tmp_path) == []
    assert read_locust_stats(load / "stats.csv").get("5 pay") is not None
    assert len(read_purchases(load / "purchases.jsonl").records) == len(lines)


def test_what_is_missing_is_named(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 1
    missing = collect(tmp_path)
    assert "generator.jsonl" in missing and "stats.csv" in missing
