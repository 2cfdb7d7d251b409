"""`harness gray` on 150 vs 150 users where a funnel step is 0 of 150: the Wilson bound lies a
rounding error above 0, which once made matplotlib refuse the funnel chart ('yerr' must not
contain negative values) and crash; the answer is INCONCLUSIVE (too few users), chart drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.gray.chart import _error_bar
from harness.gray.proportions import wilson_interval
from harness.model import ExitCode
from tests.gray.synthetic import Cohort, make_events, write_events


def test_150_against_150_users_with_no_conversion_is_inconclusive_with_charts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    low, _ = wilson_interval(0, 150)
    assert low > 0.0  # the rounding error this test is about
    events = write_events(make_events(Cohort(150, conversion=0.0), Cohort(150, conversion=0.0),
                                      seed=1), tmp_path / "small.csv")
    code = main(["gray", str(events), "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert code == ExitCode.INCONCLUSIVE, out.err
    assert "gray decision: INCONCLUSIVE" in out.out
    report = json.loads((tmp_path / "out" / "gray.json").read_text(encoding="utf-8"))
    assert report["decision"] == "INCONCLUSIVE"
    for chart in ("funnel.png", "duration.png"):
        assert (tmp_path / "out" / chart).stat().st_size > 1000


@pytest.mark.parametrize(("successes", "total"), [(0, 150), (150, 150), (10, 10), (0, 3), (7, 9)])
def test_error_bars_are_never_negative(successes: int, total: int) -> None:
    ratio = successes / total
    below, above = _error_bar(ratio, *wilson_interval(successes, total))
    assert below >= 0.0 and above >= 0.0
    assert below + above > 0.0


def test_a_step_without_users_has_no_error_bar() -> None:
    assert _error_bar(float("nan"), *wilson_interval(0, 0)) == (0.0, 0.0)
