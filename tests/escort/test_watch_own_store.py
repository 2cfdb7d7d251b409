"""`harness watch` on a store this project did not write, configured as a user would: its own
metric names (`acme_*`, a `page` label for the steps) through `[escort.queries]`, its own
steps in the feature's Examples, no gray cohort left (`cohorts = []`), a complaints CSV, and a
real Prometheus scraping it on loopback. The store is good for two checks, then starts losing
policies: CONTINUE, CONTINUE, ROLLBACK naming "Every payment has a policy"; the gray comparison
is NOT APPLICABLE throughout, saying why.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
STEPS = ("home", "pay")
QUERIES = {
    "purchase_requests": "sum(increase(acme_orders_total[{window}]))",
    "purchase_errors": 'sum(increase(acme_orders_total{result="error"}[{window}]))',
    "quotes": "sum(increase(acme_quotes_total[{window}]))",
    "payments": "sum(increase(acme_payments_total[{window}]))",
    "policies": "sum(increase(acme_policies_total[{window}]))",
    "paid_without_policy": "sum(increase(acme_orphan_payments_total[{window}]))",
    "premium_mismatches": "sum(increase(acme_premium_mismatch_total[{window}]))",
    "health_errors": "sum(increase(acme_health_form_errors_total[{window}]))",
    "p95_seconds": 'histogram_quantile(0.95, sum by (le) '
                   '(rate(acme_page_seconds_bucket{page="{step}"}[{window}])))',
}


class AcmeStore:
    """Metrics of an insurer's store under steady traffic (10 ticks a second); `breaking`
    makes one paid order in three end without a policy."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

        self.registry = CollectorRegistry()
        c = {name: Counter(f"acme_{name}", name, registry=self.registry) for name in
             ("quotes", "payments", "policies", "orphan_payments", "premium_mismatch",
              "health_form_errors")}
        orders = Counter("acme_orders", "orders", ["result"], registry=self.registry)
        orders.labels("ok")
        orders.labels("error")  # every counter exists at 0 from the start
        pages = Histogram("acme_page_seconds", "page latency", ["page"], registry=self.registry)
        self.counters, self.orders, self.pages = c, orders, pages
        self.breaking = threading.Event()
        self.stopped = threading.Event()
        self.server, _ = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        self.target = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self._traffic, daemon=True)
        self.thread.start()

    def _traffic(self) -> None:
        tick = 0
        while not self.stopped.wait(0.1):
            tick += 1
            self.orders.labels("ok").inc(3)
            self.counters["quotes"].inc(3)
            self.counters["payments"].inc(2)
            lost = 1 if self.breaking.is_set() and tick % 3 == 0 else 0
            self.counters["policies"].inc(2 - lost)
            self.counters["orphan_payments"].inc(lost)
            for page in STEPS:
                self.pages.labels(page).observe(0.04)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def acme() -> Iterator[AcmeStore]:
    store = AcmeStore()
    try:
        yield store
    finally:
        store.stop()


def _project(root: Path, prometheus_url: str) -> Path:
    subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo", str(root)],
                   check=True, capture_output=True)
    feature = root / "features" / "escort" / "live_service.feature"
    text = feature.read_text(encoding="utf-8")
    rows = re.search(r"( *\| step \| seconds \|\n)((?: *\|.*\|\n)+)", text)
    assert rows, text
    indent = rows.group(1)[:len(rows.group(1)) - len(rows.group(1).lstrip())]
    ours = "".join(f"{indent}| {step} | 1.0 |\n" for step in STEPS)  # the user's own steps
    feature.write_text(text.replace(rows.group(2), ours), encoding="utf-8")
    (root / "complaints.csv").write_text("time,category,order_or_policy_id,text\n",
                                         encoding="utf-8")
    queries = "".join(f"{k} = '{v}'\n" for k, v in QUERIES.items())
    with (root / "harness.toml").open("a", encoding="utf-8") as out:
        out.write(f'\n[escort]\nprometheus = "{prometheus_url}"\nsettle = "3s"\n'
                  f'steps = {json.dumps(list(STEPS))}\ncohorts = []\n'
                  f'complaints = "complaints.csv"\n\n[escort.queries]\n{queries}')
    return root


def test_own_store_with_its_own_metrics_continues_then_rolls_back(acme: AcmeStore,
                                                                  tmp_path: Path) -> None:
    from harness_watch.prometheus import start_prometheus

    prometheus = start_prometheus(tmp_path / "prom", [acme.target], 2.0)
    try:
        assert prometheus.wait_scraped() == ""
        project = _project(tmp_path / "acme", prometheus.url)
        run_dir = tmp_path / "watch"
        watch = subprocess.Popen([sys.executable, "-m", "harness", "watch", "--project",
                                  str(project), "--run-dir", str(run_dir), "--window", "60s",
                                  "--interval", "15s", "--no-report"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and watch.poll() is None:
            try:
                made = json.loads((run_dir / "escort-state.json").read_text())["checks"]
            except (OSError, ValueError, KeyError):
                made = []
            if len(made) >= 2:
                acme.breaking.set()  # policies start going missing after the second check
                break
            time.sleep(0.2)
        out, _ = watch.communicate(timeout=150)
    finally:
        prometheus.stop()
    assert watch.returncode == 1, out
    doc = json.loads((run_dir / "escort.json").read_text(encoding="utf-8"))
    assert [c["decision"] for c in doc["checks"]] == ["CONTINUE", "CONTINUE", "ROLLBACK"], out
    rollback = doc["checks"][2]
    assert [r["criterion"].split(" :: ")[1] for r in rollback["reasons"]] == [
        "Every payment has a policy"], out
    first = doc["checks"][0]["criteria"]
    steps = {cid.split(" :: ")[1]: c["status"] for cid, c in first.items() if "step" in cid}
    assert steps == {'The "home" step stays fast': "passed",
                     'The "pay" step stays fast': "passed"}, first
    gray = [c for cid, c in first.items() if "control" in cid]
    assert len(gray) == 2 and all(c["status"] == "not_applicable" for c in gray), gray
    assert all("[escort] cohorts is empty" in c["message"] for c in gray)
