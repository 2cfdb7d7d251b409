"""Gates of a gray release: is the gray cohort not worse than control, beyond a stated margin?

Each gate takes the measured evidence of one metric (a frozen sample from harness.gray) plus
its thresholds and returns an Outcome. The decision rule, the same for every guardrail:
- INCONCLUSIVE when evidence is missing, or when the sample ratio mismatches (p < srm_alpha:
  the split itself is broken, so no metric can be trusted, harmful-looking ones included);
- FAILED when gray is significantly worse (Holm-adjusted two-sided p < alpha across the
  guardrails of the decision) and its point estimate is worse than the margin;
- INCONCLUSIVE when the cohorts are too small to detect the margin (minimum detectable effect
  at `power` larger than the margin): silence of a small sample is not safety;
- PASSED when non-inferiority is shown: the one-sided test at the margin rejects at alpha/2
  and the (1 - alpha) interval lies entirely on the good side of the margin (both, so the
  printed interval never contradicts a pass);
- INCONCLUSIVE otherwise (non-significant is not a pass).
Non-inferiority needs no multiplicity adjustment: GO requires every guardrail to pass
(an intersection-union test), while FAILED of any one is a union, hence Holm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError
from harness.gray.comparison import GrayComparison
from harness.gray.means import welch, welch_noninferiority_p
from harness.gray.noninferiority import noninferiority_p
from harness.gray.power import mde_from_se, mde_proportion
from harness.gray.proportions import newcombe_interval, z_two_sided
from harness.gray.ranks import hodges_lehmann, shift_noninferiority_p
from harness.gray.samples import DurationSample, MeanSample, ProportionSample
from harness.gray.srm import SampleRatio
from harness.model import Comparator, Outcome, Status

__all__ = ["GrayThresholds", "conversion_gate", "duration_gate", "error_rate_gate",
           "gray_outcomes", "health_views_gate", "sample_ratio_gate"]


@dataclass(frozen=True)
class GrayThresholds:
    """The thresholds of one gray decision (from the feature file or the command line)."""

    conversion_margin_pp: float = 1.0
    error_margin_pp: float = 1.0
    duration_margin_s: float = 5.0
    health_views_margin: float = 0.1
    alpha: float = 0.05
    power: float = 0.8
    srm_alpha: float = 0.001


def sample_ratio_gate(srm: SampleRatio, *, alpha: float = 0.001) -> Outcome:
    """Do the user counts match the configured split? A mismatch (chi-square p < alpha) is
    INCONCLUSIVE, not FAILED: the release may be fine, but this comparison cannot tell."""
    n = srm.n_control + srm.n_gray
    shares = (f"{srm.n_control:,} control vs {srm.n_gray:,} gray users (gray share "
              f"{srm.observed_gray_share:.1%}, expected {srm.expected_gray_share:.1%}")
    common: dict[str, Any] = dict(observed=_finite(srm.p_value), threshold=alpha,
                                  comparator=Comparator.GE, unit="p", n=n,
                                  details={"chi2": _finite(srm.chi2),
                                           "n_control": srm.n_control, "n_gray": srm.n_gray})
    if srm.n_control == 0 or srm.n_gray == 0:
        return Outcome.inconclusive(f"no users in the {'gray' if srm.n_gray == 0 else 'control'}"
                                    f" cohort ({shares})); nothing to compare", **common)
    if srm.p_value < alpha:
        return Outcome.inconclusive(
            f"sample ratio mismatch: {shares}, chi-square p = {srm.p_value:.2g} < {alpha:g}); "
            "the split is broken, so no gray metric can be trusted until it is fixed", **common)
    return Outcome(Status.PASSED, f"cohort sizes match the split: {shares}, chi-square p = "
                                  f"{srm.p_value:.2g} >= {alpha:g})", **common)


@dataclass(frozen=True)
class _Evidence:
    """What the shared decision rule needs, in the metric's own unit (harm is positive)."""

    summary: str
    difference: float
    ci: tuple[float, float]
    harm: float
    p_holm: float
    ni_p: float
    ni_interval_ok: bool
    mde: float
    margin: float
    unit: str
    difference_label: str = "difference"
    decimals: int = 1


