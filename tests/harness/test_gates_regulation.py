"""harness.gates.regulation on journey.json records written by hand: what is not measured, or
not measured far enough, is INCONCLUSIVE, never passed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.gates.regulation import (
    exclusions_gate,
    no_preselection_gate,
    surrender_gate,
    traceability_gate,
)
from harness.model import Status
from harness.readers.browser import JourneyEvidence, read_journey

NO_FIELDS = {"text": 0, "checkbox": 0, "radio": 0, "select": 0}


def screen(step: int, *, prompt: bool = False, text: int = 0,
           ticked: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"step": step, "screen_id": f"/s{step}", "fields": {**NO_FIELDS, "text": text},
            "preselected": [{"kind": "checkbox", "name": n, "label": n, "visible": True}
                            for n in ticked],
            "prompt": {"matched": "可回溯", "buttons": ["我已知晓"]} if prompt else None}


def journey(tmp_path: Path, regulation: dict[str, Any] | None, *,
            completed: bool = True) -> JourneyEvidence:
    steps = [{"index": i, "description": f"step {i}", "screen_id": f"/s{i}", "counted": i > 0}
             for i in range(3)]
    record = {"journey": "j", "viewport": "desktop", "completed": completed,
              "error": None if completed else "stopped", "step_count": 2, "steps": steps}
    if regulation is not None:  # every step's screen is measured (plain ones added)
        measured = {s["step"] for s in regulation["screens"]}
        regulation["screens"] += [screen(i) for i in range(3) if i not in measured]
        record["regulation"] = regulation
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return read_journey(path)


def regulation(screens: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"screens": screens, "exclusions": None,
            "prompt_dwell": {"step": 1, "dwell_ms": 1500, "still_shown": True},
            "surrender": None, **extra}


def test_evidence_from_before_the_rules_is_inconclusive(tmp_path: Path) -> None:
    j = journey(tmp_path, None)
    assert traceability_gate(j, 1).status == Status.INCONCLUSIVE
    assert no_preselection_gate(j).status == Status.INCONCLUSIVE
    assert exclusions_gate(j, 600, 1.15, 64, 4.5).status == Status.INCONCLUSIVE
    assert surrender_gate(j, 1).status == Status.INCONCLUSIVE


def test_traceability(tmp_path: Path) -> None:
    good = regulation([screen(0), screen(1, prompt=True), screen(2, text=3)])
    assert traceability_gate(journey(tmp_path, good), 1).status == Status.PASSED
    assert traceability_gate(journey(tmp_path, good), 2).status == Status.INCONCLUSIVE
    late = regulation([screen(0, text=1), screen(1, prompt=True)])
    assert traceability_gate(journey(tmp_path, late), 1).status == Status.FAILED
    none = regulation([screen(0), screen(1, text=1)])
    assert traceability_gate(journey(tmp_path, none), 1).status == Status.FAILED
    early_stop = regulation([screen(0)])
    stopped = journey(tmp_path, early_stop, completed=False)
    assert traceability_gate(stopped, 1).status == Status.INCONCLUSIVE


def test_preselection(tmp_path: Path) -> None:
    ticked = regulation([screen(0), screen(1, ticked=("auto_renew",))])
    outcome = no_preselection_gate(journey(tmp_path, ticked, completed=False))
    assert outcome.status == Status.FAILED and "auto_renew" in outcome.message
    clean = journey(tmp_path, regulation([screen(0)]), completed=False)
    assert no_preselection_gate(clean).status == Status.INCONCLUSIVE


def test_exclusions_judged_against_the_body_text(tmp_path: Path) -> None:
    def runs(*styles: tuple[float, float, list[int], float]) -> dict[str, Any]:
        return {"screen_id": "/p", "text": "责任免除", "body": {"font_px": 16,
                "color": [34, 34, 34], "weight": 400},
                "runs": [{"text": f"r{i}", "weight": w, "font_px": px, "color": c,
                          "contrast": k} for i, (w, px, c, k) in enumerate(styles)]}

    def judge(ex: dict[str, Any] | None) -> Status:
        j = journey(tmp_path, regulation([screen(0)], exclusions=ex))
        return exclusions_gate(j, 600, 1.15, 64, 4.5).status

    assert judge(runs((700, 16, [34, 34, 34], 15))) == Status.PASSED
    assert judge(runs((400, 19, [34, 34, 34], 15))) == Status.PASSED
    assert judge(runs((400, 16, [180, 20, 20], 5))) == Status.PASSED
    assert judge(runs((400, 16, [60, 60, 60], 12))) == Status.FAILED
    assert judge(runs((700, 16, [200, 200, 200], 1.6))) == Status.FAILED
    assert judge(None) == Status.FAILED


def test_surrender_depth(tmp_path: Path) -> None:
    missing = {"found": False, "clicks": None, "searched": ["/success", "/policy"],
               "max_clicks_searched": 1, "hidden_entries": 0, "entry": None}
    j = journey(tmp_path, regulation([screen(0)], surrender=missing))
    assert surrender_gate(j, 1).status == Status.FAILED
    assert surrender_gate(j, 2).status == Status.INCONCLUSIVE
    deep = {**missing, "found": True, "clicks": 1, "entry": {"text": "退保"}}
    j = journey(tmp_path, regulation([screen(0)], surrender=deep))
    assert surrender_gate(j, 0).status == Status.FAILED
    assert surrender_gate(j, 1).status == Status.PASSED
