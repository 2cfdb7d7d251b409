"""Bad input is exit 2 naming the file and the key (never a traceback, never silently
ignored); a waiver that matches no criterion is a warning in the verdict; NaN or garbage in
run.json is a warning, not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.model import Criterion, ExitCode, Outcome, Status, Waiver
from harness.policy import Policy, read_waivers
from harness.verdict import decide

GOOD = """[[waiver]]
criterion = "capacity/load::p95 of each journey step"
approver = "李伟 (release manager)"
reason = "已知支付通道慢，2.4.1 修复"
expires = 2099-12-31
"""


def _verdict_with(waivers: Path, tmp_path: Path) -> tuple[int, str]:
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    code = main(["verdict", "--no-rejudge", str(run), "--waivers", str(waivers)])
    return code, str(waivers)


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    (GOOD.replace("[[waiver]]", "[waiver]"), "utf-8", "write each waiver as [[waiver]]"),
    (GOOD, "gbk", ":3: not UTF-8 (byte "),  # line 3: the approver in Chinese
    (GOOD.replace("[[waiver]]", "[[waivers]]"), "utf-8",
     "unknown table or key 'waivers' (did you mean 'waiver'?)"),
    (GOOD.replace("approver =", "aprover ="), "utf-8",
     "waiver #1: unknown key 'aprover' (did you mean 'approver'?)"),
    (GOOD.replace("expires = 2099-12-31", 'expires = "next year"'), "utf-8",
     "waiver #1: expires='next year' is not a date"),
    (GOOD.replace('criterion = "capacity', "criterion = 7 #"), "utf-8",
     "waiver #1: criterion = 7 must be a string"),
    ('waiver = ["capacity"]\n', "utf-8", "waiver #1 is 'capacity', not a table"),
    (GOOD.replace("expires = 2099-12-31\n", ""), "utf-8", "waiver #1 lacks expires"),
    ("[[waiver]\n", "utf-8", "not valid TOML"),
])
def test_a_bad_waivers_file_is_exit_2_naming_file_and_key(
        text: str, encoding: str, expected: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "waivers.toml"
    path.write_bytes(text.encode(encoding))
    code, name = _verdict_with(path, tmp_path)
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert f"harness: error: {name}" in err and expected in err
    assert "Traceback" not in err


def test_a_good_waivers_file_reads_dates_and_unicode(tmp_path: Path) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text(GOOD, encoding="utf-8")
    (waiver,) = read_waivers(path)
    assert waiver.expires == "2099-12-31" and waiver.approver.startswith("李伟")


def _criterion(cid: str, status: Status) -> Criterion:
    return Criterion(id=cid, feature="capacity", scenario=cid, tags=("critical",),
                     outcome=Outcome(status, "p95 1,200 ms > 800 ms"))


def test_a_waiver_that_matches_no_criterion_is_a_warning_with_the_likely_id() -> None:
    typo = Waiver("capacity/load::p95 of each jurney step", "Li Wei", "slow provider",
                  "2099-12-31")
    criteria = [_criterion("capacity/load::p95 of each journey step", Status.FAILED)]
    verdict = decide(criteria, Policy(waivers=(typo,)))
    assert verdict.decision.value == "NO-GO"  # the typo waived nothing
    assert any("waiver matches no criterion of this run: 'capacity/load::p95 of each jurney "
               "step' (did you mean 'capacity/load::p95 of each journey step'?)" in w
               for w in verdict.warnings), verdict.warnings


def test_a_matching_waiver_gives_no_unmatched_warning() -> None:
    cid = "capacity/load::p95 of each journey step"
    verdict = decide([_criterion(cid, Status.FAILED)],
                     Policy(waivers=(Waiver(cid, "Li Wei", "slow", "2099-12-31"),)))
    assert verdict.decision.value == "GO"
    assert not any("matches no criterion" in w for w in verdict.warnings)


@pytest.mark.parametrize(("content", "warning"), [
    ('{"run_id": "r", "gray_percent": NaN, "phases_s": {"load": Infinity}}',
     "run.json: gray_percent is nan, not a number; recorded as null"),
    ("garbage{{", "run.json unreadable: the verdict records no run information"),
])
def test_nan_or_garbage_in_run_json_is_a_warning_not_a_crash(
        content: str, warning: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "run.json").write_text(content, encoding="utf-8")
    code = main(["verdict", "--no-rejudge", str(tmp_path)])
    out = capsys.readouterr()
    assert code == ExitCode.INCONCLUSIVE, out.err  # no criteria: fail closed, but judged
    assert "Traceback" not in out.err and warning in out.out
    verdict = json.loads((tmp_path / "verdict.json").read_text(encoding="utf-8"))
    assert any(warning in w for w in verdict["warnings"])
    if "NaN" in content:
        assert verdict["run"]["gray_percent"] is None
        assert verdict["run"]["phases_s"] == {"load": None}
