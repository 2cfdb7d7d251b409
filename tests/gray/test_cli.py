"""`harness gray` end to end on synthetic cohorts whose truth is known."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from harness.cli import gray as gray_cli
from harness.cli import main
from harness.model import ExitCode

from .synthetic import Cohort, make_events, write_events


def run_gray(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    gray_cli.add_arguments(parser)
    return gray_cli.run(parser.parse_args(argv))


def test_regression_is_no_go_naming_the_metric(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    events = write_events(make_events(Cohort(5000), Cohort(5000, conversion=0.07)),
                          tmp_path / "regression.csv")
    code = run_gray([str(events), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == ExitCode.NO_GO
    assert "- conversion: failed: gray conversion" in printed
    assert "worse than the 1.0 pp margin" in printed
    report = json.loads((tmp_path / "out" / "gray.json").read_text("utf-8"))
    assert report["decision"] == "NO-GO"
    assert report["outcomes"]["conversion"]["status"] == "failed"
    assert {"funnel.png", "duration.png", "gray.json"} <= {p.name for p in
                                                           (tmp_path / "out").iterdir()}


def test_equal_cohorts_are_not_no_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = make_events(Cohort(30000), Cohort(30000), seed=11)
    events = write_events(table, tmp_path / "equal.parquet")
    code = run_gray([str(events), "--out", str(tmp_path / "out"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code != ExitCode.NO_GO
    assert all(o["status"] != "failed" for o in report["outcomes"].values())
    assert report["outcomes"]["conversion"]["status"] == "passed"


def test_small_cohort_is_inconclusive_with_its_detectable_effect(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = write_events(make_events(Cohort(400), Cohort(400)), tmp_path / "small.csv")
    code = run_gray([str(events), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == ExitCode.INCONCLUSIVE
    assert "conversion: inconclusive" in printed
    assert "too few users to detect the 1.0 pp margin: the minimum detectable effect is" in printed


def test_sample_ratio_mismatch_is_inconclusive(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    events = write_events(make_events(Cohort(6000), Cohort(4000, conversion=0.05)),
                          tmp_path / "srm.csv")
    code = run_gray([str(events), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == ExitCode.INCONCLUSIVE
    assert "sample ratio mismatch" in printed
    assert "failed" not in printed.split("- sample_ratio")[1]
    assert run_gray([str(events), "--split", "40%", "--out", str(tmp_path / "o2")]) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = write_events(make_events(Cohort(50), Cohort(50)), tmp_path / "e.csv")
    assert main(["gray", str(events), "--split", "1.5"]) == ExitCode.USAGE
    assert "--split '1.5' must lie strictly between 0 and 1" in capsys.readouterr().err
    assert main(["gray", str(events), "--alpha", "0"]) == ExitCode.USAGE


def test_default_out_is_the_run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = write_events(make_events(Cohort(50), Cohort(50)), tmp_path / "e.csv")
    monkeypatch.setenv("HARNESS_RUN_DIR", str(tmp_path / "run"))
    run_gray([str(events)])
    assert (tmp_path / "run" / "raw" / "gray" / "gray.json").is_file()


def test_invalid_evidence_is_inconclusive(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("user_id,cohort,event\nu1,gray,journey_start\n", encoding="utf-8")
    assert run_gray([str(bad), "--out", str(tmp_path / "out")]) == ExitCode.INCONCLUSIVE
    assert "missing column(s) ts" in capsys.readouterr().err
    report = json.loads((tmp_path / "out" / "gray.json").read_text("utf-8"))
    assert report["decision"] == "INCONCLUSIVE"


def test_gbk_file_with_labels_and_window(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(__file__).parents[1] / "data" / "gray" / "events_gbk.csv"
    code = run_gray([str(data), "--control-label", "对照组", "--gray-label", "灰度组,灰度",
                     "--since", "2026-05-01T08:30:00Z", "--until", "2026-05-02",
                     "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == ExitCode.INCONCLUSIVE  # four users cannot show anything
    assert "4 of 6 events used; 2 outside the window" in printed
    report = json.loads((tmp_path / "out" / "gray.json").read_text("utf-8"))
    assert report["provenance"]["labels"]["gray"] == ["灰度组", "灰度"]


def test_table_lists_every_metric(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = write_events(make_events(Cohort(300), Cohort(300)), tmp_path / "e.csv")
    run_gray([str(events), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    header = printed.splitlines()[0].split()
    assert header == ["metric", "control", "gray", "difference", "interval", "p-value",
                      "decision"]
    for metric in ("sample_ratio", "conversion", "health_error_ratio", "health_views_per_user",
                   "application_duration_s", "reached_payment", "premium_per_policy_fen",
                   "conversion[product=medical]"):
        assert f"\n{metric}" in printed
