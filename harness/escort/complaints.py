"""The voice of the customer, judged: the complaint ratio, the top categories, and a category
whose complaints jump against the previous windows (raw/escort/complaints.jsonl, one
harness_contract.complaints.ComplaintWindow per check).

Complaint ratio = complaints / policies issued over the same windows (the escort's target:
at most 0.5 %). No policies, or a window whose source failed, is "not enough data" / "no data",
never a ratio of 0.

A jump: for each category in the latest window with at least `min_count` complaints, the
conditional test of two Poisson rates (Przyborowski & Wilenski, Biometrika 31, 1940; the
"C-test" of Gu, Ng, Tang & Schucany, Biometrical Journal 50, 2008): given the K complaints of
that category in the latest window and the previous ones together, the latest window's count k
is Binomial(K, q) under equal rates, q = its exposure / (its exposure + the previous exposure),
and the one-sided p-value is P(X >= k). Exposure is the policies issued in each window when
given (complaints follow sales), else the window's length. A category never seen before works
too (K = k, p = q^k). Screened at every check, a per-check level alpha would cry wolf in
nearly every healthy 72-hour watch (tests/escort/test_complaints.py: 97 % of steady watches
at alpha 0.01), so each p-value is compared with alpha / (looks x categories tested), Bonferroni
over the watch's planned checks (`looks`, 288 = 72 h / 15 min) and the categories: a steady
store then shows a false jump in at most alpha of its watches (measured: about 1 %), and only
a jump several times the usual count is found (1 -> 11 complaints in a window, always).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import binom

from harness_contract.complaints import ComplaintWindow

__all__ = ["LOOKS", "MEASURED", "NOT_ENOUGH", "NO_DATA", "CategoryJump", "ComplaintRatio",
           "JumpScreen", "category_jumps", "complaint_ratio", "jump_p_values", "top_categories"]

MEASURED, NOT_ENOUGH, NO_DATA = "measured", "not enough data", "no data"
LOOKS = 288  # checks of the default watch: 72 h every 15 min


@dataclass(frozen=True)
class ComplaintRatio:
    status: str                  # MEASURED, NOT_ENOUGH (no policies) or NO_DATA (a window failed)
    complaints: int | None
    policies: float | None
    ratio: float | None          # complaints / policies, 0-1
    reason: str


def complaint_ratio(windows: Sequence[ComplaintWindow],
                    policies: float | None) -> ComplaintRatio:
    """Complaints of `windows` (one, or all so far) over the policies issued in them."""
    if not windows:
        return ComplaintRatio(NO_DATA, None, policies, None, "no complaint window yet")
    failed = [w for w in windows if w.error is not None or w.total is None]
    if failed:
        return ComplaintRatio(NO_DATA, None, policies, None,
                              f"complaints of check {failed[0].check} could not be read: "
                              f"{failed[0].error}")
    complaints = sum(w.total or 0 for w in windows)
    if policies is not None and (not math.isfinite(policies) or policies < 0):
        raise ValueError(f"policies issued is {policies!r}, not a count")
    if policies is None or policies == 0:
        return ComplaintRatio(NOT_ENOUGH, complaints, policies, None,
                              f"{complaints} complaints but no policy issued"
                              + (" (no data on policies)" if policies is None else "")
                              + ": the complaint ratio is undefined")
    ratio = complaints / policies
    return ComplaintRatio(MEASURED, complaints, policies, ratio,
                          f"{complaints} complaints per {policies:g} policies issued "
                          f"({ratio:.2%})")


def top_categories(windows: Sequence[ComplaintWindow], n: int = 3) -> list[tuple[str, int]]:
    """The n categories with the most complaints in `windows` (ties by name)."""
    total: Counter[str] = Counter()
    for w in windows:
        total.update(w.counts)
    return sorted(total.items(), key=lambda item: (-item[1], item[0]))[:n]


@dataclass(frozen=True)
class CategoryJump:
    category: str
    count: int               # in the latest window
    previous: int            # in the previous windows together
    expected: float          # the previous rate times the latest window's exposure
    p_value: float           # one-sided, P(X >= count) under equal rates
    jumped: bool             # p_value <= alpha / (looks x tested), and count >= min_count

    def describe(self) -> str:
        return (f"{self.category}: {self.count} complaints in this window against "
                f"{self.expected:.2g} expected from the previous windows ({self.previous}), "
                f"p = {self.p_value:.2g}")


@dataclass(frozen=True)
class JumpScreen:
    status: str                          # MEASURED, NOT_ENOUGH (history) or NO_DATA
    reason: str
    tested: tuple[CategoryJump, ...]     # every category with >= min_count in the window

    @property
    def jumps(self) -> tuple[CategoryJump, ...]:
        return tuple(j for j in self.tested if j.jumped)


def jump_p_values(count: npt.ArrayLike, previous: npt.ArrayLike,
                  share: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """P(X >= count), X ~ Binomial(count + previous, share): the conditional test of two
    Poisson rates, `share` = this window's exposure / all exposure (vectorised)."""
    k = np.asarray(count, dtype=np.float64)
    return np.asarray(binom.sf(k - 1, k + np.asarray(previous, dtype=np.float64), share),
                      dtype=np.float64)


