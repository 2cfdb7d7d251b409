"""Issue 11's false GOs, each made on a copy of a real GO run and judged in-process through
the readers, gates and verdict the features use: every one is INCONCLUSIVE now (or NO-GO
where the evidence, read right, shows a failure), with a reason that names the file and the
field, and no criterion's reason is a raw Python error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.model import Decision
from tests.contract.judge import judge

GO = Path(__file__).resolve().parent.parent / "data" / "go_run"
JOURNEY = "raw/browser/medical/desktop/journey.json"
FORM = "raw/browser/health-medical/desktop/form-errors.json"
GENERATOR = "raw/load/generator.jsonl"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("go") / "run"


def _copy(run: Path) -> Path:
    if run.exists():
        shutil.rmtree(run)
    shutil.copytree(GO, run)
    return run


def _edit_json(run: Path, name: str, edit: Callable[[Any], None]) -> None:
    path = run / name
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _edit_lines(run: Path, name: str, edit: Callable[[list[str]], None]) -> None:
    path = run / name
    lines = path.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _decision(run: Path, expect_in_reasons: str) -> Decision:
    judged = judge(run)
    assert judged.raw_errors == []
    messages = " | ".join(c.outcome.message for c in judged.verdict.criteria
                          if c.status.value != "passed")
    assert expect_in_reasons in messages
    return judged.verdict.decision


def test_the_unmutated_run_is_go(run: Path) -> None:
    judged = judge(_copy(run))
    assert judged.verdict.decision is Decision.GO, judged.verdict.reasons
    assert len(judged.verdict.criteria) == 72 and judged.raw_errors == []


def _journey_case(edit: Callable[[Any], None]) -> Callable[[Path], None]:
    return lambda r: _edit_json(r, JOURNEY, edit)


def _no_steps(d: Any) -> None:
    d.update(steps=[], step_count=0)


def _generator_row(index: int, edit: Callable[[Any], None]) -> Callable[[list[str]], None]:
    def apply(lines: list[str]) -> None:
        data = json.loads(lines[index])
        edit(data)
        lines[index] = json.dumps(data)
    return apply


def _stats_cell(row: str, column: int, value: str) -> Callable[[list[str]], None]:
    def apply(lines: list[str]) -> None:
        i = next(i for i, line in enumerate(lines) if line.split(",")[1] == row)
        cells = lines[i].split(",")
        cells[column] = value
        lines[i] = ",".join(cells)
    return apply


def _duplicate_fast_pay(lines: list[str]) -> None:
    i = next(i for i, line in enumerate(lines) if ",5 pay," in line)
    fast = lines[i].split(",")
    fast[2], fast[4:8], fast[11:] = "1", ["5"] * 4, ["5"] * (len(fast) - 11)
    lines.insert(i, ",".join(fast))


def _socket_errors_missing(data: Any) -> None:
    data["workers"][0]["socket_errors"] = {"EADDRNOTAVAIL": 40}
    data.pop("socket_errors")


def _lower_case(data: Any) -> None:
    data["workers"][0]["socket_errors"] = {"eaddrnotavail": 40}
    data["socket_errors"] = {"eaddrnotavail": 40}


def _covered_zeroed(d: Any) -> None:
    n = d["notice_checks"][0]
    n.update(covered_by="div#cookie-banner", passed=False, reasons=["covered"])


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "journey steps: []": (_journey_case(_no_steps), "'completed' is true with no counted"),
    "completed: \"false\"": (_journey_case(lambda d: d.update(completed="false")),
                             "'completed' is 'false', not true or false"),
    "scroll_unchanged missing": (_journey_case(
        lambda d: d["notice_checks"][0].pop("scroll_unchanged")),
        "'notice_checks[0].scroll_unchanged' is missing"),
    "notice covered_by kept, points zeroed": (_journey_case(_covered_zeroed), "covered_by"),
    "form measurements beyond problems": (lambda r: _edit_json(
        r, FORM, lambda d: d.update(focus_on_first_invalid=False)),
        "'problems' leaves out what the measurements show"),
    "negative p95": (lambda r: _edit_lines(r, "raw/load/stats.csv",
                                           _stats_cell("5 pay", 16, "-15")), "'95%' is '-15'"),
    "1e308 p95": (lambda r: _edit_lines(r, "raw/load/stats.csv",
                                        _stats_cell("5 pay", 16, "1e308")), "plausible range"),
    "duplicate request rows": (lambda r: _edit_lines(r, "raw/load/stats.csv",
                                                     _duplicate_fast_pay), "ambiguous"),
    "95% below 90%": (lambda r: _edit_lines(r, "raw/load/stats.csv",
                                            _stats_cell("1 start", 16, "1")),
                      "below the 90% column"),
    "socket_errors missing": (lambda r: _edit_lines(r, GENERATOR, _generator_row(
        4, _socket_errors_missing)), "field 'socket_errors' is missing"),
    "lower-case eaddrnotavail": (lambda r: _edit_lines(r, GENERATOR, _generator_row(
        4, _lower_case)), "eaddrnotavail' is not a valid key"),
    "generator cut before its final record": (lambda r: _edit_lines(
        r, GENERATOR, lambda lines: lines.pop()), "cut before the final record"),
    "generator with half its samples": (lambda r: _edit_lines(
        r, GENERATOR, lambda lines: lines.__setitem__(slice(None), lines[1:-1:2] + lines[-1:])),
        "missing"),
    "worker state lost": (lambda r: _edit_lines(r, GENERATOR, _generator_row(
        5, lambda d: d["workers"][1].update(state="lost"))), "'workers[1].state' is 'lost'"),
    "purchase log cut at a line boundary": (lambda r: _edit_lines(
        r, "raw/load/purchases.jsonl", lambda lines: lines.__delitem__(slice(-20, None))),
        "the log was cut"),
    "reconciliation without journeys": (lambda r: _edit_json(
        r, "raw/store/reconciliation.json", lambda d: d.pop("journeys")),
        "field 'journeys' is missing"),
    "reconciliation without its defect keys": (lambda r: _edit_json(
        r, "raw/store/reconciliation.json",
        lambda d: d["summary"].pop("paid_with_multiple_payments")),
        "summary.paid_with_multiple_payments' is missing"),
    "stats.csv of another run": (lambda r: shutil.copy(
        GO.parent / "load/peak-small/stats.csv", r / "raw/load/stats.csv"),
        "describe different runs"),
    "failures.csv: the generator's own OSError(99)": (lambda r: _client_failures(r),
                                                     "the generator's own"),
}


def _client_failures(run: Path) -> None:
    """A real Locust run's EADDRNOTAVAIL failures in failures.csv and in stats.csv."""
    _edit_lines(run, "raw/load/stats.csv", _stats_cell("1 start", 3, "30"))
    _edit_lines(run, "raw/load/stats.csv", _stats_cell("1 start", 10, "1.2"))
    _edit_lines(run, "raw/load/stats.csv", lambda lines: _add_to_aggregated(lines, 30))
    path = run / "raw/load/failures.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'POST,1 start,"OSError(99, \'Cannot '
                    'assign requested address\')",30,2026-12-01T05:40:01Z,2026-12-01T05:40:09Z\n',
                    encoding="utf-8")


def _add_to_aggregated(lines: list[str], failures: int) -> None:
    cells = lines[-1].split(",")
    cells[3], cells[10] = str(int(cells[3]) + failures), "1.2"
    lines[-1] = ",".join(cells)


@pytest.mark.parametrize("case", list(CASES))
def test_issue_11_false_go_is_no_longer_go(run: Path, case: str) -> None:
    corrupt, reason = CASES[case]
    corrupt(_copy(run))
    assert _decision(run, reason) is Decision.INCONCLUSIVE
