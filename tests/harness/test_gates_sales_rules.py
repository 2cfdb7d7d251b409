"""harness.gates.sales_rules on journey.json records written by hand: each disclosure rule passes
on a compliant screen set, fails on a breach with a message naming what is wrong, and is
INCONCLUSIVE (never passed) on evidence from before the rules, on a journey that stopped early
and where the default wording found nothing; what the journey named and no screen showed fails.
"""

from __future__ import annotations

import copy
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from harness.errors import EvidenceError
from harness.gates.sales_rules import (
    catch_all_gate,
    key_facts_gate,
    named_gate,
    renewal_consent_gate,
    service_contact_gate,
    surrender_terms_gate,
    uncertainty_gate,
)
from harness.model import Outcome, Status
from harness.readers.browser import JourneyEvidence, read_journey
from harness_browser.regulation_spec import RENEWAL_PATTERN, RegulationSpec
from harness_contract.sales_rules import PATTERN_KEYS

NO_FIELDS = {"text": 0, "checkbox": 0, "radio": 0, "select": 0}
NO_FACTS = dict.fromkeys(("product_name", "filing_number", "premium", "waiting_period",
                          "cooling_off", "insurer", "seller"))


def sales(**over: Any) -> dict[str, Any]:
    """A screen's "sales" measurement showing nothing, with `over` replacing parts."""
    base: dict[str, Any] = {
        "phone": None, "unlabelled_images": 0, "online_service": None, "facts": dict(NO_FACTS),
        "product_name": {"text": "百万医疗险", "font_px": 24, "weight": 700},
        "surrender_terms": None,
        "renewal": {"controls": [], "says_auto": None, "says_none": None},
        "health": {"declaration": None, "questions": 0, "catch_all": []}, "uncertainty": []}
    facts = over.pop("facts", {})
    base.update(over)
    base["facts"].update(facts)
    return base


CONTACT = {"phone": {"text": "95000", "via": "text"},
           "online_service": {"text": "在线客服", "tag": "a"}}
FACTS = {"filing_number": "条款编码：X〔2026〕1号", "premium": "保费 ¥30",
         "waiting_period": "等待期：30天", "cooling_off": "犹豫期 15 天",
         "insurer": "承保公司：安心财产保险股份有限公司", "seller": "销售机构：安心保代理有限公司"}
TERMS = "退保说明 犹豫期内退保全额退还保费；犹豫期后退还现金价值，受理后5个工作日内退款。"


def journey(tmp_path: Path, screens: list[dict[str, Any]] | None, *, completed: bool = True,
            named: tuple[str, ...] = (), **patterns: str) -> JourneyEvidence:
    """Three steps (0, 1 counted, 2 the uncounted success page) with these "sales"."""
    steps = [{"index": i, "description": f"step {i}", "screen_id": f"/s{i}",
              "counted": i == 1} for i in range(3)]
    record: dict[str, Any] = {
        "journey": "medical", "viewport": "desktop", "completed": completed,
        "error": None if completed else "stopped on /s1", "step_count": 1, "steps": steps}
    regulation: dict[str, Any] = {
        "screens": [{"step": i, "screen_id": f"/s{i}", "fields": NO_FIELDS, "preselected": [],
                     "prompt": None} for i in range(3)],
        "exclusions": None, "prompt_dwell": None, "surrender": None}
    if screens is not None:
        for entry, measured in zip(regulation["screens"], screens, strict=True):
            entry["sales"] = measured
            entry["preselected"] = [  # a ticked renewal box is a pre-ticked box too
                {"kind": "checkbox", "name": c["label"], "label": c["label"], "visible": True}
                for c in measured["renewal"]["controls"] if c["checked"] is True]
        spec = RegulationSpec(**patterns)
        regulation["patterns"] = spec.patterns()
        regulation["named"] = sorted(set(named) | spec.named())
    record["regulation"] = regulation
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return read_journey(path)


def every_gate(j: JourneyEvidence) -> dict[str, Outcome]:
    """Every disclosure rule with the thresholds of the default features (also used by the
    browser tests, tests/e2e/test_sales_rules.py)."""
    return {"contact": service_contact_gate(j), "facts": key_facts_gate(j),
            "insurer": named_gate(j, "insurer"), "seller": named_gate(j, "seller"),
            "terms": surrender_terms_gate(j), "renewal": renewal_consent_gate(j),
            "catch_all": catch_all_gate(j), "uncertainty": uncertainty_gate(j, 600, 1.0)}


