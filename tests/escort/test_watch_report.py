"""escort.md's timeline, the JUnit file, the state's round trip and durations."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.escort.decide import CheckDecision, CheckResult, Reason, combine
from harness.escort.report import render_markdown, write_junit
from harness.escort.state import EscortState, load_state, parse_duration, save_state
from harness.model import Criterion, Outcome, Status
from tests.escort.fakes import T0


def _state() -> EscortState:
    def crit(status: Status) -> Criterion:
        return Criterion("f :: every payment has a policy", "f", "every payment has a policy",
                         ("blocker",), Outcome(status, status.value, observed=3, unit="count"))

    go = CheckResult(0, T0 + 60, CheckDecision.CONTINUE, (), (crit(Status.PASSED),))
    back = CheckResult(1, T0 + 120, CheckDecision.ROLLBACK,
                       (Reason("f :: every payment has a policy", "failed", "3 lost"),),
                       (crit(Status.FAILED),))
    return EscortState("w", T0, 600.0, 60.0, {}, (go, back))


def test_timeline_marks_each_check_and_the_decisions() -> None:
    state = _state()
    text = render_markdown(state, combine(state.checks, state.planned))
    assert text.startswith("# Escort: ESCORT FAILED")
    assert "| every payment has a policy | ✅❌ | 3 count |" in text
    assert "| 1 | 2026" not in text or "🔴 ROLLBACK" in text
    running = render_markdown(state, combine(state.checks, 2), running=True)
    assert running.startswith("# Escort in progress: 2 of 10 checks, last ROLLBACK")


def test_junit_one_case_per_criterion_per_check(tmp_path: Path) -> None:
    write_junit(_state(), tmp_path / "j.xml")
    suite = ET.parse(tmp_path / "j.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")


def test_state_round_trip(tmp_path: Path) -> None:
    save_state(tmp_path, _state())
    loaded = load_state(tmp_path)
    assert loaded is not None and loaded.checks == _state().checks and loaded.next_check == 2
    (tmp_path / "escort-state.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a watch state"):
        load_state(tmp_path)


@pytest.mark.parametrize(("text", "seconds"), [("72h", 259200), ("15m", 900), ("1h30m", 5400),
                                              ("30", 30), ("2.5m", 150)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, "window") == seconds


@pytest.mark.parametrize("text", ["", "0m", "15 minutes", "h", "-5m"])
def test_bad_durations_name_the_setting(text: str) -> None:
    with pytest.raises(ConfigError, match="window"):
        parse_duration(text, "window")
