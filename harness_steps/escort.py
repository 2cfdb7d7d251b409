"""The 72-hour escort (features/escort): the live metrics of one check of `harness watch`.

`harness watch` runs these features once per check, with the watch's run directory in
$HARNESS_ESCORT_RUN_DIR and the check's index in $HARNESS_ESCORT_CHECK (by hand: pytest
features/ --harness-areas escort --harness-run-dir WATCH_RUN_DIR judges its latest check).
Every Then-step calls a pure gate in harness.escort; thresholds are the feature file's.
"""

from __future__ import annotations

import os
from pathlib import Path

from pytest_bdd import given, parsers, then

from harness.escort.comparisons import burn_gate, gray_gate
from harness.escort.criteria import availability_gate, p95_gate, zero_count_gate
from harness.escort.evidence import EscortEvidence, read_escort_evidence
from harness.escort.voice import category_jump_gate, complaint_ratio_gate
from harness.pytest_plugin import RecordCriterion

# what these steps read, for `harness steps`
EVIDENCE = "raw/escort/samples.jsonl, raw/escort/complaints.jsonl (written by harness watch)"
RUN_DIR_ENV = "HARNESS_ESCORT_RUN_DIR"
CHECK_ENV = "HARNESS_ESCORT_CHECK"
WINDOW_ENV = "HARNESS_ESCORT_WINDOW_S"
DEFAULT_WINDOW_S = 72 * 3600.0


def escort_run_dir(harness_run_dir: Path) -> Path:
    named = os.environ.get(RUN_DIR_ENV)
    return Path(named) if named else harness_run_dir


def escort_window_s() -> float:
    """The watch window the burn-rate windows are scaled to (72 h unless the watch says)."""
    try:
        return float(os.environ.get(WINDOW_ENV) or DEFAULT_WINDOW_S)
    except ValueError:
        return DEFAULT_WINDOW_S


def escort_check() -> int | None:
    named = os.environ.get(CHECK_ENV)
    return int(named) if named and named.isdigit() else None


@given("本次护航检查的线上指标", target_fixture="escort")
@given("the live metrics of this escort check", target_fixture="escort")
def escort_evidence(harness_run_dir: Path) -> EscortEvidence:
    return read_escort_evidence(escort_run_dir(harness_run_dir), escort_check())


@then(parsers.parse("本区间至少{percent:g}%的投保请求成功，至少{n:d}个请求才评判"))
@then(parsers.parse("at least {percent:g} % of the purchase requests of the interval succeed, "
                    "judged on {n:d} requests or more"))
def availability(escort: EscortEvidence, percent: float, n: int,
                 record_criterion: RecordCriterion) -> None:
    record_criterion(availability_gate(escort, percent, n))


@then(parsers.parse("“{step}”步骤的95分位响应时间不超过{seconds:g}秒"))
@then(parsers.parse('the 95th percentile latency of the "{step}" step is at most '
                    "{seconds:g} s"))
def step_p95(escort: EscortEvidence, step: str, seconds: float,
             record_criterion: RecordCriterion) -> None:
    record_criterion(p95_gate(escort, step, seconds))


@then("本区间没有已支付却未出单的投保")
@then("no payment of the interval is left without a policy")
def paid_without_policy(escort: EscortEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(zero_count_gate(escort, "paid_without_policy",
                                     "payments without a policy"))


@then("本区间没有实收保费与报价不符的支付")
@then("no premium charged in the interval differs from the premium quoted")
def premium_mismatch(escort: EscortEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(zero_count_gate(escort, "premium_mismatches",
                                     "payments charged a premium other than the quote"))


@then(parsers.parse("{slo:g}%可用性的错误预算没有按多窗口告警速率燃烧（按护航期缩放）"))
@then(parsers.parse("the error budget of {slo:g} % availability does not burn at the "
                    "multiwindow alert rates, scaled to the watch window"))
def burn_rate(escort: EscortEvidence, slo: float, record_criterion: RecordCriterion) -> None:
    record_criterion(burn_gate(escort, slo, escort_window_s()))


@then(parsers.parse("灰度组转化率不比对照组差（随时有效检验，α = {alpha:g}）"))
@then(parsers.parse("the gray cohort's conversion is not shown worse than the control's by an "
                    "anytime-valid test at alpha {alpha:g}"))
def gray_conversion(escort: EscortEvidence, alpha: float,
                    record_criterion: RecordCriterion) -> None:
    record_criterion(gray_gate(escort, "conversion", alpha))


@then(parsers.parse("灰度组投保请求错误率不比对照组高（随时有效检验，α = {alpha:g}）"))
@then(parsers.parse("the gray cohort's error ratio is not shown worse than the control's by an "
                    "anytime-valid test at alpha {alpha:g}"))
def gray_errors(escort: EscortEvidence, alpha: float, record_criterion: RecordCriterion) -> None:
    record_criterion(gray_gate(escort, "errors", alpha))


@then(parsers.parse("截至本次检查，投诉不超过已出保单的{percent:g}%，至少{n:d}张保单才评判超标"))
@then(parsers.parse("the complaints so far are at most {percent:g} % of the policies issued so "
                    "far, judged above it on {n:d} policies or more"))
def complaint_ratio(escort: EscortEvidence, percent: float, n: int, harness_run_dir: Path,
                    record_criterion: RecordCriterion) -> None:
    record_criterion(complaint_ratio_gate(escort, escort_run_dir(harness_run_dir), percent, n))


@then(parsers.parse("没有哪类投诉比之前的区间突然增多（α = {alpha:g}）"))
@then(parsers.parse("no complaint category jumps against the previous intervals at alpha "
                    "{alpha:g}"))
def complaint_jumps(escort: EscortEvidence, alpha: float, harness_run_dir: Path,
                    record_criterion: RecordCriterion) -> None:
    record_criterion(category_jump_gate(escort, escort_run_dir(harness_run_dir), alpha,
                                        escort_window_s()))
