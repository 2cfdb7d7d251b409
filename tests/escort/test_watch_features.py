"""The escort features of a project made by `harness init`, judged by pytest at every check as
`harness watch` does, on samples from a fake collector: the criteria in the feature files decide
CONTINUE, INCONCLUSIVE (Prometheus unreachable, with that reason) and ROLLBACK (naming the
criterion); the complaints come from a real CSV file through the complaints reader."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.cli.watch_parts import complaints_reader, features_judge
from harness.escort.decide import CheckDecision, CheckResult
from harness.escort.hook import RollbackHook
from harness.escort.loop import run_watch
from harness.escort.state import EscortState
from harness.policy import Policy
from harness.project import open_project
from harness_contract.escort import EscortSample
from tests.escort.fakes import T0, samples
from tests.escort.test_watch_loop import FakeClock

pytestmark = pytest.mark.slow
UNREACHABLE = "Prometheus at http://127.0.0.1:9 is unreachable: connection refused"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("escort") / "demo"
    subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo", str(root)],
                   check=True, capture_output=True)
    complaints = root / "complaints.csv"
    complaints.write_text("time,category,order_or_policy_id,text\n"
                          f"{T0 + 30},payment,P1,charged twice\n", encoding="utf-8")
    with (root / "harness.toml").open("a", encoding="utf-8") as out:
        out.write('\n[escort]\ncomplaints = "complaints.csv"\n')
    return root


def _watch(project: Path, run_dir: Path, per_check: Sequence[list[EscortSample]]
           ) -> list[CheckResult]:
    proj = open_project(project)
    complaints = complaints_reader(proj, run_dir, None)
    assert complaints is not None

    def collect(check: int, at: float, window_s: float) -> Sequence[EscortSample]:
        complaints(check, at - window_s, at)
        return per_check[check]

    state = EscortState("w", T0, 60.0 * len(per_check), 60.0, {})
    judge = features_judge(run_dir, proj.features_dir, Policy(), state.window_s)
    final = run_watch(run_dir, state, collect, judge, RollbackHook(), FakeClock().clock(),
                      lambda *_: None)
    return list(final.checks)


def test_continue_then_inconclusive_then_rollback(project: Path, tmp_path: Path) -> None:
    checks = _watch(project, tmp_path, [samples(0, {"policies": 400.0, "quotes": 1000.0}),
                                        samples(1, error=UNREACHABLE),
                                        samples(2, {"paid_without_policy": 4.0})])
    decisions = [c.decision for c in checks]
    assert decisions == [CheckDecision.CONTINUE, CheckDecision.INCONCLUSIVE,
                         CheckDecision.ROLLBACK], [c.summary() for c in checks]
    assert any("unreachable" in r.message for r in checks[1].reasons)
    assert [r.criterion.split(" :: ")[1] for r in checks[2].reasons] == \
        ["Every payment has a policy"]
    ratio = next(c for c in checks[0].criteria if "complain" in c.id.lower()
                 and c.severity.value == "critical")
    assert ratio.status.value == "passed" and "1 complaints per 400 policies" in \
        ratio.outcome.message
    assert (tmp_path / "checks" / "0002" / "allure-results").is_dir()  # one result per check


def test_too_little_traffic_is_inconclusive_not_continue(project: Path, tmp_path: Path) -> None:
    [check] = _watch(project, tmp_path, [samples(0, {"purchase_requests": 10.0,
                                                     "quotes": 10.0, "policies": 2.0})])
    assert check.decision is CheckDecision.INCONCLUSIVE
    assert any("too little traffic" in r.message for r in check.reasons), check.summary()


def test_the_chinese_escort_features_judge_the_same(tmp_path: Path) -> None:
    root = tmp_path / "zh"
    subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo", "--lang",
                    "zh-CN", str(root)], check=True, capture_output=True)
    (root / "complaints.csv").write_text("time,category,text\n", encoding="utf-8")
    with (root / "harness.toml").open("a", encoding="utf-8") as out:
        out.write('\n[escort]\ncomplaints = "complaints.csv"\n')
    [good, lost] = _watch(root, tmp_path / "run",
                          [samples(0, {"quotes": 1000.0}),
                           samples(1, {"quotes": 1000.0, "premium_mismatches": 1.0})])
    assert good.decision is CheckDecision.CONTINUE, good.summary()
    assert len(good.criteria) == 13  # as many as in English: every phrase bound
    assert lost.decision is CheckDecision.ROLLBACK
    assert [r.criterion.split(" :: ")[1] for r in lost.reasons] == ["实收保费等于报价保费"]


def test_no_cohorts_makes_the_gray_comparison_not_applicable_and_the_escort_can_pass(
        project: Path, tmp_path: Path) -> None:
    """[escort] cohorts = [] (launched to everyone): the gray criteria are NOT APPLICABLE,
    saying why, and the check CONTINUEs on the rest; cohorts under other names stay a gap."""
    busy = {"policies": 400.0, "quotes": 1000.0}  # enough policies to judge the complaints
    [check] = _watch(project, tmp_path / "none", [samples(0, busy, cohorts=())])
    gray = [c for c in check.criteria if "control" in c.scenario]
    assert check.decision is CheckDecision.CONTINUE, check.summary()
    assert len(gray) == 2 and all(c.status.value == "not_applicable" for c in gray), gray
    assert all("[escort] cohorts is empty" in c.outcome.message for c in gray)
    [other] = _watch(project, tmp_path / "other",
                     [samples(0, busy, cohorts=("canary", "stable"))])
    assert other.decision is CheckDecision.INCONCLUSIVE, other.summary()
    assert {r.criterion.split(" :: ")[1] for r in other.reasons} == {
        "Gray converts no worse than control",
        "Gray fails no more purchase requests than control"}
