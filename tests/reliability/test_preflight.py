"""harness.preflight.check_features: a feature file that pytest-bdd cannot parse, or whose
severity tag is not one, is a ConfigError naming file and line before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.preflight import check_features

ROOT = Path(__file__).resolve().parents[2]
GOOD = """@disclosures
Feature: Cooling-off notice

  @blocker
  Scenario: The notice is visible
    Given the buyer completes the travel purchase journey at the "desktop" viewport
    Then the cooling-off notice is fully visible on the first screen
"""


def _feature(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "notice.feature"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_bundled_features_pass(demo_project: Path) -> None:
    check_features([demo_project / "features"])


def test_a_good_feature_passes(tmp_path: Path) -> None:
    check_features([_feature(tmp_path, GOOD)])


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("@blocker", "@major"), ":4: @major is not a severity (did you mean @"),
    (GOOD.replace("@blocker", "@Blocker"), ":4: @Blocker is not a severity"),
    (GOOD.replace("  @blocker\n", ""), ":4: scenario 'The notice is visible' has 0 severity"),
    (GOOD.replace("@blocker", "@blocker @minor"), ":5: scenario 'The notice is visible' has 2"),
    (GOOD.replace("  Scenario: The", "  Scenaro: The"), ":5: "),
    (GOOD.replace("    Given the buyer", "    And the buyer", 1), ":6: First step in a scenario"),
    (GOOD.replace("Feature:", "Given nothing\nFeature:"), ":2: Step definition outside of"),
    (GOOD + "\n    Examples:\n      | a |\n      | 1 | 2 |\n", ":11: "),
])
def test_a_bad_feature_names_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = _feature(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        check_features([tmp_path])
    assert str(raised.value).startswith(f"{path}{expected}"), str(raised.value)


def test_a_feature_not_in_utf8_is_named(tmp_path: Path) -> None:
    path = _feature(tmp_path, GOOD.replace("Cooling-off notice", "犹豫期提示"), "gbk")
    with pytest.raises(ConfigError, match="not UTF-8"):
        check_features([path])


def test_a_missing_path_or_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such feature file"):
        check_features([tmp_path / "nope.feature"])
    with pytest.raises(ConfigError, match=r"no \.feature files"):
        check_features([tmp_path])
