"""The store's locustfile (project_files/loadtests) under real Locust: every purchase it records
is an order the store's SQL shows paid, with the policy and premium the buyer was told."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store2.buyer import PROJECT_FILES, integrity_rows
from tests.stores.h5shop import start_h5shop

pytestmark = pytest.mark.slow
pytest.importorskip("harness_load.api", reason="the load helper's record_purchase module")


def run_locust(url: str, load_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HARNESS_LOAD_DIR": str(load_dir), "HARNESS_LOAD_PROFILE": "smoke",
           "HARNESS_LOAD_THINK_SCALE": "0.001"}
    cmd = [sys.executable, "-m", "locust", "-f",
           str(PROJECT_FILES / "loadtests" / "locustfile.py"), "--headless", "--users", "2",
           "--spawn-rate", "2", "--run-time", "4s", "--stop-timeout", "3", "--host", url,
           "--only-summary", "--loglevel", "WARNING"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90)


@pytest.mark.parametrize(("variant", "lost_share"), [("good", 0.0), ("lost-policies", 0.2)])
def test_the_locustfile_records_each_paid_order_as_the_buyer_saw_it(
        tmp_path: Path, variant: str, lost_share: float) -> None:
    with start_h5shop(variant) as shop:
        done = run_locust(shop.url, tmp_path)
        store = {order: (policy, fen) for order, policy, fen in integrity_rows(shop.db_path)}
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for part in sorted((tmp_path / "purchases").glob("*.jsonl"))
             for line in part.read_text(encoding="utf-8").splitlines()]
    assert len(lines) >= 10, done.stderr[-2000:]
    assert {line["order_id"] for line in lines} <= set(store)
    assert all(line["premium_fen"] == store[line["order_id"]][1] == 35800 for line in lines)
    lost = [line for line in lines if store[line["order_id"]][0] is None]
    assert all(store[line["order_id"]][0] == line["policy_number"]
               for line in lines if line not in lost)
    assert len(lost) == pytest.approx(lost_share * len(store), abs=1)
