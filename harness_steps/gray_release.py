"""Gray-release cohort comparison (features/gray_release, written in Chinese)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pytest_bdd import given, parsers, then

from harness.errors import EvidenceError
from harness.gates.gray import conversion_gate, error_rate_gate, sample_ratio_gate
from harness.gray.chart import write_charts
from harness.gray.comparison import GrayComparison, compare
from harness.model import Outcome, Status
from harness.pytest_plugin import RecordCriterion
from harness.readers.cohort import read_cohort_events
from harness.readers.evidence_file import as_evidence_error
from harness_contract.gray_export import check_export
from harness_steps.attachments import attach_files

# what these steps read, for `harness steps`
EVIDENCE = "raw/gray/events.parquet or events.csv, raw/gray/events.json, raw/gray/split.json"


@given("本次运行的灰度发布事件数据", target_fixture="comparison")
def gray_events(harness_run_dir: Path) -> GrayComparison:
    gray_dir = harness_run_dir / "raw" / "gray"
    events = next((p for p in (gray_dir / "events.parquet", gray_dir / "events.csv")
                   if p.is_file()), gray_dir / "events.parquet")
    split_path = gray_dir / "split.json"
    try:
        gray_share = float(json.loads(split_path.read_text(encoding="utf-8"))["gray_share"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvidenceError(f"the configured gray split is unknown ({exc}): it is needed for "
                            "the sample-ratio test", path=str(split_path)) from exc
    if events.is_file():  # the file exported, not one cut or changed since (events.json)
        with as_evidence_error():
            check_export(events)
    comparison = compare(read_cohort_events(str(events)), gray_share)
    attach_files(*write_charts(comparison, gray_dir))
    return comparison


@then(parsers.parse("样本比例检验的p值不低于{alpha:g}"))
def sample_ratio(comparison: GrayComparison, alpha: float,
                 record_criterion: RecordCriterion) -> None:
    record_criterion(_named(sample_ratio_gate(comparison.sample_ratio, alpha=alpha),
                            comparison))


@then(parsers.parse("灰度组转化率比对照组低不超过{margin:g}个百分点"))
def conversion(comparison: GrayComparison, margin: float,
               record_criterion: RecordCriterion) -> None:
    record_criterion(_named(conversion_gate(comparison.conversion, margin_pp=margin,
                                            srm=comparison.sample_ratio), comparison))


@then(parsers.parse("灰度组健康告知提交错误率比对照组高不超过{margin:g}个百分点"))
def health_errors(comparison: GrayComparison, margin: float,
                  record_criterion: RecordCriterion) -> None:
    record_criterion(_named(error_rate_gate(comparison.health_error, margin_pp=margin,
                                            srm=comparison.sample_ratio), comparison))


def _named(outcome: Outcome, comparison: GrayComparison) -> Outcome:
    """The events file is the evidence; an INCONCLUSIVE outcome names it (a file cut at a
    line boundary reads cleanly and shows only as a missing cohort)."""
    source = comparison.provenance.source
    named = replace(outcome, evidence=outcome.evidence or (source,))
    if outcome.status is Status.INCONCLUSIVE and source not in outcome.message:
        named = replace(named, message=f"{outcome.message} (events: {source})")
    return named
