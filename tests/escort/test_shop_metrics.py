"""The demo shop's Prometheus metrics, complaint form and degrade-after variant.

In-process (the real app over ASGI) for what is counted; a real server with two forked workers
for multiprocess mode: the scraped counters must add up to the purchases made, whichever worker
answered them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from harness_contract import escort
from harness_demo_shop.server import start_in_background
from harness_demo_shop.settings import Settings
from tests.demo_shop.shop_flows import ShopClient, buy_api, start_api
from tests.escort.producers import buy

PRODUCTS = ("travel", "medical", "accident")


def total(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`."""
    out = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                out += sample.value
    return out


def label_values(text: str, name: str, label: str) -> set[str]:
    return {s.labels[label] for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == name and label in s.labels}


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Any]:
    clients: list[ShopClient] = []

    def make(**settings: Any) -> ShopClient:
        db = f"sqlite:///{tmp_path / f'shop{len(clients)}.db'}"
        clients.append(ShopClient(Settings(db_url=db, **settings)))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def test_purchases_are_counted_by_cohort_route_and_step(shop: Any) -> None:
    client = shop(gray_percent=50)
    paid = {"gray": 0, "control": 0}
    premiums = 0
    for number in range(12):
        receipt = buy_api(client, PRODUCTS[number % 3], f"visitor-{number}")
        assert receipt.status_code == 200, receipt.text
        cohort = client.get(f"/api/journeys/{receipt.json()['journey_id']}").json()["cohort"]
        paid[cohort] += 1
        premiums += receipt.json()["charged_fen"]
    assert paid["gray"] and paid["control"], paid  # both cohorts were exercised
    text = client.get("/metrics").text
    for cohort, count in paid.items():
        assert total(text, escort.PAYMENTS, cohort=cohort, outcome="success") == count
        assert total(text, escort.POLICIES, cohort=cohort) == count
        assert total(text, escort.QUOTES, cohort=cohort) == count
        assert total(text, escort.REQUESTS, cohort=cohort, route="/api/journeys",
                     status="201") == count
        assert total(text, escort.REQUEST_SECONDS + "_count", cohort=cohort, step="pay") == count
    assert total(text, escort.PREMIUM_QUOTED) == premiums
    assert total(text, escort.PREMIUM_CHARGED) == premiums
    assert total(text, escort.PREMIUM_MISMATCH) == 0
    assert total(text, escort.PAID_WITHOUT_POLICY) == 0
    # the route label is a template, never a journey id; every series has a cohort
    routes = label_values(text, escort.REQUESTS, "route")
    assert "/api/journeys/{jid}/pay" in routes
    assert not [r for r in routes if re.search(r"j[0-9a-f]{16}", r)], routes
    assert label_values(text, escort.QUOTES, "cohort") == {"gray", "control"}


def test_series_exist_at_zero_before_the_first_failure(shop: Any) -> None:
    """increase() cannot see a counter born at 1: the failure series start at 0."""
    text = shop().get("/metrics").text
    for name in (escort.PAID_WITHOUT_POLICY, escort.PREMIUM_MISMATCH, escort.HEALTH_ERRORS):
        assert label_values(text, name, "cohort") == {"gray", "control"}, name
        assert total(text, name) == 0
    assert "502" in label_values(text, escort.REQUESTS, "status")


def test_lost_policies_and_health_errors_are_counted(shop: Any) -> None:
    # 30% of policies lost from the first purchase on (which ones: a hash of the random journey
    # id); at least one of 40 is lost but with probability 0.7^40 < 1e-6
    client = shop(variant="degrade-after", degrade_after_s=0, degrade_payment_fail_percent=0,
                  degrade_lost_percent=30)
    statuses = [buy_api(client, "travel", f"v{n}").status_code for n in range(40)]
    assert set(statuses) == {200}
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    bad = client.post(f"/api/journeys/{jid}/health", json={"answers": {"q1": "no"}})
    assert bad.status_code == 422
    text = client.get("/metrics").text
    lost = total(text, escort.PAID_WITHOUT_POLICY)
    assert lost > 0
    payments = total(text, escort.PAYMENTS, outcome="success")
    policies = total(text, escort.POLICIES)
    assert payments == 40 and payments - policies == lost
    assert total(text, escort.HEALTH_ERRORS, product="medical") == 1