def _decide(ev: _Evidence, alpha: float, srm: SampleRatio | None,
            srm_alpha: float) -> tuple[Status, str]:
    margin = f"{_num(ev.margin, ev.decimals)} {ev.unit} margin"
    if srm is not None and not srm.p_value >= srm_alpha:
        return Status.INCONCLUSIVE, (f"not judged: sample ratio mismatch (p = "
                                     f"{srm.p_value:.2g}) makes the comparison untrustworthy")
    if ev.p_holm < alpha and ev.harm > ev.margin:
        return Status.FAILED, (f"worse than the {margin} (Holm-adjusted p = "
                               f"{ev.p_holm:.2g})")
    if not ev.mde <= ev.margin:
        return Status.INCONCLUSIVE, (f"too few users to detect the {margin}: the minimum "
                                     f"detectable effect is {_num(ev.mde, ev.decimals)} {ev.unit}")
    if ev.ni_p < alpha / 2 and ev.ni_interval_ok:
        return Status.PASSED, f"not worse than the {margin} (non-inferiority p = {ev.ni_p:.2g})"
    if ev.p_holm < alpha and ev.harm > 0:
        return Status.INCONCLUSIVE, (f"gray is significantly worse (Holm-adjusted p = "
                                     f"{ev.p_holm:.2g}) and the interval reaches past the "
                                     f"{margin}")
    return Status.INCONCLUSIVE, (f"non-inferiority not shown: the interval reaches past the "
                                 f"{margin} (non-inferiority p = {ev.ni_p:.2g})")


def _outcome(ev: _Evidence, n: int, higher_is_better: bool, alpha: float, power: float,
             srm: SampleRatio | None, srm_alpha: float, details: dict[str, Any]) -> Outcome:
    status, clause = _decide(ev, alpha, srm, srm_alpha)
    level = f"{(1 - alpha) * 100:g}%"
    d = ev.decimals
    message = (f"{ev.summary} ({ev.difference_label} {_signed(ev.difference, d)} {ev.unit}, "
               f"{level} CI {_num(ev.ci[0], d)} to {_num(ev.ci[1], d)}); {clause}")
    details = {**details, "p_holm": _finite(ev.p_holm), "noninferiority_p": _finite(ev.ni_p),
               "mde": _finite(ev.mde), "alpha": alpha, "power": power, "margin": ev.margin}
    return Outcome(status=status, message=message, observed=_finite(ev.difference),
                   threshold=-ev.margin if higher_is_better else ev.margin,
                   comparator=Comparator.GE if higher_is_better else Comparator.LE,
                   unit=ev.unit, n=n, details=details,
                   ci=(ev.ci[0], ev.ci[1]) if all(map(math.isfinite, ev.ci)) else None)


