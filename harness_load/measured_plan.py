"""The closed-loop plan of a user's own Locust class, measured while it runs.

The demo buyer's plan is known in advance (requests and think seconds per purchase, from the
profile). A user's class is not: its task may make one request or ten, and pause inside it. So
each worker counts, besides its HTTP requests, its task cycles (one per `wait_time` call, which
harness_load/harness_part.py counts) and the think seconds its users asked for (`wait_time` and
`harness_load.api.think`); the master turns the counts of the judged phases (steady, spike,
recovery; the first 3 s of each left out, as the gate does) into

    requests per cycle R = requests / cycles,   think per cycle T = think seconds / cycles

and plans users * R / (T + R * response time), the same closed-loop rate as the demo buyer's.
What the plan leaves out is what makes a generator late: a worker whose sleeps wake late, or
whose users burn CPU, makes fewer requests than its users asked for, and the gate says so.
Before any judged sample (the ramp) the whole run so far is used. No cycle counted: R = T = 0,
which the gate cannot plan with (INCONCLUSIVE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness_load.profiles import Profile

JUDGED_KINDS = ("steady", "spike", "recovery")
SETTLE_S = 3.0


class MeasuredPlan:
    """Per-node counters as the master received them, reduced to (R, T) on demand."""

    def __init__(self, profile: Profile) -> None:
        self.windows = [(p.start_s + SETTLE_S, p.end_s) for p in profile.phases
                        if p.kind in JUDGED_KINDS]
        self.points: dict[str, list[tuple[float, int, int, float]]] = {}

    def add(self, node_id: str, t_s: float, sample: Mapping[str, Any]) -> None:
        try:
            point = (t_s, int(sample["requests_total"]), int(sample["cycles_total"]),
                     float(sample["think_s_total"]))
        except (KeyError, TypeError, ValueError):
            return
        self.points.setdefault(node_id, []).append(point)

    def per_cycle(self) -> tuple[float, float, int]:
        """(requests per cycle, think seconds per cycle, cycles measured)."""
        judged = {n: [p for p in pts if self._judged(p[0])] for n, pts in self.points.items()}
        if not any(len(pts) >= 2 for pts in judged.values()):
            judged = self.points
        requests = cycles = 0
        think_s = 0.0
        for pts in judged.values():
            if len(pts) >= 2:
                first, last = pts[0], pts[-1]
                requests += last[1] - first[1]
                cycles += last[2] - first[2]
                think_s += last[3] - first[3]
        if cycles <= 0:
            return 0.0, 0.0, 0
        return requests / cycles, think_s / cycles, cycles

    def planned_rps(self, users: int, avg_response_s: float) -> float:
        r, t, _ = self.per_cycle()
        cycle_s = t + r * max(avg_response_s, 0.0)
        return users * r / cycle_s if cycle_s > 0 else 0.0

    def to_record(self) -> dict[str, Any]:
        """The phases.json fields the gate's planned rate reads, replacing the demo buyer's."""
        r, t, cycles = self.per_cycle()
        return {"plan": "measured", "requests_per_purchase": round(r, 6),
                "think_per_purchase_s": round(t, 6), "cycles_measured": cycles,
                "products": {}}

    def _judged(self, t_s: float) -> bool:
        return any(lo <= t_s <= hi for lo, hi in self.windows)
