"""Capacity under load (features/capacity): Locust's statistics and the generator's health.

Every latency or error criterion is INCONCLUSIVE unless the generator-validity gate passed
with the thresholds of the Background: a saturated generator measured itself, not the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytest_bdd import given, parsers, then

from harness.gates.load import (
    error_ratio_gate,
    generator_validity_gate,
    only_if_valid,
    percentile_gate,
)
from harness.model import Outcome
from harness.pytest_plugin import RecordCriterion
from harness.readers.generator import read_generator_health, read_load_plan
from harness.readers.locust import read_locust_stats
from harness_steps.attachments import attach_files

# what these steps read, for `harness steps`
EVIDENCE = ("raw/load/ (Locust stats.csv, stats_history.csv, failures.csv; generator.jsonl, "
            "phases.json)")


@dataclass
class LoadEvidence:
    load_dir: Path
    validity: Outcome | None = None

    def valid_or_inconclusive(self, outcome: Outcome) -> Outcome:
        return only_if_valid(outcome, self.validity)


@given("本次运行的压测数据", target_fixture="load")
@given("the load test evidence of this run", target_fixture="load")
def load_evidence(harness_run_dir: Path) -> LoadEvidence:
    load_dir = harness_run_dir / "raw" / "load"
    attach_files(load_dir / "report.html", load_dir / "stats.csv", load_dir / "phases.json")
    return LoadEvidence(load_dir)


@given(parsers.parse("压测仅在以下条件下有效：每个压测进程的CPU不超过{max_cpu:g}%，"
                     "请求速率比计划低不超过{shortfall:g}%，且客户端没有套接字错误"))
@given(parsers.parse("the load test counts as valid only with every worker at most "
                     "{max_cpu:g} % CPU, a request rate at most {shortfall:g} % below plan and "
                     "no client socket errors"))
def validity_rule(load: LoadEvidence, max_cpu: float, shortfall: float) -> None:
    health = read_generator_health(load.load_dir / "generator.jsonl")
    plan = read_load_plan(load.load_dir / "phases.json")
    load.validity = generator_validity_gate(health, plan, max_cpu_percent=max_cpu,
                                            max_rate_shortfall=shortfall / 100)


@then("压测机有效地达到并保持了计划的并发用户数")
@then("the load generator reached and held its planned users validly")
def load_valid(load: LoadEvidence, record_criterion: RecordCriterion) -> None:
    assert load.validity is not None
    record_criterion(load.validity)


@then(parsers.parse("失败的请求不超过{max_percent:g}%"))
@then(parsers.parse("at most {max_percent:g} % of requests failed"))
def error_ratio(load: LoadEvidence, max_percent: float,
                record_criterion: RecordCriterion) -> None:
    stats = read_locust_stats(load.load_dir / "stats.csv")
    record_criterion(load.valid_or_inconclusive(error_ratio_gate(stats, max_percent / 100)))


@then(parsers.parse("“{step}”的95分位响应时间不超过{max_ms:g}毫秒"))
@then(parsers.parse('the 95th percentile of "{step}" is at most {max_ms:g} ms'))
def p95(load: LoadEvidence, step: str, max_ms: float, record_criterion: RecordCriterion) -> None:
    stats = read_locust_stats(load.load_dir / "stats.csv")
    record_criterion(load.valid_or_inconclusive(percentile_gate(stats, step, 95, max_ms)))