def _proportion_gate(sample: ProportionSample, margin_pp: float, alpha: float, power: float,
                     srm: SampleRatio | None, srm_alpha: float, higher_is_better: bool,
                     population: str) -> Outcome:
    _check_margin(margin_pp, "margin_pp")
    n = sample.control_total + sample.gray_total
    if sample.control_total == 0 or sample.gray_total == 0:
        empty = "control" if sample.control_total == 0 else "gray"
        return Outcome.inconclusive(f"no {empty} users {population}, so gray {sample.label} "
                                    "cannot be compared", unit="pp", n=n)
    low, high = newcombe_interval(sample.gray_successes, sample.gray_total,
                                  sample.control_successes, sample.control_total, alpha)
    margin = margin_pp / 100.0
    sign = -1.0 if higher_is_better else 1.0
    ni_p = noninferiority_p(sample.gray_successes, sample.gray_total, sample.control_successes,
                            sample.control_total, margin, higher_is_better=higher_is_better)
    ev = _Evidence(
        summary=f"gray {sample.label} {sample.gray_ratio:.1%} vs control "
                f"{sample.control_ratio:.1%}",
        difference=sample.difference * 100.0, ci=(low * 100.0, high * 100.0),
        harm=sign * sample.difference * 100.0, p_holm=_holm_or_raw(sample.p_holm, sample.p_value),
        ni_p=ni_p, ni_interval_ok=(low > -margin) if higher_is_better else (high < margin),
        mde=100.0 * mde_proportion(sample.control_ratio, sample.gray_total,
                                   sample.control_total, alpha, power),
        margin=margin_pp, unit="pp")
    details = {"metric": sample.name, "control_ratio": sample.control_ratio,
               "gray_ratio": sample.gray_ratio, "control": [sample.control_successes,
                                                             sample.control_total],
               "gray": [sample.gray_successes, sample.gray_total],
               "p_value": _finite(sample.p_value), "interval": "Newcombe hybrid score",
               "test": "Farrington-Manning score test at the margin"}
    return _outcome(ev, n, higher_is_better, alpha, power, srm, srm_alpha, details)


def conversion_gate(sample: ProportionSample, *, margin_pp: float, alpha: float = 0.05,
                    power: float = 0.8, srm: SampleRatio | None = None,
                    srm_alpha: float = 0.001) -> Outcome:
    """Gray conversion (or any higher-is-better ratio) is not lower than control by more than
    `margin_pp` percentage points. Missing evidence: no users who started a journey."""
    return _proportion_gate(sample, margin_pp, alpha, power, srm, srm_alpha, True,
                            "who started a journey")


def error_rate_gate(sample: ProportionSample, *, margin_pp: float, alpha: float = 0.05,
                    power: float = 0.8, srm: SampleRatio | None = None,
                    srm_alpha: float = 0.001) -> Outcome:
    """Gray's error ratio (users hitting an error among users attempting) is not higher than
    control's by more than `margin_pp` points. Missing evidence: no attempting users."""
    return _proportion_gate(sample, margin_pp, alpha, power, srm, srm_alpha, False,
                            "who submitted the health declaration")


def duration_gate(sample: DurationSample, *, margin_s: float, alpha: float = 0.05,
                  power: float = 0.8, srm: SampleRatio | None = None,
                  srm_alpha: float = 0.001) -> Outcome:
    """Gray users do not take longer than control by more than `margin_s` seconds, judged by
    the Hodges-Lehmann shift and Mann-Whitney tests (durations are long-tailed). The MDE is
    the one implied by the Lehmann interval's width. Missing evidence: < 2 users a side."""
    _check_margin(margin_s, "margin_s")
    n = len(sample.control_s) + len(sample.gray_s)
    if min(len(sample.control_s), len(sample.gray_s)) < 2:
        return Outcome.inconclusive(f"fewer than 2 users with {sample.label} in a cohort "
                                    f"({len(sample.control_s)} control, {len(sample.gray_s)} "
                                    "gray), so it cannot be compared", unit="s", n=n)
    est = hodges_lehmann(sample.control_s, sample.gray_s, alpha)
    se = (est.high - est.low) / (2.0 * z_two_sided(alpha))
    ev = _Evidence(
        summary=f"gray {sample.label} median {sample.gray_median_s:.1f} s vs control "
                f"{sample.control_median_s:.1f} s", difference_label="Hodges-Lehmann shift",
        difference=est.shift, ci=(est.low, est.high), harm=est.shift,
        p_holm=_holm_or_raw(sample.p_holm, sample.p_value),
        ni_p=shift_noninferiority_p(sample.control_s, sample.gray_s, margin_s),
        ni_interval_ok=est.high < margin_s, mde=mde_from_se(se, alpha, power),
        margin=margin_s, unit="s")
    details = {"metric": sample.name, "control_median_s": sample.control_median_s,
               "gray_median_s": sample.gray_median_s, "n_control": len(sample.control_s),
               "n_gray": len(sample.gray_s), "p_value": _finite(sample.p_value),
               "interval": "Lehmann (Hodges-Lehmann) from the rank-sum normal approximation",
               "test": "Mann-Whitney U (shifted by the margin for non-inferiority)"}
    return _outcome(ev, n, False, alpha, power, srm, srm_alpha, details)