def category_jumps(windows: Sequence[ComplaintWindow],
                   exposures: Sequence[float] | None = None, alpha: float = 0.01,
                   min_count: int = 3, min_history: int = 2, looks: int = LOOKS) -> JumpScreen:
    """Screen the LAST window's categories against the windows before it (module docstring).

    `exposures`: one per window (policies issued), or None for the windows' lengths. `looks`:
    the checks the watch will make (window / interval), for the Bonferroni level. Previous
    windows whose source failed are left out of the baseline; fewer than `min_history` usable
    ones is NOT_ENOUGH."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if isinstance(looks, bool) or not isinstance(looks, int) or looks < 1:
        raise ValueError(f"looks (checks in the watch) must be a whole number >= 1, got "
                         f"{looks!r}")
    if exposures is not None and len(exposures) != len(windows):
        raise ValueError(f"{len(exposures)} exposures for {len(windows)} windows")
    if not windows:
        return JumpScreen(NO_DATA, "no complaint window yet", ())
    last = windows[-1]
    if last.error is not None:
        return JumpScreen(NO_DATA, f"complaints of check {last.check} could not be read: "
                                   f"{last.error}", ())
    sizes = list(exposures) if exposures is not None else [w.end - w.start for w in windows]
    for w, size in zip(windows, sizes, strict=True):
        if not (math.isfinite(size) and size >= 0):
            raise ValueError(f"exposure of check {w.check} is {size!r}, not a count")
    history = [(w, s) for w, s in zip(windows[:-1], sizes[:-1], strict=True)
               if w.error is None]
    previous_exposure = sum(s for _, s in history)
    if len(history) < min_history or previous_exposure <= 0 or sizes[-1] <= 0:
        return JumpScreen(NOT_ENOUGH, f"{len(history)} usable previous windows (at least "
                                      f"{min_history} with exposure are needed)", ())
    q = sizes[-1] / (sizes[-1] + previous_exposure)
    previous: Counter[str] = Counter()
    for w, _ in history:
        previous.update(w.counts)
    candidates = sorted(c for c, k in last.counts.items() if k >= min_count)
    threshold = alpha / (looks * max(1, len(candidates)))
    tested = []
    for category in candidates:
        k, before = last.counts[category], previous[category]
        p = float(jump_p_values(k, before, q))
        tested.append(CategoryJump(category, k, before, before * sizes[-1] / previous_exposure,
                                   p, p <= threshold))
    jumped = [j.category for j in tested if j.jumped]
    reason = (f"jumped: {', '.join(jumped)}" if jumped else
              f"no category jumped ({len(tested)} with >= {min_count} complaints tested)")
    return JumpScreen(MEASURED, reason, tuple(tested))
