"""The release record from two runs' evidence (GO, then NO-GO on notice-covered): verdict.md,
history, diff, the sealed trail and `harness verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.record import seal
from harness.record.history import INDEX_FILE, read_history
from harness.record.verify import verify_run
from harness.rundir import RunDir
from harness.writers.json_verdict import content_hash

from .runs import NOTICE, make_run

GOOD, BAD = "20261201-050000-good", "20261202-050000-notice-covered"
CHANGED = f"{NOTICE} :: The cooling-off notice of medical is fully visible at phone"


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, RunDir, RunDir]:
    reports = tmp_path / "reports"
    good = make_run(reports, GOOD, "good", "1.4.0")
    seal(good.path, reports)
    bad = make_run(reports, BAD, "notice-covered", "1.5.0")
    seal(bad.path, reports)
    return reports, good, bad


def test_verdict_md_reads_in_ten_seconds(two_runs: tuple[Path, RunDir, RunDir]) -> None:
    _, _, bad = two_runs
    text = (bad.path / "verdict.md").read_text()
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert text.startswith("# Launch verdict: NO-GO")
    assert sections == ["## Why: what decided it",
                        "## Since the last GO (run 20261201-050000-good, version 1.4.0, "
                        "2026-12-01T05:10)", "## Requirements", "## Criteria"]
    areas = text.split("## Why")[0]
    assert "| ❌ disclosures | 1 | 1 | · | · |" in areas
    assert "| ✅ capacity | 3 | · | · | · |" in areas
    assert "version `1.5.0`" in areas
    table = text.split("## Criteria")[1]
    assert "### disclosures" in table
    assert NOTICE not in table  # short names: the scenario, not the repeated feature title
    assert "| ❌ | The cooling-off notice of medical is fully visible at phone | blocker |" in table


def test_since_the_last_go_names_the_changed_criterion_and_the_moves(
        two_runs: tuple[Path, RunDir, RunDir]) -> None:
    _, good, bad = two_runs
    since = (bad.path / "verdict.md").read_text().split("## Since the last GO")[1]
    since = since.split("## Criteria")[0]
    assert "**The cooling-off notice of medical is fully visible at phone** (disclosures): " \
           "passed → failed" in since
    assert 'p95 · The 95th percentile of "1 start" stays under 500 ms (capacity): ' \
           "14 ms → 120 ms (+106 ms, ×8.57)" in since
    assert "error ratio · Few requests fail under load" in since
    assert "15 days" not in since  # unchanged values are not moves
    first = (good.path / "verdict.md").read_text()
    assert "## Since the last GO (none before this run in" in first


def test_diff_agrees_with_verdict_md(two_runs: tuple[Path, RunDir, RunDir],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, good, bad = two_runs
    assert main(["diff", str(good.path), str(bad.path)]) == 0
    out = capsys.readouterr().out
    assert "(GO) → 20261202-050000-notice-covered v1.5.0 (NO-GO)" in out
    assert "Status changed (1):" in out
    assert CHANGED in out
    assert "14 ms → 120 ms" in out
    since = (bad.path / "verdict.md").read_text().split("## Since the last GO")[1]
    changed_in_md = {line.split("**")[1] for line in since.split("## Criteria")[0].splitlines()
                     if line.startswith("- ") and "**" in line}
    assert changed_in_md == {"The cooling-off notice of medical is fully visible at phone"}


def test_diff_finds_runs_by_id_in_the_history_copies(two_runs: tuple[Path, RunDir, RunDir],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    reports, good, _ = two_runs
    (good.path / "verdict.json").unlink()  # CI: the run directory is gone, the record is kept
    assert main(["diff", GOOD, BAD, "--history", str(reports)]) == 0
    assert CHANGED in capsys.readouterr().out
    assert main(["diff", "nothing-like-it", BAD, "--history", str(reports)]) == 2


def test_history_lists_releases(two_runs: tuple[Path, RunDir, RunDir],
                                capsys: pytest.CaptureFixture[str]) -> None:
    reports, _, _ = two_runs
    assert main(["history", str(reports)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(2 runs)")
    assert lines[1].split() == ["GO", "2026-12-01", "05:10", "1.4.0", GOOD]
    assert lines[2].split() == ["NO-GO", "2026-12-02", "05:10", "1.5.0", BAD]
    assert lines[3].split("decided by: ")[1] == CHANGED


def test_the_chain_links_each_record_to_the_one_before(
        two_runs: tuple[Path, RunDir, RunDir]) -> None:
    reports, good, bad = two_runs
    first = json.loads((good.path / "verdict.json").read_text())
    second = json.loads((bad.path / "verdict.json").read_text())
    assert first["record"]["previous"] is None
    assert second["record"]["previous"] == {"run_id": GOOD,
                                            "record_sha256": first["content_sha256"]}
    entries = read_history(reports)
    assert [e.record_sha256 for e in entries] == [first["content_sha256"],
                                                  second["content_sha256"]]
    assert (reports / "records" / f"{GOOD}.json").read_text() == \
           (good.path / "verdict.json").read_text()


def test_verify_is_intact_then_names_the_one_byte_changed(
        two_runs: tuple[Path, RunDir, RunDir], capsys: pytest.CaptureFixture[str]) -> None:
    _, _, bad = two_runs
    assert main(["verify", str(bad.path)]) == 0
    assert "intact (9 files" in capsys.readouterr().out
    png = bad.path / "raw" / "browser" / "medical" / "phone" / "notice.png"
    data = bytearray(png.read_bytes())
    data[100] ^= 1
    png.write_bytes(bytes(data))
    assert main(["verify", str(bad.path)]) == 1
    out = capsys.readouterr().out
    assert "raw/browser/medical/phone/notice.png: changed" in out
    assert "stats.csv" not in out


def test_verify_names_missing_added_and_edited_records(
        two_runs: tuple[Path, RunDir, RunDir]) -> None:
    reports, good, bad = two_runs
    (bad.path / "raw" / "load" / "stats.csv").unlink()
    (bad.path / "raw" / "load" / "extra.csv").write_text("x")
    problems = {(p.path, p.what) for p in verify_run(bad.path).problems}
    assert problems == {("raw/load/stats.csv", "missing"), ("raw/load/extra.csv", "added")}
    document = json.loads((good.path / "verdict.json").read_text())
    document["warnings"] = ["edited"]  # and re-hashed, by someone covering their tracks
    document["content_sha256"] = content_hash(document)
    (good.path / "verdict.json").write_text(json.dumps(document))
    found = verify_run(good.path).problems
    assert [(p.path, p.what) for p in found] == [("verdict.json", "changed")]
    assert "sealed a different verdict" in found[0].detail
    copy = reports / "records" / f"{GOOD}.json"
    copy.write_text(copy.read_text().replace('"GO"', '"NO-GO"', 1))
    assert any(p.path == f"records/{GOOD}.json" for p in verify_run(bad.path).problems)


def test_verify_usage_and_unsealed_runs(tmp_path: Path) -> None:
    assert main(["verify", str(tmp_path / "no-such-run")]) == 2
    run = make_run(tmp_path, "unsealed", "good", "1.0")
    assert main(["verify", str(run.path)]) == 1
    assert (tmp_path / INDEX_FILE).exists() is False


def test_rejudge_seals_again_and_keeps_the_chain(two_runs: tuple[Path, RunDir, RunDir]) -> None:
    reports, _good, bad = two_runs
    assert main(["verdict", str(bad.path), "--no-rejudge"]) == 1
    entries = read_history(reports)
    assert [e.run_id for e in entries] == [GOOD, BAD, BAD]
    second = json.loads((bad.path / "verdict.json").read_text())
    assert second["record"]["previous"]["run_id"] == GOOD  # not itself
    assert verify_run(bad.path).intact
    assert "passed → failed" in (bad.path / "verdict.md").read_text()


def test_verdict_md_lists_every_requirement_with_its_criteria(
        two_runs: tuple[Path, RunDir, RunDir]) -> None:
    _, _, bad = two_runs
    section = (bad.path / "verdict.md").read_text().split("## Requirements")[1]
    section = section.split("## Criteria")[0]
    assert "❌ REQ-COOLING-OFF: 1 failed, 1 passed" in section
    assert "✅ REQ-CAPACITY: 3 passed" in section
    assert "✅ REQ-FLOW-LENGTH: 1 passed" in section


def test_history_of_a_project_is_its_reports_folder(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "harness.toml").write_text('[project]\nreports = "out"\n', encoding="utf-8")
    run = make_run(tmp_path / "out", GOOD, "good", "1.4.0")
    seal(run.path, tmp_path / "out")
    assert main(["history", "--project", str(tmp_path)]) == 0
    assert f"1.4.0                {GOOD}" in capsys.readouterr().out
    assert main(["history", str(tmp_path / "nowhere")]) == 2
