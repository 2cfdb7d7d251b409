"""The browser phase of `harness run`: which evidence the features will ask for, how it is
shared out, and when the features reuse it instead of driving the browser again."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.browser_phase import _expanded_steps, needed_evidence, share_out
from harness_steps.browser_evidence import BrowserEvidence

OUTLINE = '''Feature: f
  Scenario Outline: o
    Given the buyer completes the <product> purchase journey at the "<viewport>" viewport
    Then something

    Examples:
      | product | viewport |
      | travel  | phone    |
      | medical | wechat   |

  Scenario: plain
    Given the buyer submits the medical health declaration with no answers at the "desktop" viewport
'''


def test_outlines_are_expanded_per_example() -> None:
    steps = _expanded_steps(OUTLINE)
    assert 'the buyer completes the travel purchase journey at the "phone" viewport' in \
        " ".join(steps)
    assert any('medical purchase journey at the "wechat"' in s for s in steps)
    assert any("health declaration with no answers" in s for s in steps)


def test_the_shipped_features_need_every_product_at_five_viewports(demo_project: Path) -> None:
    features = demo_project / "features"
    items = needed_evidence(features, ["disclosures", "health_declaration"])
    journeys = {(p, v) for kind, p, v in items if kind == "journey"}
    assert len(journeys) == 15
    assert ("form-errors", "medical", "phone") in items
    assert needed_evidence(features, ["gray_release"]) == []


def test_work_is_shared_out_evenly_longest_first(demo_project: Path) -> None:
    items = needed_evidence(demo_project / "features", ["disclosures"])
    plans = share_out(items, 3)
    assert sorted(len(p) for p in plans) == [5, 5, 5]
    assert sum(len(p) for p in share_out(items[:1], 3)) == 1


def browser_evidence(run: Path, target: str | None) -> BrowserEvidence:
    def unused() -> str:
        raise AssertionError("nothing may be driven")

    return BrowserEvidence(run, False, unused, None, target)


def test_features_reuse_what_the_phase_produced_for_the_same_target(tmp_path: Path) -> None:
    root = tmp_path / "raw" / "browser"
    root.mkdir(parents=True)
    marker = {"target": "http://127.0.0.1:8000", "journeys": None,
              "produced": [{"folder": "travel/phone"}]}
    (root / ".produced").write_text(json.dumps(marker), encoding="utf-8")
    assert browser_evidence(tmp_path, "http://127.0.0.1:8000/")._produced == {
        root / "travel" / "phone"}
    assert browser_evidence(tmp_path, "http://127.0.0.1:9000")._produced == set()
    assert browser_evidence(tmp_path, None)._produced == set()