def health_views_gate(sample: MeanSample, *, margin: float, alpha: float = 0.05,
                      power: float = 0.8, srm: SampleRatio | None = None,
                      srm_alpha: float = 0.001) -> Outcome:
    """Gray users do not return to the health declaration more often than control by more than
    `margin` views per user (Welch). Missing evidence: < 2 users with a view in a cohort."""
    _check_margin(margin, "margin")
    n = sample.control.n + sample.gray.n
    res = welch(sample.control, sample.gray, alpha)
    if math.isnan(res.difference):
        return Outcome.inconclusive(f"fewer than 2 users with {sample.label} in a cohort "
                                    f"({sample.control.n} control, {sample.gray.n} gray)",
                                    unit=sample.unit, n=n)
    ev = _Evidence(
        summary=f"gray {sample.label} {sample.gray.mean:.2f} vs control {sample.control.mean:.2f}",
        difference=res.difference, ci=(res.low, res.high), harm=res.difference,
        p_holm=_holm_or_raw(sample.p_holm, sample.p_value),
        ni_p=welch_noninferiority_p(res, margin), ni_interval_ok=res.high < margin,
        mde=mde_from_se(res.se, alpha, power), margin=margin, unit=sample.unit, decimals=2)
    details = {"metric": sample.name, "control_mean": sample.control.mean,
               "gray_mean": sample.gray.mean, "n_control": sample.control.n,
               "n_gray": sample.gray.n, "p_value": _finite(sample.p_value),
               "interval": "Welch t", "test": "Welch t at the margin"}
    return _outcome(ev, n, False, alpha, power, srm, srm_alpha, details)


def gray_outcomes(comparison: GrayComparison, thresholds: GrayThresholds) -> dict[str, Outcome]:
    """All gates of one gray decision, keyed by metric name, the sample-ratio check first."""
    t = thresholds
    common: dict[str, Any] = dict(alpha=t.alpha, power=t.power, srm=comparison.sample_ratio,
                                  srm_alpha=t.srm_alpha)
    return {
        "sample_ratio": sample_ratio_gate(comparison.sample_ratio, alpha=t.srm_alpha),
        "conversion": conversion_gate(comparison.conversion, margin_pp=t.conversion_margin_pp,
                                      **common),
        "health_error_ratio": error_rate_gate(comparison.health_error,
                                              margin_pp=t.error_margin_pp, **common),
        "health_views_per_user": health_views_gate(comparison.health_views,
                                                   margin=t.health_views_margin, **common),
        "application_duration_s": duration_gate(comparison.application_duration,
                                                margin_s=t.duration_margin_s, **common),
    }


def _check_margin(value: float, name: str) -> None:
    if not value > 0 or math.isinf(value):
        raise ConfigError(f"{name} must be a positive number, got {value}; a non-inferiority "
                          "margin states how much worse gray may be")


def _holm_or_raw(p_holm: float, p_value: float) -> float:
    return p_value if math.isnan(p_holm) else p_holm


def _finite(value: float) -> float | None:
    return value if isinstance(value, float | int) and math.isfinite(value) else None


def _num(value: float, decimals: int = 1) -> str:
    """Fixed decimals, no negative zero; infinite ends of an interval read as unbounded."""
    if not math.isfinite(value):
        return "unbounded" if value > 0 else "-unbounded"
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _signed(value: float, decimals: int = 1) -> str:
    text = _num(value, decimals)
    return text if text.startswith("-") or not math.isfinite(value) else "+" + text
