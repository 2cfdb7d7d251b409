"""The gray gates' decision rule, one case per branch, on hand-made samples."""

from __future__ import annotations

import numpy as np
import pytest

from harness.errors import ConfigError
from harness.gates.gray import (
    conversion_gate,
    duration_gate,
    error_rate_gate,
    health_views_gate,
    sample_ratio_gate,
)
from harness.gray.means import MeanSummary
from harness.gray.proportions import pooled_z_test
from harness.gray.samples import DurationSample, MeanSample, ProportionSample
from harness.gray.srm import sample_ratio
from harness.model import Comparator, Status


def conv(c: tuple[int, int], g: tuple[int, int]) -> ProportionSample:
    _, p = pooled_z_test(g[0], g[1], c[0], c[1])
    return ProportionSample("conversion", "conversion", c[0], c[1], g[0], g[1], p, p)


def test_failed_conversion_reads_as_one_sentence() -> None:
    outcome = conversion_gate(conv((520, 5000), (455, 5000)), margin_pp=1.0)
    assert outcome.status is Status.FAILED
    assert outcome.message.startswith(
        "gray conversion 9.1% vs control 10.4% (difference -1.3 pp, 95% CI -2.5 to -0.1); "
        "worse than the 1.0 pp margin")
    assert outcome.comparator is Comparator.GE and outcome.threshold == -1.0
    assert outcome.unit == "pp" and outcome.n == 10_000
    assert outcome.ci == pytest.approx((-2.47, -0.13), abs=0.01)


def test_underpowered_is_inconclusive_with_the_mde() -> None:
    """The domain brief's case: 5,000 a side at 10 % cannot see 1 pp (MDE 1.7 pp)."""
    outcome = conversion_gate(conv((500, 5000), (500, 5000)), margin_pp=1.0)
    assert outcome.status is Status.INCONCLUSIVE
    assert "minimum detectable effect is 1.7 pp" in outcome.message
    assert outcome.details["mde"] == pytest.approx(1.681, abs=1e-3)


def test_noninferiority_shown_passes_and_wider_margin_helps() -> None:
    sample = conv((5000, 50000), (4990, 50000))
    assert conversion_gate(sample, margin_pp=1.0).status is Status.PASSED
    assert conversion_gate(sample, margin_pp=0.1).status is Status.INCONCLUSIVE


def test_significant_harm_within_margin_is_not_a_pass() -> None:
    sample = conv((10000, 100000), (9650, 100000))  # -0.35 pp, CI about -0.61 to -0.09
    outcome = conversion_gate(sample, margin_pp=0.5)
    assert outcome.status is Status.INCONCLUSIVE
    assert "significantly worse" in outcome.message


def test_error_ratio_direction() -> None:
    worse = ProportionSample("health_error_ratio", "error ratio", 200, 4000, 330, 4000, 1e-9, 1e-9)
    outcome = error_rate_gate(worse, margin_pp=1.0)
    assert outcome.status is Status.FAILED
    assert outcome.comparator is Comparator.LE and outcome.threshold == 1.0
    better = ProportionSample("health_error_ratio", "error ratio", 2000, 40000, 1800, 40000,
                              1e-3, 1e-3)
    assert error_rate_gate(better, margin_pp=1.0).status is Status.PASSED


def test_holm_adjusted_p_decides_failure() -> None:
    raw = conv((520, 5000), (455, 5000))
    adjusted = ProportionSample(**{**raw.__dict__, "p_holm": 0.2})
    assert conversion_gate(adjusted, margin_pp=1.0).status is Status.INCONCLUSIVE


def test_sample_ratio_mismatch_makes_everything_inconclusive() -> None:
    srm = sample_ratio(5400, 4600, 0.5)
    gate = sample_ratio_gate(srm)
    assert gate.status is Status.INCONCLUSIVE and "sample ratio mismatch" in gate.message
    outcome = conversion_gate(conv((520, 5400), (300, 4600)), margin_pp=1.0, srm=srm)
    assert outcome.status is Status.INCONCLUSIVE and "untrustworthy" in outcome.message
    assert sample_ratio_gate(sample_ratio(5040, 4960, 0.5)).status is Status.PASSED


def test_missing_evidence_is_inconclusive() -> None:
    assert conversion_gate(conv((0, 0), (5, 10)), margin_pp=1).status is Status.INCONCLUSIVE
    empty = np.array([], float)
    assert duration_gate(DurationSample("d", "time", empty, np.array([1.0, 2.0])),
                         margin_s=5).status is Status.INCONCLUSIVE
    nothing = MeanSummary(0, float("nan"), float("nan"))
    assert health_views_gate(MeanSample("v", "views", "views", nothing, nothing),
                             margin=0.1).status is Status.INCONCLUSIVE
    assert sample_ratio_gate(sample_ratio(0, 0, 0.5)).status is Status.INCONCLUSIVE


def test_duration_gate_fails_a_slower_gray() -> None:
    rng = np.random.default_rng(3)
    control = np.sort(rng.lognormal(np.log(60), 0.5, 4000))
    gray = np.sort(rng.lognormal(np.log(75), 0.5, 4000))
    outcome = duration_gate(DurationSample("d", "time on the application page", control, gray,
                                           1e-30, 1e-30), margin_s=5.0)
    assert outcome.status is Status.FAILED
    assert "Hodges-Lehmann shift +" in outcome.message and outcome.unit == "s"


def test_margin_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="margin_pp must be a positive number"):
        conversion_gate(conv((1, 10), (1, 10)), margin_pp=0.0)


def test_health_views_gate_both_ways() -> None:
    control = MeanSummary(20000, 1.20, 0.2)
    same = MeanSample("health_views_per_user", "health-declaration views per user", "views",
                      control, MeanSummary(20000, 1.21, 0.2), 0.03, 0.03)
    outcome = health_views_gate(same, margin=0.1)
    assert outcome.status is Status.PASSED and "0.10 views margin" in outcome.message
    more = MeanSample("health_views_per_user", "health-declaration views per user", "views",
                      control, MeanSummary(20000, 1.45, 0.4), 1e-20, 1e-20)
    assert health_views_gate(more, margin=0.1).status is Status.FAILED