def good_screens() -> list[dict[str, Any]]:
    product = sales(**CONTACT, facts=FACTS, surrender_terms=TERMS,
                    uncertainty=[{"text": "保单利益具有不确定性", "weight": 700, "font_px": 24}])
    health = sales(**CONTACT, health={"declaration": "健康告知", "questions": 4,
                                      "catch_all": []},
                   renewal={"controls": [{"label": "到期自动续保", "checked": False,
                                          "hidden": None}],
                            "says_auto": "到期自动续保", "says_none": None})
    return [product, health, sales()]  # the success page shows nothing: not a sales page


def test_every_rule_passes_on_compliant_pages(tmp_path: Path) -> None:
    outcomes = every_gate(journey(tmp_path, good_screens()))
    assert {k: o.status for k, o in outcomes.items()} == dict.fromkeys(outcomes, Status.PASSED), \
        {k: o.message for k, o in outcomes.items()}
    assert "95000" in outcomes["contact"].message
    assert "条款编码" in outcomes["facts"].message and "百万医疗险" in outcomes["facts"].message
    assert "unticked" in outcomes["renewal"].message


def test_evidence_from_before_the_rules_is_inconclusive(tmp_path: Path) -> None:
    outcomes = every_gate(journey(tmp_path, None))
    assert {o.status for o in outcomes.values()} == {Status.INCONCLUSIVE}
    assert all("not measured" in o.message for o in outcomes.values())


def test_default_wording_found_nowhere_is_inconclusive_saying_what_was_looked_for(
        tmp_path: Path) -> None:
    outcomes = every_gate(journey(tmp_path, [sales(), sales(), sales()]))
    assert {o.status for o in outcomes.values()} == {Status.INCONCLUSIVE}, \
        {k: o.message for k, o in outcomes.items()}
    assert "95" in outcomes["contact"].message and "[regulation]" in outcomes["contact"].message
    assert "退保" in outcomes["terms"].message and "benefits" in outcomes["uncertainty"].message


def test_what_the_journey_named_and_no_screen_shows_fails(tmp_path: Path) -> None:
    j = journey(tmp_path, [sales(), sales(), sales()], service_phone="95000",
                insurer="承保公司", surrender_terms="退保说明", filing_number="条款编码")
    outcomes = every_gate(j)
    for rule in ("contact", "insurer", "terms", "facts"):
        assert outcomes[rule].status == Status.FAILED, outcomes[rule].message
        assert "not shown on any of the 2 screens before payment" in outcomes[rule].message
    assert outcomes["seller"].status == Status.INCONCLUSIVE


def test_a_journey_that_stopped_early_is_inconclusive_not_failed(tmp_path: Path) -> None:
    j = journey(tmp_path, [sales(), sales(), sales()], completed=False, service_phone="95000")
    outcome = service_contact_gate(j)
    assert outcome.status == Status.INCONCLUSIVE and "stopped early" in outcome.message


def test_service_contact_missing_on_one_screen_fails_and_alt_text_counts(tmp_path: Path) -> None:
    screens = good_screens()
    screens[1] = sales(online_service=CONTACT["online_service"], unlabelled_images=1)
    outcome = service_contact_gate(journey(tmp_path, screens))
    assert outcome.status == Status.FAILED and "step 1 (/s1): no phone" in outcome.message
    assert "without alt text" in outcome.message
    screens[1]["phone"] = {"text": "95000", "via": "alt"}
    outcome = service_contact_gate(journey(tmp_path, screens))
    assert outcome.status == Status.PASSED and "alt text" in outcome.message


def test_key_facts_name_what_is_missing(tmp_path: Path) -> None:
    screens = good_screens()
    del screens[0]["facts"]["waiting_period"]
    screens[0]["facts"]["waiting_period"] = None
    outcome = key_facts_gate(journey(tmp_path, screens, waiting_period="等待期"))
    assert outcome.status == Status.FAILED and "the waiting period" in outcome.message
    assert "the premium “保费 ¥30" in outcome.message  # what was shown is listed too


def test_surrender_terms_need_a_condition_and_a_time_limit(tmp_path: Path) -> None:
    screens = good_screens()
    screens[0]["surrender_terms"] = "退保说明 犹豫期后退保可能有损失。"
    outcome = surrender_terms_gate(journey(tmp_path, screens))
    assert outcome.status == Status.FAILED and "no time limit" in outcome.message


def test_renewal(tmp_path: Path) -> None:
    screens = good_screens()
    screens[1]["renewal"]["controls"][0].update(checked=True, hidden="collapsed")
    outcome = renewal_consent_gate(journey(tmp_path, screens))
    assert outcome.status == Status.FAILED and "hidden in a collapsed section" in outcome.message
    screens[1]["renewal"] = {"controls": [], "says_auto": "保险期满将自动续保并扣费",
                             "says_none": None}
    outcome = renewal_consent_gate(journey(tmp_path, screens))
    assert outcome.status == Status.FAILED and "no screen before payment offers a box" \
        in outcome.message
    screens[1]["renewal"] = {"controls": [], "says_auto": None, "says_none": "不自动续保"}
    assert renewal_consent_gate(journey(tmp_path, screens)).status == Status.PASSED