def test_degrade_after_fails_payments_only_once_degraded(shop: Any) -> None:
    later = shop(variant="degrade-after", degrade_after_s=3600)
    assert {buy_api(later, "travel", f"v{n}").status_code for n in range(20)} == {200}
    now = shop(variant="degrade-after", degrade_after_s=0, degrade_payment_fail_percent=50,
               degrade_lost_percent=50)
    statuses = [buy_api(now, "travel", f"v{n}").status_code for n in range(40)]
    assert statuses.count(502) >= 5 and statuses.count(200) >= 5, statuses
    text = now.get("/metrics").text
    assert total(text, escort.PAYMENTS, outcome="failed") == statuses.count(502)
    assert total(text, escort.PAID_WITHOUT_POLICY) > 0
    assert total(text, escort.REQUESTS, route="/api/journeys/{jid}/pay",
                 status="502") == statuses.count(502)


def test_metrics_can_be_switched_off(shop: Any) -> None:
    client = shop(metrics=False)
    assert buy_api(client, "travel").status_code == 200
    assert client.get("/metrics").status_code == 404


def test_complaint_api_table_export_and_metric(shop: Any) -> None:
    client = shop(gray_percent=0)
    receipt = buy_api(client, "travel", "buyer-1").json()
    answer = client.post("/api/complaints", json={"category": "payment", "text": "扣了两次钱",
                                                  "policy_id": receipt["policy_number"]})
    assert answer.status_code == 201, answer.text
    assert answer.json()["cohort"] == "control"
    bad = client.post("/api/complaints", json={"category": "nonsense", "text": " "})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"category", "text"}
    too_long = client.post("/api/complaints", json={"category": "other", "text": "长" * 501})
    assert too_long.status_code == 422
    rows = client.get("/api/export/complaints.csv").text.splitlines()
    assert rows[0] == "time,category,policy_id,text,cohort"
    assert len(rows) == 2 and rows[1].endswith(f",payment,{receipt['policy_number']},扣了两次钱,"
                                               "control")
    conn = client.app.state.shop.store.reader()
    table = conn.exec_driver_sql("SELECT time, category, policy_id, text FROM complaints").all()
    assert [tuple(r)[1:] for r in table] == [("payment", receipt["policy_number"], "扣了两次钱")]
    assert table[0][0].endswith("Z") and "T" in table[0][0]
    text = client.get("/metrics").text
    assert total(text, escort.COMPLAINTS, category="payment") == 1


def test_complaint_page_form(shop: Any) -> None:
    client = shop()
    page = client.get("/complaint")
    assert page.status_code == 200 and 'name="category"' in page.text
    refused = client.post("/complaint", data={"category": "", "text": ""})
    assert refused.status_code == 422 and 'id="error-summary"' in refused.text
    sent = client.post("/complaint", data={"category": "claims", "text": "理赔太慢"})
    assert sent.status_code == 200 and 'id="complaint-received"' in sent.text
    assert "claims" in client.get("/api/export/complaints.csv").text


@pytest.mark.slow
def test_two_workers_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")  # an earlier shop's file
    extra = ["--metrics-dir", str(metrics_dir)]
    with start_in_background(workers=2, gray_percent=50, extra_args=extra) as server:
        answers = [buy(server.url, PRODUCTS[n % 3], f"mp-{n}") for n in range(30)]
        assert {a["status"] for a in answers} == {200}
        text = httpx.get(server.url + "/metrics", trust_env=False).text
        files = sorted(os.listdir(metrics_dir))
        pids = server.worker_pids
    assert total(text, escort.PAYMENTS, outcome="success") == 30
    assert total(text, escort.POLICIES) == 30
    assert total(text, escort.REQUESTS, route="/api/journeys") == 30
    for cohort in ("gray", "control"):
        assert total(text, escort.PAYMENTS, cohort=cohort) == \
            sum(a["cohort"] == cohort for a in answers)
    # the stale file of an earlier shop was removed before the workers started; each worker
    # wrote its own file, and both answered purchases (so the sum above crossed processes)
    assert "counter_999999.db" not in files
    per_worker = [_paid_in(metrics_dir / f"counter_{pid}.db") for pid in pids]
    assert sum(per_worker) == 30 and min(per_worker) > 0, per_worker


def _paid_in(path: Path) -> float:
    """Successful payments in one worker's value file."""
    return sum(sample.value for metric in MultiProcessCollector.merge([str(path)])
               for sample in metric.samples
               if sample.name == escort.PAYMENTS
               and sample.labels.get("outcome") == "success")
