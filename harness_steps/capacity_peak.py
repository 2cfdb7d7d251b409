"""Peak capacity (features/capacity_peak): 100,000 concurrent purchasers, steady state and
recovery after the spike, judged from raw/load of a `--load-profile peak` run.

Like features/capacity, every latency or error criterion is INCONCLUSIVE unless the
generator-validity gate passed with the Background's thresholds. Latency and errors are the
steady phase's own (phase_stats.jsonl: the warm-up is subtracted out); recovery is judged on
Locust's per-second history (stats_history.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pytest_bdd import given, parsers, then

from harness.gates.load import (
    concurrency_gate,
    error_ratio_gate,
    generator_validity_gate,
    only_if_valid,
    percentile_gate,
    recovery_gate,
)
from harness.model import Outcome, Status
from harness.pytest_plugin import RecordCriterion
from harness.readers.generator import LoadPlan, read_generator_health, read_load_plan
from harness.readers.locust import LocustStats, read_request_history
from harness.readers.locust_phases import read_phase_stats
from harness_steps.attachments import attach_files

STEADY = ["steady"]

# what these steps read, for `harness steps`
EVIDENCE = ("raw/load/ (Locust stats and per-second history; generator.jsonl, phases.json, "
            "phase_stats.jsonl)")


@dataclass
class PeakEvidence:
    load_dir: Path
    validity: Outcome | None = None

    def plan(self) -> LoadPlan:
        return read_load_plan(self.load_dir / "phases.json")

    def steady(self) -> LocustStats:
        return read_phase_stats(self.load_dir / "phase_stats.jsonl", STEADY)

    def valid_or_inconclusive(self, outcome: Outcome) -> Outcome:
        return only_if_valid(outcome, self.validity)


@given("本次运行的峰值压测数据", target_fixture="peak")
@given("the peak load test evidence of this run", target_fixture="peak")
def peak_evidence(harness_run_dir: Path) -> PeakEvidence:
    load_dir = harness_run_dir / "raw" / "load"
    attach_files(load_dir / "report.html", load_dir / "stats.csv", load_dir / "phases.json",
                 load_dir / "generator.jsonl")
    return PeakEvidence(load_dir)


@given(parsers.parse("峰值压测仅在以下条件下有效：每个压测进程的CPU不超过{max_cpu:g}%，"
                     "请求速率比计划低不超过{shortfall:g}%，且客户端没有套接字错误"))
@given(parsers.parse("the peak load test counts as valid only with every worker at most "
                     "{max_cpu:g} % CPU, a request rate at most {shortfall:g} % below plan and "
                     "no client socket errors"))
def validity_rule(peak: PeakEvidence, max_cpu: float, shortfall: float) -> None:
    health = read_generator_health(peak.load_dir / "generator.jsonl")
    peak.validity = generator_validity_gate(health, peak.plan(), max_cpu_percent=max_cpu,
                                            max_rate_shortfall=shortfall / 100)


@then(parsers.parse("压测机有效地达到并保持了{users:,d}名并发投保用户"))
@then(parsers.parse("the load generator reached and held {users:,d} concurrent purchasers "
                    "validly"))
def held_validly(peak: PeakEvidence, users: int, record_criterion: RecordCriterion) -> None:
    assert peak.validity is not None
    plan = peak.plan()
    planned = max((p.users for p in plan.phases_of("steady")), default=0)
    if planned < users:
        record_criterion(Outcome.inconclusive(
            f"the load plan held only {planned:,} users in its steady phase, fewer than the "
            f"{users:,} to show (profile {plan.profile!r}): run `harness run --load-profile "
            "peak`", evidence=(plan.source,), details={"planned_users": planned}))
    elif peak.validity.status is not Status.PASSED:
        record_criterion(peak.validity)
    else:
        health = read_generator_health(peak.load_dir / "generator.jsonl")
        held = concurrency_gate(health, plan, users)
        record_criterion(replace(held, message=f"{held.message}; {peak.validity.message}"))


@then(parsers.parse("稳态下失败的请求不超过{max_percent:g}%"))
@then(parsers.parse("at most {max_percent:g} % of requests failed in the steady state"))
def steady_errors(peak: PeakEvidence, max_percent: float,
                  record_criterion: RecordCriterion) -> None:
    outcome = error_ratio_gate(peak.steady(), max_percent / 100)
    record_criterion(peak.valid_or_inconclusive(outcome))


@then(parsers.parse("稳态下失败的投保不超过{max_percent:g}%"))
@then(parsers.parse("at most {max_percent:g} % of purchases failed in the steady state"))
def steady_purchase_errors(peak: PeakEvidence, max_percent: float,
                           record_criterion: RecordCriterion) -> None:
    outcome = error_ratio_gate(peak.steady(), max_percent / 100, request_name="purchase")
    record_criterion(peak.valid_or_inconclusive(outcome))


@then(parsers.parse("稳态下“{step}”的95分位响应时间不超过{max_ms:g}毫秒"))
@then(parsers.parse('the 95th percentile of "{step}" in the steady state is at most '
                    "{max_ms:g} ms"))
def steady_p95(peak: PeakEvidence, step: str, max_ms: float,
               record_criterion: RecordCriterion) -> None:
    outcome = percentile_gate(peak.steady(), step, 95, max_ms)
    record_criterion(peak.valid_or_inconclusive(outcome))


@then(parsers.parse("稳态下，用户完整投保一次累计等待商城响应的时间，95分位不超过"
                    "{max_ms:g}毫秒"))
@then(parsers.parse("the 95th percentile of the time a buyer waits for the store in one whole "
                    "purchase, in the steady state, is at most {max_ms:g} ms"))
def steady_purchase_waiting(peak: PeakEvidence, max_ms: float,
                            record_criterion: RecordCriterion) -> None:
    outcome = percentile_gate(peak.steady(), "purchase waiting", 95, max_ms)
    record_criterion(peak.valid_or_inconclusive(outcome))


@then(parsers.parse("尖峰过后，每个步骤的95分位响应时间在{within_s:g}秒内回落到{max_ms:g}毫秒"
                    "及以下"))
@then(parsers.parse("after the spike the 95th percentile of every step is back at or under "
                    "{max_ms:g} ms within {within_s:g} seconds"))
def recovery(peak: PeakEvidence, max_ms: float, within_s: float,
             record_criterion: RecordCriterion) -> None:
    history = read_request_history(peak.load_dir / "stats_history.csv")
    outcome = recovery_gate(history, peak.plan(), max_ms, within_s)
    record_criterion(peak.valid_or_inconclusive(outcome))
