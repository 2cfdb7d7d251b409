"""harness_load.api: record_purchase from many greenlets and processes, its argument checks, the
think times it hands a user's class, and integrity's reason when nobody called it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.gates.integrity import integrity_gate
from harness.model import Status
from harness.readers.generator import read_purchases, read_reconciliation
from harness_load.purchases import merge_purchase_files
from tests.load.test_integrity_sources import write_stats_csv

GREENLETS = """
from gevent import monkey; monkey.patch_all()
import gevent, os, sys
from harness_load.api import record_purchase, close_purchase_log
def buyer(n):
    for i in range(50):
        record_purchase(f"O-{os.getpid()}-{n}-{i}", f"P-{n}-{i}", 100 + i, note="x" * 300)
        gevent.sleep(0)
child = os.fork()                       # a --processes child: its own file
gevent.joinall([gevent.spawn(buyer, n) for n in range(100)]); close_purchase_log()
if child == 0:
    os._exit(0)
assert os.waitpid(child, 0)[1] == 0
"""


def test_concurrent_greenlets_in_two_processes_write_whole_lines(tmp_path: Path) -> None:
    load = tmp_path / "raw" / "load"
    subprocess.run([sys.executable, "-c", GREENLETS], check=True, timeout=120,
                   env={**os.environ, "HARNESS_LOAD_DIR": str(load)})
    parts = sorted((load / "purchases").glob("*.jsonl"))
    assert len(parts) == 2
    assert merge_purchase_files(load / "purchases", load / "purchases.jsonl") == 10_000
    write_stats_csv(load)
    purchases = read_purchases(load / "purchases.jsonl")
    assert len({r.journey_id for r in purchases.paid}) == 10_000
    line = json.loads(parts[0].read_text(encoding="utf-8").splitlines()[0])
    assert line["note"] == "x" * 300 and line["charged_fen"] == line["premium_fen"]


@pytest.mark.parametrize(("call", "error"), [
    ("record_purchase('O-1', 'P-1', 99.5)", "premium_fen must be an int number of fen"),
    ("record_purchase('O-1', '', 100)", "policy_number must be a non-empty string"),
    ("record_purchase(None, 'P-1', 100)", "order_id must be a non-empty string"),
    ("record_purchase('O-1', 'P-1', 0)", "premium_fen must be from 1 to"),
    ("record_purchase('O-1', 'P-1', 100, status='failed')", "'status' is set by record_purchase"),
    ("think('lunch')", "unknown think step 'lunch'"),
])
def test_wrong_arguments_say_what_to_pass(tmp_path: Path, call: str, error: str) -> None:
    script = f"from harness_load.api import record_purchase, think\n{call}\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "HARNESS_LOAD_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert error in done.stderr
    assert not (tmp_path / "purchases").exists()


def test_the_harness_gives_a_class_without_wait_time_the_profiles_think_time() -> None:
    script = """
from locust import HttpUser, between, task
from harness_load import api
from harness_load.harness_part import count_waits
class Plain(HttpUser):
    @task
    def t(self): pass
class Own(HttpUser):
    wait_time = between(7, 7)
    @task
    def t(self): pass
count_waits(Plain); count_waits(Own); count_waits(Own)
plain = [Plain.wait_time(None) for _ in range(200)]
assert 0.4 <= min(plain) and max(plain) <= 1.2, (min(plain), max(plain))  # smoke: 20-60 s x 0.02
assert Own.wait_time(None) == 7
cycles, think_s = api.cycle_totals()
assert cycles == 201 and abs(think_s - sum(plain) - 7) < 1e-6, (cycles, think_s)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "HARNESS_LOAD_PROFILE": "smoke",
                                           "HARNESS_LOAD_DIR": "/nonexistent"})
    assert done.stdout.strip() == "ok", done.stderr


def test_no_call_to_record_purchase_is_inconclusive_with_the_reason(tmp_path: Path) -> None:
    """What the launcher leaves when the user's task never called record_purchase."""
    load = tmp_path / "raw" / "load"
    (load / "purchases").mkdir(parents=True)
    assert merge_purchase_files(load / "purchases", load / "purchases.jsonl") == 0
    write_stats_csv(load)
    store = tmp_path / "reconciliation.json"
    store.write_text(json.dumps({"summary": None, "journeys": [
        {"journey_id": "O-1", "premium_fen": 100, "payments": [{"charged_fen": 100}],
         "policy_numbers": ["P-1"]}]}), encoding="utf-8")
    outcome = integrity_gate(read_purchases(load / "purchases.jsonl"), read_reconciliation(store))
    assert outcome.status is Status.INCONCLUSIVE
    assert outcome.message == ("the load test recorded no purchases (call "
                               "harness_load.api.record_purchase in your task)")


def test_extras_json_cannot_hold_are_refused_in_the_task(tmp_path: Path) -> None:
    script = ("from harness_load.api import record_purchase\n"
              "record_purchase('O-1', 'P-1', 100, when=float('nan'))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "HARNESS_LOAD_DIR": str(tmp_path)})
    assert done.returncode == 1 and "ValueError" in done.stderr
    assert not (tmp_path / "purchases").exists()
