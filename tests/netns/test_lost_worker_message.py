"""The validity verdict names the worker, and its host, that the master lost: on a captured
local run with one worker killed, and when a worker vanishes from the master's list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.gates.load import generator_validity_gate
from harness.model import Status
from harness.readers.generator import read_generator_health, read_load_plan

CAPTURED = Path(__file__).resolve().parents[1] / "data" / "load" / "missing-worker"
LOST = "vm_04cb6f1076c5448a921ae725060a8852"


def _judge(folder: Path) -> tuple[Status, str, list[str]]:
    outcome = generator_validity_gate(read_generator_health(folder / "generator.jsonl"),
                                      read_load_plan(folder / "phases.json"))
    return outcome.status, outcome.message, outcome.details["workers_lost"]


def test_the_missing_worker_and_its_host_are_named() -> None:
    status, message, lost = _judge(CAPTURED)
    assert status is Status.INCONCLUSIVE
    assert lost == [LOST]
    assert f"lost: worker {LOST} on host vm" in message


def test_a_worker_that_vanished_from_the_list_is_named_too(tmp_path: Path) -> None:
    for name in ("phases.json", "stats.csv", "failures.csv"):
        if (CAPTURED / name).is_file():
            shutil.copy(CAPTURED / name, tmp_path / name)
    lines = []  # the lost worker reported at first, then is no longer listed at all
    for line in (CAPTURED / "generator.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["workers"] = [w for w in record["workers"] if w["state"] != "missing"]
        record["workers_missing"] = 0
        lines.append(json.dumps(record))
    (tmp_path / "generator.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, message, lost = _judge(tmp_path)
    assert status is Status.INCONCLUSIVE
    assert lost == [LOST] and "on host vm" in message
