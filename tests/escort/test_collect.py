"""The escort collector: which queries a check asks, samples.jsonl written so a kill loses
nothing, and real checks of a real demo shop scraped by a real Prometheus (counts, the degrade
variant, a stopped Prometheus)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness_contract.escort import DEFAULT_QUERIES, DEFAULT_STEPS, EscortSample, read_samples
from harness_demo_shop.server import ServerHandle, start_in_background
from harness_watch.collect import append_samples, collect_check, plan_queries
from harness_watch.prometheus import PrometheusServer, query, start_prometheus
from harness_watch.traffic import TrafficPlan, run_traffic
from tests.escort.producers import buy, needs_prometheus, poll

COHORTS = ("gray", "control")


def test_a_check_asks_each_quantity_per_cohort_and_step() -> None:
    planned = plan_queries("15m", DEFAULT_QUERIES, COHORTS, DEFAULT_STEPS)
    per_step = [q for q in planned if q[2] is not None]
    assert len(planned) == 8 * 3 + 1 * len(DEFAULT_STEPS) * 3
    assert {q[0] for q in per_step} == {"p95_seconds"}
    assert {(q[1], q[2]) for q in per_step} == {(c, s) for c in (*COHORTS, "all")
                                               for s in DEFAULT_STEPS}
    for _quantity, cohort, step, promql in planned:
        assert "[15m]" in promql
        assert "{window}" not in promql and "{cohort}" not in promql and "{step}" not in promql
        assert (f'cohort=~"{cohort}"' if cohort != "all" else 'cohort=~".*"') in promql
        assert step is None or f'step="{step}"' in promql
    whole = plan_queries("5m", {"up": "sum(up)"}, COHORTS, DEFAULT_STEPS)
    assert whole == [("up", "all", None, "sum(up)")]


@pytest.mark.parametrize("bad", ['gray"} or vector(1) #', "", "all", "x" * 65])
def test_cohort_and_step_names_cannot_inject_promql(bad: str) -> None:
    with pytest.raises(ConfigError):
        plan_queries("5m", DEFAULT_QUERIES, [bad], DEFAULT_STEPS)
    with pytest.raises(ConfigError):
        plan_queries("5m", DEFAULT_QUERIES, COHORTS, [bad])


def _sample(check: int, value: float | None = 1.0) -> EscortSample:
    return EscortSample(check=check, at=1_796_000_000.0 + check, window_seconds=60,
                        quantity="payments", cohort="all", value=value,
                        series=1 if value is not None else 0, query="sum(x)")


def test_samples_are_appended_line_by_line_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "raw" / "escort" / "samples.jsonl"
    append_samples(path, [_sample(0), _sample(0, None)])
    append_samples(path, [])
    append_samples(path, [_sample(1, 2.5)])
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 3
    samples = read_samples(text, str(path))
    assert [(s.check, s.value) for s in samples] == [(0, 1.0), (0, None), (1, 2.5)]


def test_samples_of_a_killed_writer_are_on_disk(tmp_path: Path) -> None:
    """The lines are in the file when append_samples returns: a second process (as a watch
    restarted after a kill would) reads them without the first closing anything."""
    import subprocess
    import sys

    path = tmp_path / "samples.jsonl"
    code = ("import os, sys; from tests.escort.test_collect import _sample; "
            "from harness_watch.collect import append_samples; "
            f"append_samples({str(path)!r}, [_sample(0), _sample(1)]); os._exit(9)")
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert done.returncode == 9
    assert [s.check for s in read_samples(path.read_text(), str(path))] == [0, 1]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers (a hung Prometheus)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_a_hung_prometheus_costs_one_timeout_not_one_per_query(silent_server: str) -> None:
    began = time.monotonic()
    samples = collect_check(silent_server, 3, time.time(), 900, DEFAULT_QUERIES, COHORTS,
                            DEFAULT_STEPS, timeout_s=0.5)
    elapsed = time.monotonic() - began
    assert len(samples) == 39 and elapsed < 5, elapsed  # 39 timeouts would be 19.5 s
    assert all(s.value is None and s.error and "did not answer within 0.5 s" in s.error
               for s in samples)
    assert {s.check for s in samples} == {3} and {s.window_seconds for s in samples} == {900}
    for sample in samples:  # what the collector writes is what the judge accepts
        assert EscortSample.from_json(sample.to_json(), "x") == sample


# --- real shop, real Prometheus ---------------------------------------------------------------
def _scraped(tmp_path: Path, shop: ServerHandle) -> PrometheusServer:
    server = start_prometheus(tmp_path / "prometheus", [shop.url], scrape_interval_s=1)
    problem = server.wait_scraped(30)
    if problem:
        server.stop()
        pytest.fail(problem)
    return server


def _by(samples: list[EscortSample], quantity: str, step: str | None = None
        ) -> dict[str, float | None]:
    return {s.cohort: s.value for s in samples if s.quantity == quantity and s.step == step}


RAW = {  # the counters themselves (no increase(), so no extrapolation): exact counts
    "paid": 'sum(shop_payments_total{outcome="success",cohort=~"{cohort}"})',
    "policies": 'sum(shop_policies_issued_total{cohort=~"{cohort}"})',
    "starts": 'sum(shop_http_requests_total{route="/api/journeys",cohort=~"{cohort}"})',
}


@pytest.mark.slow
@needs_prometheus
def test_a_check_counts_the_purchases_of_a_real_shop(tmp_path: Path) -> None:
    with start_in_background(workers=2, gray_percent=50) as shop, _scraped(tmp_path, shop) as prom:
        began = time.time()
        answers = [buy(shop.url, ("travel", "medical", "accident")[n % 3], f"c-{n}")
                   for n in range(20)]
        assert {a["status"] for a in answers} == {200}
        paid = Counter(a["cohort"] for a in answers)
        poll(lambda: query(prom.url, 'sum(shop_payments_total{outcome="success"})').value,
             lambda v: v == 20, timeout_s=20)
        at = time.time()
        exact = collect_check(prom.url, 0, at, 60, RAW, COHORTS, DEFAULT_STEPS)
        for quantity in RAW:
            assert _by(exact, quantity) == {"gray": paid["gray"], "control": paid["control"],
                                            "all": 20}, quantity
        window = round(at - began) + 3
        samples = collect_check(prom.url, 1, at, window, DEFAULT_QUERIES, COHORTS, DEFAULT_STEPS)
        assert not [s for s in samples if s.error], [s.error for s in samples if s.error]
        payments = _by(samples, "payments")["all"]
        # increase() extrapolates to the window's ends: at least the truth, never far above it
        assert payments is not None and 20 <= payments <= 20 * (1 + 2 / window) + 1e-9
        for quantity in ("paid_without_policy", "premium_mismatches", "purchase_errors"):
            assert _by(samples, quantity) == {"gray": 0.0, "control": 0.0, "all": 0.0}, quantity
        p95 = _by(samples, "p95_seconds", "pay")["all"]
        assert p95 is not None and 0 < p95 <= 30
        prom.stop()
        after = collect_check(prom.url, 2, time.time(), 60, DEFAULT_QUERIES, COHORTS,
                              DEFAULT_STEPS, timeout_s=2)
    assert after and all(s.value is None and s.error and "unreachable" in s.error
                         for s in after)
    out = tmp_path / "samples.jsonl"
    append_samples(out, [*samples, *after])
    assert len(read_samples(out.read_text(), str(out))) == len(samples) + len(after)


@pytest.mark.slow
@needs_prometheus
def test_the_degrade_variant_fails_payments_after_its_delay(tmp_path: Path) -> None:
    delay_s = 20.0  # the shop and Prometheus take ~10 s to start on a busy machine
    extra = ["--degrade-after-s", str(delay_s), "--degrade-payment-fail-percent", "50"]
    with start_in_background(variant="degrade-after", workers=2, gray_percent=50,
                             extra_args=extra) as shop, _scraped(tmp_path, shop) as prom:
        ready = json.loads((Path(shop.log_path).parent / "ready.json").read_text())
        degrade_at = ready["started_at_s"] + delay_s
        plan = TrafficPlan(shop.url, rate_per_s=6, duration_s=max(4.0, degrade_at - time.time())
                           + 7, complaint_percent=0, health_error_percent=0)
        report = run_traffic(plan, threading.Event())
        end = time.time()
        assert report.paid > 0 and report.payment_failures > 0, report.as_dict()
        failed = 'sum(increase(shop_payments_total{outcome="failed",cohort=~"{cohort}"}[{window}]))'
        queries = {"failed": failed, "purchase_errors": DEFAULT_QUERIES["purchase_errors"],
                   "payments": DEFAULT_QUERIES["payments"]}
        last = poll(lambda: query(prom.url, 'sum(shop_payments_total{outcome="failed"})').value,
                    lambda v: v == report.payment_failures, timeout_s=15)
        assert last == report.payment_failures
        before = collect_check(prom.url, 0, degrade_at - 0.5, 5, queries, COHORTS, ())
        after = collect_check(prom.url, 1, end + 1.5, end + 1.5 - degrade_at, queries, COHORTS,
                              ())
    assert _by(before, "failed")["all"] == 0.0 and _by(before, "purchase_errors")["all"] == 0.0
    good = _by(before, "payments")["all"]
    assert good is not None and good > 0
    failed_after, errors_after = _by(after, "failed")["all"], _by(after, "purchase_errors")["all"]
    assert failed_after is not None and failed_after > 0
    assert errors_after is not None and errors_after > 0
