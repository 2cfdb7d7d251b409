"""`harness verdict RUN_DIR` re-judges what the run itself recorded: a cancelled run
(cancelled.json) or one whose disk filled up (disk-full.json) stays INCONCLUSIVE; the waivers
file is read and checked before anything is re-judged (exit 2 naming file and line, at once).

The run is a copy of the real GO run of tests/data/go_run, judged on its load areas with the
features of a demo project (`harness init --example demo`)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.model import ExitCode
from harness.verdict import CANCELLED_ID, DISK_ID
from tests.project.maker import make_demo_project

pytestmark = pytest.mark.slow  # each full re-judge runs the features offline (~4 s)

GO = Path(__file__).resolve().parents[1] / "data" / "go_run"
DETAIL = ("the run was cancelled by SIGTERM during the load phase; the evidence measured until "
          "then is kept, nothing after it ran; 5 process(es) the run had started were stopped "
          "within 2.8 s")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_project(tmp_path_factory.mktemp("rejudge") / "project")


@pytest.fixture
def run(tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(GO, target)
    info = json.loads((target / "run.json").read_text(encoding="utf-8"))
    info["areas"] = "capacity,integrity"  # the areas whose evidence the copy holds
    (target / "run.json").write_text(json.dumps(info), encoding="utf-8")
    return target


def _verdict(run: Path, project: Path, *extra: str) -> tuple[int, dict[str, object]]:
    code = main(["verdict", str(run), "--project", str(project), "--history",
                 str(run.parent / "history"), *extra])
    return code, json.loads((run / "verdict.json").read_text(encoding="utf-8"))


def _first_reason(verdict: dict[str, object]) -> dict[str, object]:
    first = verdict["reasons"][0]  # type: ignore[index]
    return next(c for c in verdict["criteria"] if c["id"] == first)  # type: ignore[attr-defined]


def test_a_cancelled_run_stays_inconclusive_when_re_judged(run: Path, project: Path) -> None:
    code, verdict = _verdict(run, project)
    assert code == ExitCode.GO, verdict["reasons"]  # the evidence itself is a GO
    (run / "cancelled.json").write_text(json.dumps(
        {"signal": "SIGTERM", "processes_stopped": 5, "seconds_to_stop": 2.8,
         "detail": DETAIL}), encoding="utf-8")
    code, verdict = _verdict(run, project)
    assert code == ExitCode.INCONCLUSIVE
    assert verdict["decision"] == "INCONCLUSIVE"
    cancelled = _first_reason(verdict)
    assert cancelled["id"] == CANCELLED_ID
    assert str(cancelled["message"]).startswith(DETAIL)
    assert f"recorded in {run / 'cancelled.json'}" in str(cancelled["message"])


def test_an_unreadable_cancel_record_still_counts_as_cancelled(run: Path, project: Path) -> None:
    (run / "cancelled.json").write_text('{"signal": "SIGINT", "processes_st', encoding="utf-8")
    code, verdict = _verdict(run, project)
    assert code == ExitCode.INCONCLUSIVE
    message = str(_first_reason(verdict)["message"])
    assert "says the run was cancelled, but it cannot be read" in message, message


def test_a_run_whose_disk_filled_up_stays_inconclusive(run: Path, project: Path) -> None:
    detail = "the disk holding the run directory filled up during the load phase"
    (run / "disk-full.json").write_text(json.dumps({"phase": "load", "what": "ENOSPC",
                                                    "detail": detail}), encoding="utf-8")
    code, verdict = _verdict(run, project)
    assert code == ExitCode.INCONCLUSIVE
    assert _first_reason(verdict)["id"] == DISK_ID


@pytest.mark.parametrize(("text", "line", "expected"), [
    ('[[waiver]]\ncriterion = "a"\naprover = "b"\nreason = "c"\nexpires = 2099-01-01\n', 1,
     "waiver #1: unknown key 'aprover'"),
    ("# waivers\n\n[waiver]\ncriterion = 'a'\n", 3, "[waiver] is written with single brackets"),
    ('[[waiver]]\ncriterion = "a"\napprover = "b"\nreason = "c"\nexpires = 2099-01-01\n\n'
     '[[waiver]]\ncriterion = "a"\napprover = "b"\nreason = "c"\nexpires = "soon"\n', 7,
     "waiver #2: expires='soon' is not a date"),
    ('[[waiver]]\ncriterion = "a\n', 2, "not valid TOML"),
])
def test_bad_waivers_are_exit_2_naming_file_and_line_before_the_re_judge(
        text: str, line: int, expected: str, run: Path, project: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    waivers = run.parent / "waivers.toml"
    waivers.write_text(text, encoding="utf-8")
    started = time.monotonic()
    code = main(["verdict", str(run), "--project", str(project), "--waivers", str(waivers)])
    took_s = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE, err
    assert f"harness: error: {waivers}:{line}: " in err and expected in err, err
    assert "Traceback" not in err
    # nothing was re-judged: no features run, no verdict written, nothing set aside
    for name in ("features-offline.log", "criteria.jsonl", "verdict.json", "previous-plan.jsonl"):
        assert not (run / name).exists(), name
    assert took_s < 3.0, took_s


def test_good_waivers_are_read_and_the_run_judged(run: Path, project: Path) -> None:
    waivers = run.parent / "waivers.toml"
    waivers.write_text('[[waiver]]\ncriterion = "no such criterion"\napprover = "Li Wei"\n'
                       'reason = "a typo"\nexpires = 2099-01-01\n', encoding="utf-8")
    code, verdict = _verdict(run, project, "--waivers", str(waivers))
    assert code == ExitCode.GO
    assert any("waiver matches no criterion" in w for w in verdict["warnings"])  # type: ignore[attr-defined]
