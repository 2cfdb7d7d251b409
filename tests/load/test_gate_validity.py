"""generator_validity_gate on real captured runs and on evidence derived from the good run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.gates.load import generator_validity_gate
from harness.model import Outcome, Status
from harness.readers.generator import read_generator_health, read_load_plan
from tests.load.derive import edit_generator

Evidence = Callable[[str], Path]


def judge(folder: Path, **kwargs: Any) -> Outcome:
    return generator_validity_gate(read_generator_health(folder / "generator.jsonl"),
                                   read_load_plan(folder / "phases.json"), **kwargs)


def test_a_good_run_passes_with_its_figures(evidence: Evidence) -> None:
    outcome = judge(evidence("good"))
    assert outcome.status is Status.PASSED, outcome.message
    assert outcome.details["users_min"] == 20
    assert outcome.details["reasons"] == []
    assert outcome.details["cpu_percent_max"] < 90


def test_a_worker_killed_mid_run_is_inconclusive(evidence: Evidence) -> None:
    outcome = judge(evidence("missing-worker"))
    assert outcome.status is Status.INCONCLUSIVE
    assert "worker went missing" in outcome.message
    assert "planned users not reached" in outcome.message


def test_running_out_of_file_descriptors_is_inconclusive(evidence: Evidence) -> None:
    outcome = judge(evidence("emfile"))
    assert outcome.status is Status.INCONCLUSIVE
    assert "EMFILE" in outcome.message
    assert outcome.details["socket_errors"]["EMFILE"] > 0


def test_a_saturated_worker_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")

    def hot(line: dict[str, Any]) -> None:
        line["workers"][0]["cpu_percent"] = 97.0

    edit_generator(folder, hot)
    outcome = judge(folder)
    assert outcome.status is Status.INCONCLUSIVE
    assert "above 90% CPU (max 97%)" in outcome.message


def test_cpu_limit_is_a_parameter(evidence: Evidence) -> None:
    assert judge(evidence("good"), max_cpu_percent=1.0).status is Status.INCONCLUSIVE


def test_planned_users_not_reached_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")

    def short(line: dict[str, Any]) -> None:
        line["users_actual"] = line["users_planned"] - 4

    edit_generator(folder, short)
    outcome = judge(folder)
    assert outcome.status is Status.INCONCLUSIVE
    assert "planned users not reached and held: 16 of 20" in outcome.message


def test_achieved_rate_below_plan_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")

    def slow(line: dict[str, Any]) -> None:
        for worker in line["workers"]:
            worker["requests_total"] = worker["requests_total"] // 2

    edit_generator(folder, slow, kinds=("warmup", "steady"))
    outcome = judge(folder)
    assert outcome.status is Status.INCONCLUSIVE
    assert "below the planned" in outcome.message
    assert outcome.details["rate_shortfall"] > 0.4


def test_event_loop_lag_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")

    def lag(line: dict[str, Any]) -> None:
        line["workers"][1]["loop_lag_ms_p95"] = 450.0

    edit_generator(folder, lag)
    outcome = judge(folder, max_loop_lag_ms=200)
    assert outcome.status is Status.INCONCLUSIVE
    assert "event-loop lag p95 reached 450 ms" in outcome.message


def test_every_reason_is_listed(evidence: Evidence) -> None:
    folder = evidence("good")

    def broken(line: dict[str, Any]) -> None:
        line["workers"][0]["cpu_percent"] = 99.0
        line["workers"][0]["socket_errors"] = {"EADDRNOTAVAIL": 7}
        line["users_actual"] = 1

    edit_generator(folder, broken)
    outcome = judge(folder)
    assert len(outcome.details["reasons"]) >= 3
    assert outcome.observed == len(outcome.details["reasons"])
    assert "EADDRNOTAVAIL x7" in outcome.message


def test_target_side_connection_errors_do_not_invalidate_the_generator(
        evidence: Evidence) -> None:
    folder = evidence("good")

    def refused(line: dict[str, Any]) -> None:
        line["workers"][0]["socket_errors"] = {"ECONNREFUSED": 3}

    edit_generator(folder, refused)
    outcome = judge(folder)
    assert outcome.status is Status.PASSED
    assert outcome.details["socket_errors"] == {"ECONNREFUSED": 3}
    assert "the store refused 3 connection(s) (ECONNREFUSED), counted in its error ratio" in \
        outcome.message


def test_no_sample_in_steady_state_is_inconclusive(evidence: Evidence) -> None:
    folder = evidence("good")
    path = folder / "phases.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    plan["phases"][0]["end_s"] = 40.0  # a long warm-up: the steady phase starts after the log
    plan["phases"][1].update(start_s=40.0, end_s=60.0)
    plan["duration_s"] = 60.0
    path.write_text(json.dumps(plan), encoding="utf-8")
    outcome = judge(folder)
    assert outcome.status is Status.INCONCLUSIVE
    assert "no generator sample" in outcome.message


def test_rate_is_not_judged_over_less_than_two_purchase_cycles(evidence: Evidence) -> None:
    folder = evidence("good")
    path = folder / "phases.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    plan["think_per_purchase_s"] = 130.0  # a real buyer's pace, against a 20-second hold
    path.write_text(json.dumps(plan), encoding="utf-8")
    outcome = judge(folder)
    assert outcome.status is Status.PASSED
    assert outcome.details["rate_judged"] is False
    assert "request rate not judged" in outcome.message


def test_users_trailing_a_rising_plan_by_one_sample_are_not_short(evidence: Evidence) -> None:
    """A spike ramps inside a judged phase: the count Locust reports trails the plan by the
    dispatch and heartbeat interval, which is not the generator failing."""
    folder = evidence("good")
    rising = iter(range(1000))

    def ramp(line: dict[str, Any]) -> None:
        step = next(rising)
        line["users_planned"] = 20 + 2 * (step + 1)
        line["users_actual"] = 20 + 2 * step  # one 2-second sample behind
        for w in line["workers"]:
            w["users"] = line["users_actual"] // 2

    edit_generator(folder, ramp)
    assert "planned users not reached" not in judge(folder).message

    def far_behind(line: dict[str, Any]) -> None:
        line["users_actual"] = line["users_planned"] - 10

    edit_generator(folder, far_behind)
    assert "planned users not reached" in judge(folder).message


def test_a_store_killed_mid_load_is_named_not_the_generator(evidence: Evidence) -> None:
    outcome = judge(evidence("store-killed"))  # every shop process SIGKILLed 10 s in
    assert outcome.status is Status.INCONCLUSIVE
    assert outcome.message.startswith("the store stopped answering between 10 s and 12 s into "
                                      "the load (by 10:32:09 UTC, steady phase): the store "
                                      "refused 833 connection(s) (ECONNREFUSED)"), outcome.message
    assert "from then until the end of the run" in outcome.message
    assert "measured the generator" not in outcome.message
    assert outcome.details["store_down"]["refused"] == 833


def test_refusals_that_stop_say_the_store_answered_again(evidence: Evidence) -> None:
    folder = evidence("good")
    seen = {"n": 0}

    def refused_once(line: dict[str, Any]) -> None:  # refusals in one interval only
        seen["n"] += 1
        line["workers"][0]["socket_errors"] = {"ECONNREFUSED": 7} if seen["n"] >= 3 else {}
        line["workers"][0]["cpu_percent"] = 97.0

    edit_generator(folder, refused_once)
    outcome = judge(folder)
    assert outcome.status is Status.INCONCLUSIVE
    assert outcome.message.startswith("the store stopped answering"), outcome.message
    assert "refused 7 connection(s)" in outcome.message
    assert "above 90% CPU (max 97%)" in outcome.message
    assert "then answered again" in outcome.message, outcome.message


def test_connection_resets_alone_do_not_declare_the_store_dead(evidence: Evidence) -> None:
    folder = evidence("good")

    def reset(line: dict[str, Any]) -> None:
        line["workers"][0]["socket_errors"] = {"ECONNRESET": 2}

    edit_generator(folder, reset)
    outcome = judge(folder)
    assert "store_down" not in outcome.details
    assert outcome.status is Status.PASSED, outcome.message
