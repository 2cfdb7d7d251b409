"""The evidence contract's records: real captured evidence reads, each kind of defect is
refused with an EvidenceInvalid naming the file, the field and the problem, and to_json writes
what from_json reads back."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness_contract import (
    EvidenceInvalid,
    FormErrorsRecord,
    GeneratorLog,
    GeneratorSample,
    JourneyRecord,
    LoadPlanRecord,
    PurchaseLine,
    PurchaseLog,
    ReconciliationRecord,
)
from harness_contract.generator import check_against_plan
from harness_contract.purchases import check_against_locust

DATA = Path(__file__).resolve().parent.parent / "data"
GO = DATA / "go_run"
JOURNEY = GO / "raw/browser/medical/desktop/journey.json"
FORM = GO / "raw/browser/health-medical/desktop/form-errors.json"
LOAD = GO / "raw/load"
RECON = GO / "raw/store/reconciliation.json"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_every_real_evidence_file_reads() -> None:
    journeys = sorted(GO.glob("raw/browser/*/*/journey.json"))
    assert len(journeys) >= 15
    for path in journeys:
        record = JourneyRecord.from_json(path.read_text(encoding="utf-8"), str(path))
        assert record.completed and record.step_count >= (3 if "health-" in str(path) else 4)
    for path in GO.glob("raw/browser/*/*/form-errors.json"):
        assert FormErrorsRecord.from_json(path.read_text(encoding="utf-8"), str(path)).reached
    for folder in [LOAD, *sorted(p for p in (DATA / "load").iterdir() if p.is_dir())]:
        log = GeneratorLog.from_text((folder / "generator.jsonl").read_text(), "generator.jsonl")
        plan = LoadPlanRecord.from_json((folder / "phases.json").read_text(), "phases.json")
        check_against_plan(log, plan)
        assert log.final.final
    log = PurchaseLog.from_text((LOAD / "purchases.jsonl").read_text(), "purchases.jsonl")
    store = ReconciliationRecord.from_json(RECON.read_text(), "reconciliation.json")
    assert len(log.paid) == len(store.journeys) == store.summary["paid"] > 50


def _journey_error(edit: Callable[[dict[str, Any]], None]) -> str:
    data = _json(JOURNEY)
    edit(data)
    with pytest.raises(EvidenceInvalid) as info:
        JourneyRecord.from_json(json.dumps(data), "raw/browser/medical/desktop/journey.json")
    message = str(info.value)
    assert message.startswith("raw/browser/medical/desktop/journey.json: ")
    return message


def test_a_completed_journey_with_no_steps_is_refused() -> None:
    def empty(d: dict[str, Any]) -> None:
        d["steps"], d["step_count"], d["notice_checks"], d["regulation"] = [], 0, [], None
    assert "'completed' is true with no counted step" in _journey_error(empty)


@pytest.mark.parametrize("value", ["false", 0, None, "true"])
def test_completed_must_be_a_boolean(value: object) -> None:
    assert f"field 'completed' is {value!r}, not true or false" in _journey_error(
        lambda d: d.update(completed=value))


def test_a_missing_scroll_unchanged_is_refused() -> None:
    message = _journey_error(lambda d: d["notice_checks"][0].pop("scroll_unchanged"))
    assert "field 'notice_checks[0].scroll_unchanged' is missing" in message


def test_step_count_must_match_the_counted_steps() -> None:
    assert "field 'step_count' is 2 but 5 counted" in _journey_error(
        lambda d: d.update(step_count=2))


def test_a_notice_whose_measurement_was_uncovered_by_hand_is_refused() -> None:
    def cover(d: dict[str, Any]) -> None:  # the case: covered_by left, points zeroed
        n = d["notice_checks"][0]
        n.update(covered_by="div#cookie-banner", passed=False, reasons=["covered"])
        n["measurement"]["candidates"][0]["covered_by"] = "div#cookie-banner"
    assert "covered_by" in _journey_error(cover)


def test_an_unfinished_journey_must_say_why() -> None:
    assert "field 'error' is missing" in _journey_error(lambda d: d.update(completed=False))


def test_a_viewport_the_contract_does_not_know() -> None:
    assert "field 'viewport' is 'tablet'" in _journey_error(lambda d: d.update(viewport="tablet"))


def test_duplicate_keys_are_ambiguous() -> None:
    text = JOURNEY.read_text(encoding="utf-8").replace('"completed": true',
                                                       '"completed": true, "completed": false')
    with pytest.raises(EvidenceInvalid, match="'completed' appears twice"):
        JourneyRecord.from_json(text, "journey.json")


def _form_error(edit: Callable[[dict[str, Any]], None]) -> str:
    data = _json(FORM)
    edit(data)
    with pytest.raises(EvidenceInvalid) as info:
        FormErrorsRecord.from_json(json.dumps(data), "form-errors.json")
    return str(info.value)


def test_form_measurements_count_whatever_problems_says() -> None:
    def no_focus(d: dict[str, Any]) -> None:
        d["focus_on_first_invalid"] = False
    assert "field 'problems' leaves out what the measurements show: 'focus is on" in \
        _form_error(no_focus)

    def violation(d: dict[str, Any]) -> None:
        d["axe"]["violations"] = [{"id": "label", "help": "Form elements must have labels",
                                   "nodes": 2}]
    assert "axe label" in _form_error(violation)

    def silent_field(d: dict[str, Any]) -> None:
        d["fields"][1]["error_visible"] = False
    assert "missing_error_message" in _form_error(silent_field)


def _generator_error(edit: Callable[[list[dict[str, Any]]], None]) -> str:
    rows = _lines(LOAD / "generator.jsonl")
    edit(rows)
    with pytest.raises(EvidenceInvalid) as info:
        GeneratorLog.from_text(_jsonl(rows), "generator.jsonl")
    return str(info.value)


def test_generator_log_cut_before_its_final_record() -> None:
    assert "cut before the final record" in _generator_error(lambda r: r.pop())


def test_generator_log_with_half_its_samples() -> None:
    def halve(rows: list[dict[str, Any]]) -> None:
        rows[:] = rows[::2] + ([rows[-1]] if len(rows) % 2 == 0 else [])
    assert "a line between them is missing" in _generator_error(halve)


def test_a_worker_state_locust_does_not_have() -> None:
    message = _generator_error(lambda r: r[3]["workers"][0].update(state="lost"))
    assert "generator.jsonl:4: field 'workers[0].state' is 'lost', not one of" in message


def test_lower_case_errno_names_are_refused() -> None:
    def lower(rows: list[dict[str, Any]]) -> None:
        rows[3]["workers"][0]["socket_errors"] = {"eaddrnotavail": 3}
        rows[3]["socket_errors"] = {"eaddrnotavail": 3}
    assert "'workers[0].socket_errors.eaddrnotavail' is not a valid key" in \
        _generator_error(lower)


def test_a_missing_socket_errors_total_disagrees_with_the_workers() -> None:
    def hide(rows: list[dict[str, Any]]) -> None:
        rows[3]["workers"][0]["socket_errors"] = {"EADDRNOTAVAIL": 3}
        rows[3].pop("socket_errors")
    assert "field 'socket_errors' is missing" in _generator_error(hide)

    def hide_total(rows: list[dict[str, Any]]) -> None:
        rows[3]["workers"][0]["socket_errors"] = {"EADDRNOTAVAIL": 3}
    assert "field 'socket_errors' is {} but the workers' sum to" in _generator_error(hide_total)


def test_no_workers_expected_is_refused() -> None:
    assert "'workers_expected' is 0, outside" in _generator_error(
        lambda r: r[0].update(workers_expected=0))


def test_a_log_from_another_run_than_the_plan() -> None:
    log = GeneratorLog.from_text((LOAD / "generator.jsonl").read_text(), "generator.jsonl")
    other = LoadPlanRecord.from_json((DATA / "load/good/phases.json").read_text(), "phases.json")
    with pytest.raises(EvidenceInvalid, match="different runs"):
        check_against_plan(log, other)


@pytest.mark.parametrize("value", [float("nan"), -1.0, 1e308, "12"])
def test_numbers_are_finite_plausible_and_numbers(value: object) -> None:
    rows = _lines(LOAD / "generator.jsonl")
    rows[2]["workers"][0]["loop_lag_ms_p95"] = value
    text = _jsonl(rows).replace("NaN", "NaN")
    with pytest.raises(EvidenceInvalid, match=r"generator\.jsonl:3: "):
        GeneratorLog.from_text(text, "generator.jsonl")


def test_purchase_log_defects() -> None:
    rows = _lines(LOAD / "purchases.jsonl")
    with pytest.raises(EvidenceInvalid, match="is on line 1 already"):
        PurchaseLog.from_text(_jsonl([rows[0], *rows]), "purchases.jsonl")
    cut = PurchaseLog.from_text(_jsonl(rows[:-5]), "purchases.jsonl")
    with pytest.raises(EvidenceInvalid, match="the log was cut"):
        check_against_locust(cut, successes=len(rows), failures=0, stats_file="stats.csv")
    with pytest.raises(EvidenceInvalid, match="'charged_fen' is '21600', not a whole number"):
        PurchaseLine.from_json(json.dumps({**rows[0], "charged_fen": "21600"}), "p", 1)


def test_reconciliation_defects() -> None:
    data = _json(DATA / "load/lost-policies/reconciliation.json")
    ReconciliationRecord.from_json(json.dumps(data), "r.json")
    no_rows = {k: v for k, v in data.items() if k != "journeys"}
    with pytest.raises(EvidenceInvalid, match="field 'journeys' is missing"):
        ReconciliationRecord.from_json(json.dumps(no_rows), "r.json")
    for key in ("paid_with_multiple_policies", "paid_with_multiple_payments"):
        data["summary"].pop(key)
    with pytest.raises(EvidenceInvalid, match=r"summary\.paid_with_multiple_policies' is missing"):
        ReconciliationRecord.from_json(json.dumps(data), "r.json")


def test_to_json_round_trips() -> None:
    record = JourneyRecord.from_json(JOURNEY.read_text(), "journey.json")
    again = JourneyRecord.from_json(record.to_json(), "journey.json")
    assert again == record
    form = FormErrorsRecord.from_json(FORM.read_text(), "form-errors.json")
    assert FormErrorsRecord.from_json(form.to_json(), "f") == form
    line = (LOAD / "generator.jsonl").read_text().splitlines()[3]
    sample = GeneratorSample.from_json(line, "g", 4)
    assert GeneratorSample.from_json(sample.to_json(), "g", 4) == sample
    store = ReconciliationRecord.from_json(RECON.read_text(), "r")
    assert ReconciliationRecord.from_json(store.to_json(), "r").journeys == store.journeys
    purchase = PurchaseLine.from_json((LOAD / "purchases.jsonl").read_text().splitlines()[0], "p")
    assert PurchaseLine.from_json(purchase.to_json(), "p") == purchase


def test_to_json_refuses_what_from_json_would() -> None:
    sample = GeneratorSample.from_json((LOAD / "generator.jsonl").read_text().splitlines()[3],
                                       "g", 4)
    from dataclasses import replace
    with pytest.raises(ValueError):
        replace(sample, rps_achieved=float("nan")).to_json()
    with pytest.raises(EvidenceInvalid, match="'users_actual'"):
        replace(sample, users_actual=sample.users_actual + 1).to_json()


def test_the_contract_imports_only_the_standard_library() -> None:
    code = ("import sys, harness_contract, harness_contract.client_errors, "
            "harness_contract.layout; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('harness', 'harness_browser', 'harness_load', 'harness_demo_shop', 'locust', "
            "'playwright', 'gevent', 'pandas')); print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_journey_cut_short_by_a_crash_may_lack_its_last_screen_s_measurement() -> None:
    data = _json(JOURNEY)
    data["regulation"]["screens"] = data["regulation"]["screens"][:-1]  # the last one unmeasured
    with pytest.raises(EvidenceInvalid, match="every screen is measured"):
        JourneyRecord.from_json(json.dumps(data), "journey.json")  # completed: not allowed
    data["completed"], data["error"] = False, "the browser crashed (TargetClosedError: ...)"
    assert not JourneyRecord.from_json(json.dumps(data), "journey.json").completed
    data["regulation"]["screens"] = data["regulation"]["screens"][:-1]  # two missing: never
    with pytest.raises(EvidenceInvalid, match="every screen is measured"):
        JourneyRecord.from_json(json.dumps(data), "journey.json")
