"""Release variants: one good store and one deliberately broken store per launch gate.

Each variant names the gate it should fail, so a reader of a NO-GO verdict can tell a real defect
from a demonstration.
"""

from __future__ import annotations

VARIANTS: dict[str, str] = {
    "good": "the reference release: every gate should pass",
    "long-flow": "two extra screens (extra-1, extra-2) before confirm: fails the flow-length gate",
    "notice-below-fold": "a tall phone-only banner pushes the cooling-off notice below the first "
    "screen on phones: fails the first-screen notice gate",
    "notice-covered": "a fixed cookie banner covers the cooling-off notice at every viewport",
    "unclear-errors": "health-declaration errors only as a generic message, not tied to fields",
    "slow": "latency grows with the number of requests in flight (80 ms each, at most 3 s): "
    "fails the capacity gate's latency criteria at the smoke profile",
    "lost-policies": "a simulated race: ~2% of paid journeys get no policy, ~2% get two",
    "preticked-consent": "the application page's consent box is ticked before the buyer acts: "
    "fails the no-preselection rule (features/regulation)",
    "gray-regression": "the gray cohort gets an extra mandatory health question and ~30% of its "
    "payments fail: fails the gray-release comparison",
    "degrade-after": "good for --degrade-after-s seconds (default 180), then a share of payments "
    "fail (--degrade-payment-fail-percent, 20) and of paid purchases get no policy "
    "(--degrade-lost-percent, 5): an escort watch goes CONTINUE -> ROLLBACK",
    "no-service-contact": "no customer-service phone and no online service entry on the sales "
    "pages: fails the service-contact rule (监管办法 art. 13)",
    "missing-disclosures": "no clause code, waiting period, insurer, seller or surrender terms "
    "before payment: fails the key-facts, insurer, seller and surrender-terms rules (监管办法 "
    "art. 14, 15; 销售办法 art. 24, 25, 40)",
    "auto-renew-preticked": "the medical application's automatic-renewal box is ticked, hidden in "
    "a collapsed section: fails the renewal-consent rule (监管办法 art. 21)",
    "catch-all-health-question": "the health declaration asks about 其他未列明的疾病: fails the "
    "catch-all rule (销售办法 art. 27)",
    "uncertainty-small-print": "「保单利益具有不确定性」 of the accident product in small plain "
    "type: fails the uncertainty-statement rule (监管办法 art. 14)",
}

DEFAULT_VARIANT = "good"

# The `slow` variant: each request waits this many ms per request in flight in its worker
# process, at most SLOW_MAX_S. The smoke profile's 50 buyers (about 25 per shop worker, ~0.6 s
# of think time per request) then settle near 25 x 0.08 - 0.6 = 1.4 s per request: every
# step's p95 over its 500/800 ms criterion, with a valid generator (a closed loop: the buyers
# wait, the planned rate allows for it). The cap keeps bigger profiles (the gray phase's
# thousands of visitors) from waiting minutes per request.
SLOW_MS_PER_REQUEST = 80.0
SLOW_MAX_S = 3.0

EXTRA_STEPS: tuple[str, ...] = ("extra-1", "extra-2")


def check_variant(name: str) -> str:
    """Return `name` if it is a known variant, else raise ValueError naming the choices."""
    if name not in VARIANTS:
        choices = ", ".join(VARIANTS)
        raise ValueError(f"unknown demo-shop variant {name!r}; choose one of: {choices}")
    return name