@pytest.mark.parametrize(("text", "found"), [
    ("到期自动续保", True), ("Auto-renewal of this policy", True), ("it auto-renews", True),
    ("automatically renewed each year", True), ("页面版本：auto-renew-preticked", False),
    ("autorenewable", False)])
def test_the_renewal_wording_is_a_whole_word(text: str, found: bool) -> None:
    import re

    assert bool(re.search(RENEWAL_PATTERN, text, re.IGNORECASE)) is found


def test_catch_all_questions_fail(tmp_path: Path) -> None:
    screens = good_screens()
    screens[1]["health"]["catch_all"] = ["5. 被保险人是否患有其他未列明的疾病？"]
    outcome = catch_all_gate(journey(tmp_path, screens))
    assert outcome.status == Status.FAILED and "其他未列明的疾病" in outcome.message
    screens[1]["health"] = {"declaration": None, "questions": 4, "catch_all": []}
    assert catch_all_gate(journey(tmp_path, screens)).status == Status.INCONCLUSIVE


def test_uncertainty_statement(tmp_path: Path) -> None:
    screens = good_screens()
    screens[0]["uncertainty"] = [{"text": "保单利益具有不确定性", "weight": 400, "font_px": 12}]
    outcome = uncertainty_gate(journey(tmp_path, screens), 600, 1.0)
    assert outcome.status == Status.FAILED and "weight 400, 12 px" in outcome.message
    screens[0]["uncertainty"] = [{"text": "保单利益具有不确定性", "weight": 700, "font_px": 20}]
    assert uncertainty_gate(journey(tmp_path, screens), 600, 1.0).status == Status.FAILED
    screens[0]["uncertainty"] = []
    declared = journey(tmp_path, screens, benefits="guaranteed")
    outcome = uncertainty_gate(declared, 600, 1.0)
    assert outcome.status == Status.NOT_APPLICABLE and outcome.message.startswith("not applicable")
    missing = journey(tmp_path, screens, benefits="not guaranteed")
    assert uncertainty_gate(missing, 600, 1.0).status == Status.FAILED
    assert uncertainty_gate(journey(tmp_path, screens), 600, 1.0).status == \
        Status.INCONCLUSIVE


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda s: s.pop("facts"), "facts"),
    (lambda s: s["facts"].pop("premium"), "premium"),
    (lambda s: s["renewal"]["controls"][0].update(checked="false"), "checked"),
    (lambda s: s.update(uncertainty=[{"text": "x", "weight": 700, "font_px": -1}]), "font_px"),
    (lambda s: s.update(phone={"text": "95000", "via": "ocr"}), "via"),
    (lambda s: s["health"].update(catch_all="其他疾病"), "catch_all"),
    (lambda s: s["renewal"]["controls"][0].update(hidden="folded"), "hidden"),
])
def test_the_contract_refuses_a_damaged_measurement(tmp_path: Path, mutate: Any,
                                                    field: str) -> None:
    screens = copy.deepcopy(good_screens())
    mutate(screens[1])
    with pytest.raises(EvidenceError, match=field):
        journey(tmp_path, screens)


def test_the_contract_keeps_the_producers_keys_and_its_ticked_boxes_consistent(
        tmp_path: Path) -> None:
    assert tuple(f.name for f in fields(RegulationSpec)) == PATTERN_KEYS
    path = tmp_path / "journey.json"
    journey(tmp_path, good_screens())
    record = json.loads(path.read_text(encoding="utf-8"))
    record["regulation"]["screens"][1]["sales"]["renewal"]["controls"][0]["checked"] = True
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"1 ticked box.* lists 0 pre-ticked"):
        read_journey(path)
    del record["regulation"]["patterns"]["catch_all"]
    record["regulation"]["screens"][1]["sales"]["renewal"]["controls"][0]["checked"] = False
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EvidenceError, match="catch_all"):
        read_journey(path)


def test_the_contract_refuses_screens_measured_in_part(tmp_path: Path) -> None:
    path = tmp_path / "journey.json"
    journey(tmp_path, good_screens())
    record = json.loads(path.read_text(encoding="utf-8"))
    del record["regulation"]["screens"][2]["sales"]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(EvidenceError, match="every screen is measured"):
        read_journey(path)
    del record["regulation"]["named"]
    for screen in record["regulation"]["screens"]:
        screen.pop("sales", None)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert service_contact_gate(read_journey(path)).status == Status.INCONCLUSIVE
