"""error_ratio_gate, percentile_gate and concurrency_gate on captured Locust output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.gates.load import concurrency_gate, error_ratio_gate, percentile_gate
from harness.model import Comparator, Status
from harness.readers.generator import read_generator_health, read_load_plan
from harness.readers.locust import read_locust_stats
from harness.readers.locust_phases import read_phase_stats
from tests.load.conftest import DATA

Evidence = Callable[[str], Path]
GOOD = read_locust_stats(DATA / "good" / "stats.csv")
EMFILE_RUN = read_locust_stats(DATA / "emfile" / "stats.csv")
# the same counts as if the failures had been the store's (the arithmetic of the gate)
EMFILE = replace(EMFILE_RUN, client_failures={})


def test_error_ratio_passes_without_failures() -> None:
    outcome = error_ratio_gate(GOOD, 0.001)
    assert outcome.status is Status.PASSED
    assert outcome.observed == 0.0
    assert outcome.comparator is Comparator.LE
    assert outcome.n == sum(r.request_count for r in GOOD.http_rows)


def test_error_ratio_fails_and_excludes_the_purchase_event() -> None:
    outcome = error_ratio_gate(EMFILE, 0.01)
    assert outcome.status is Status.FAILED
    start = EMFILE.get("1 start")
    assert start is not None
    total = sum(r.request_count for r in EMFILE.http_rows)
    assert outcome.observed == pytest.approx(start.failure_count / total)
    assert "purchase" not in outcome.details["failures"]


def test_failures_that_were_the_generators_own_are_not_the_stores() -> None:
    outcome = error_ratio_gate(EMFILE_RUN, 0.01)
    assert outcome.status is Status.INCONCLUSIVE
    assert "116 failure(s) in failures.csv are the load generator's own (EMFILE x116)" in \
        outcome.message
    unknown = error_ratio_gate(replace(EMFILE_RUN, client_failures=None), 0.01)
    assert unknown.status is Status.INCONCLUSIVE and "no failures.csv" in unknown.message


def test_error_ratio_of_one_request_and_of_an_unknown_one() -> None:
    assert error_ratio_gate(EMFILE, 0.5, request_name="purchase").status is Status.PASSED
    missing = error_ratio_gate(GOOD, 0.01, request_name="6 refund")
    assert missing.status is Status.INCONCLUSIVE
    assert "no request named '6 refund'" in missing.message


def test_percentile_gate_explains_histogram_rounding() -> None:
    outcome = percentile_gate(GOOD, "purchase", 95, 3000)
    assert outcome.status is Status.PASSED
    assert outcome.unit == "ms"
    assert "rounded to about 2 significant digits" in outcome.message
    assert outcome.details["rounding_ms"] == 50.0  # 2,500 ms is kept to 100 ms buckets


def test_percentile_gate_on_the_steady_state_only() -> None:
    steady = read_phase_stats(DATA / "good" / "phase_stats.jsonl", ["steady"])
    outcome = percentile_gate(steady, "1 start", 95, 800)
    assert outcome.status is Status.PASSED
    assert "(steady)" in outcome.evidence[0]
    assert error_ratio_gate(steady, 0.0).status is Status.PASSED


def test_percentile_gate_fails_above_the_threshold() -> None:
    outcome = percentile_gate(GOOD, "purchase", 99, 1000)
    assert outcome.status is Status.FAILED
    assert outcome.observed is not None and float(outcome.observed) > 1000


def test_percentile_not_recorded_by_locust_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not one Locust records"):
        percentile_gate(GOOD, "5 pay", 97, 800)


def test_percentile_without_data_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")
    path = folder / "stats.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")  # 5 pay
    weight = float(cells[5]) * int(cells[2])  # 5 pay's share of the Aggregated average
    cells[2], cells[3] = "0", "0"
    rps, cells[9] = float(cells[9]), "0"
    cells[11:] = ["N/A"] * (len(cells) - 11)
    lines[5] = ",".join(cells)
    total = lines[-1].split(",")  # the Aggregated row loses the 137 requests of 5 pay
    left = int(total[2]) - 137
    total[5] = str((float(total[5]) * int(total[2]) - weight) / left)
    total[2], total[9] = str(left), str(float(total[9]) - rps)
    lines[-1] = ",".join(total)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = percentile_gate(read_locust_stats(path), "5 pay", 95, 800)
    assert outcome.status is Status.INCONCLUSIVE
    assert "N/A" in outcome.message


def test_concurrency_gate_on_users_held() -> None:
    health = read_generator_health(DATA / "good" / "generator.jsonl")
    plan = read_load_plan(DATA / "good" / "phases.json")
    assert concurrency_gate(health, plan, 20).status is Status.PASSED
    failed = concurrency_gate(health, plan, 100_000)
    assert failed.status is Status.FAILED
    assert failed.message.startswith("concurrent users held in steady state were 20")
