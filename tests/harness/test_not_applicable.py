"""What a journey declares (viewports, [not_applicable], its own target) and how the gate acts on
it: the browser phase measures only what applies, a declared criterion is NOT APPLICABLE with
the journey's reason (never passed, never silent), anything undeclared stays fail-closed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.cli.browser_phase import needed_evidence, scenarios
from harness.cli.preflight import _check_declared
from harness.errors import ConfigError, TargetError
from harness.model import Outcome, Status
from harness.policy import Policy
from harness.record.requirements import Coverage, Requirement
from harness.verdict import decide
from harness.writers.markdown import render_markdown
from harness_browser.journey_spec import parse_journey
from harness_contract.errors import EvidenceInvalid
from harness_contract.journey_plan import JourneyPlan, ProductJourney, resolve_target
from tests.harness.factories import criterion

FEATURE = '''@purchase_flow @REQ-FLOW-LENGTH
Feature: Purchase flow length

  @critical
  Scenario Outline: Buying <product> takes at most 5 steps
    Given the buyer completes the <product> purchase journey at its main viewport \
(default "desktop")
    Then the journey takes at most 5 steps from clicking the product to payment done

    Examples:
      | product |
      | h5      |
      | medical |

  @critical @REQ-NOTICE
  Scenario Outline: The notice of <product> at <viewport>
    Given the buyer completes the <product> purchase journey at the "<viewport>" viewport
    Then something

    Examples:
      | product | viewport |
      | h5      | desktop  |
      | h5      | phone    |
      | medical | desktop  |

  @critical @REQ-HEALTH-ERRORS
  Scenario: health of h5
    Given the buyer submits the h5 health declaration with no answers at the "phone" viewport
'''
H5 = ProductJourney(product="h5", file="journeys/h5.py", viewports=("phone", "wechat"),
                    not_applicable={"REQ-HEALTH-ERRORS": "this product has no health "
                                                         "declaration"})
PLAN = JourneyPlan(products={"h5": H5})


def features(tmp_path: Path) -> Path:
    (tmp_path / "purchase_flow").mkdir()
    (tmp_path / "purchase_flow" / "flow.feature").write_text(FEATURE, encoding="utf-8")
    return tmp_path


def test_a_phone_only_product_is_measured_only_at_its_viewports(tmp_path: Path) -> None:
    items = needed_evidence(features(tmp_path), ["purchase_flow"], PLAN)
    assert sorted(items) == [("journey", "h5", "phone"), ("journey", "medical", "desktop")]
    # without the declarations everything the features name is measured (the old behaviour)
    assert sorted(needed_evidence(tmp_path, ["purchase_flow"])) == [
        ("form-errors", "h5", "phone"), ("journey", "h5", "desktop"), ("journey", "h5", "phone"),
        ("journey", "medical", "desktop")]


def test_scenarios_carry_their_feature_and_scenario_tags() -> None:
    found = scenarios(FEATURE)
    assert found[0][0] == {"purchase_flow", "REQ-FLOW-LENGTH", "critical"}
    assert found[1][0] == {"purchase_flow", "REQ-FLOW-LENGTH", "critical", "REQ-NOTICE"}
    assert len(found[1][1]) == 6  # Given and Then, for each of the 3 examples
    assert "REQ-HEALTH-ERRORS" in found[2][0]


def test_only_what_the_journey_declares_is_not_applicable() -> None:
    assert H5.main_viewport("desktop") == "phone"
    assert "no health declaration" in str(H5.why_not_applicable("phone",
                                                                 ["@REQ-HEALTH-ERRORS"]))
    assert "driven only at phone, wechat" in str(H5.why_not_applicable("desktop", ["x"]))
    assert H5.why_not_applicable("wechat", ["REQ-NOTICE", "critical"]) is None
    undeclared = PLAN.product("medical")  # no journey file, no declaration: everything applies
    assert undeclared.why_not_applicable("phone-small", ["REQ-HEALTH-ERRORS"]) is None
    assert undeclared.main_viewport("desktop") == "desktop"


def test_the_declarations_round_trip_strictly() -> None:
    assert JourneyPlan.from_json(PLAN.to_json(), "journeys.json") == PLAN
    bad = PLAN.to_json().replace('"this product has no health declaration"', '"  "')
    with pytest.raises(EvidenceInvalid, match="not_applicable"):
        JourneyPlan.from_json(bad, "journeys.json")
    with pytest.raises(EvidenceInvalid, match="target"):
        JourneyPlan.from_json(PLAN.to_json().replace('"target": null', '"target": "ftp://x"'),
                              "journeys.json")


def test_a_not_applicable_criterion_neither_passes_nor_blocks_and_is_shown() -> None:
    na = criterion("notice :: h5 at desktop", Status.NOT_APPLICABLE, message="not applicable: "
                   "journeys/h5.py: the h5 journey is driven only at phone")
    verdict = decide([criterion("a :: x"), na], Policy())
    assert verdict.decision.value == "GO"
    assert any("1 criteria not applicable" in w for w in verdict.warnings)
    text = render_markdown(verdict)
    assert "not_applicable |" in text.split("## Why")[0]  # a column of the areas table
    assert "➖ | h5 at desktop" in text and "driven only at phone" in text
    # nothing but not-applicable criteria: nothing was judged
    assert decide([na], Policy()).decision.value == "INCONCLUSIVE"
    # a failed criterion still decides; an undeclared missing one is still inconclusive
    assert decide([na, criterion("b :: y", Status.FAILED)], Policy()).decision.value == "NO-GO"
    assert decide([na, criterion("b :: y", Status.INCONCLUSIVE)],
                  Policy()).decision.value == "INCONCLUSIVE"
    assert not Coverage(Requirement("REQ-NOTICE", "notice"), (na,)).covered


def test_a_journey_names_its_own_target_and_start(tmp_path: Path) -> None:
    assert resolve_target("http://127.0.0.1:8000", "/h5/") == "http://127.0.0.1:8000/h5/"
    assert resolve_target("http://127.0.0.1:8000/app", "#/selectpage") == \
        "http://127.0.0.1:8000/app/#/selectpage"
    assert resolve_target("http://127.0.0.1:8000", "https://h5.example/#/s") == \
        "https://h5.example/#/s"
    assert resolve_target("http://127.0.0.1:8000", None) == "http://127.0.0.1:8000"
    toml = {"name": "h5", "target": "https://h5.example/#/selectpage",
            "actions": [{"do": "click", "selector": "#go", "advance": True}]}
    assert parse_journey(toml).target == "https://h5.example/#/selectpage"  # no start needed
    with pytest.raises(ConfigError, match="start is required"):
        parse_journey({**toml, "target": None})
    with pytest.raises(ConfigError, match="target must be an http"):
        parse_journey({**toml, "target": "ftp://h5.example/"})
    with pytest.raises(ConfigError, match="names a host without a scheme"):
        parse_journey({**toml, "target": "//h5.example/"})
    with pytest.raises(ConfigError, match=r"\[not_applicable\]"):
        parse_journey({**toml, "not_applicable": {"REQ X": "spaces are not a tag"}})
    assert parse_journey({**toml, "not_applicable": {"@REQ-X": "why"}}).not_applicable == {
        "REQ-X": "why"}


def project(browser: dict[str, object] | None = None) -> SimpleNamespace:
    return SimpleNamespace(settings=SimpleNamespace(table=lambda name: browser or {}))


def test_the_declarations_are_checked_before_any_phase(tmp_path: Path) -> None:
    folder = features(tmp_path)
    _check_declared(project(), PLAN, folder, "http://127.0.0.1:8000", False)  # fine
    typo = ProductJourney(product="h5", file="journeys/h5.py",
                          not_applicable={"REQ-HEALTH-ERROR": "typo"})
    with pytest.raises(ConfigError, match=r"journeys/h5.py: \[not_applicable\] 'REQ-HEALTH-ERROR'"):
        _check_declared(project(), JourneyPlan(products={"h5": typo}), folder, None, False)
    tablet = ProductJourney(product="h5", file="journeys/h5.py", viewports=("tablet",))
    with pytest.raises(ConfigError, match="'tablet' is not a viewport"):
        _check_declared(project(), JourneyPlan(products={"h5": tablet}), folder, None, False)
    _check_declared(project({"viewports": {"tablet": [820, 1180]}}),
                    JourneyPlan(products={"h5": tablet}), folder, None, False)
    remote = ProductJourney(product="h5", file="journeys/h5.py", target="http://192.0.2.1/")
    with pytest.raises(TargetError, match="not loopback"):
        _check_declared(project(), JourneyPlan(products={"h5": remote}), folder, None, False)
    _check_declared(project(), JourneyPlan(products={"h5": remote}), folder, None, True)


def test_a_not_applicable_outcome_is_recorded_with_its_reason() -> None:
    outcome = Outcome(status=Status.NOT_APPLICABLE, message="not applicable: because")
    record = criterion("a :: x").with_outcome(outcome).to_record()
    assert record["status"] == "not_applicable"


def test_the_steps_read_the_declarations_kept_with_the_run(tmp_path: Path) -> None:
    from harness.errors import EvidenceError
    from harness_steps.browser_evidence import BrowserEvidence

    def evidence(offline: bool) -> BrowserEvidence:
        return BrowserEvidence(tmp_path, offline, lambda: "http://127.0.0.1:9", tmp_path / "j")

    assert evidence(True).declared() == JourneyPlan()  # offline, none kept: nothing declared
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "h5.toml").write_text(
        'name = "h5"\nstart = "/"\nviewports = ["phone"]\n[not_applicable]\n"REQ-X" = "why"\n'
        '[[actions]]\ndo = "click"\nselector = "#go"\nadvance = true\n', encoding="utf-8")
    live = evidence(False).declared()  # live: read from the journey files, and kept
    assert live.product("h5").viewports == ("phone",)
    kept = tmp_path / "raw" / "browser" / "journeys.json"
    assert JourneyPlan.from_json(kept.read_text(encoding="utf-8"), "kept") == live
    kept.write_text(kept.read_text(encoding="utf-8").replace('"phone"', "7"), encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"journeys.json.*viewports\[0\]"):
        evidence(True).declared()


def test_the_browser_worker_refuses_a_journey_target_off_loopback(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "h5.toml").write_text(
        'name = "h5"\ntarget = "http://192.0.2.1/#/selectpage"\n'
        '[[actions]]\ndo = "click"\nselector = "#go"\nadvance = true\n', encoding="utf-8")
    command = [sys.executable, "-m", "harness_browser.produce", "--run-dir", str(tmp_path / "r"),
               "--base-url", "http://127.0.0.1:9", "--journeys", str(tmp_path),
               "--journey", "h5:phone"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and "journey of h5" in done.stderr
    assert "192.0.2.1" in done.stderr and "not loopback" in done.stderr
    assert not (tmp_path / "r").exists()  # refused before any browser started
