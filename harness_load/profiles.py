"""Load profiles (smoke, gray, peak) as plain data: phases, think times and product mix.

Pure Python, no Locust import: the Locust shape (`harness_load.shapes`) follows a Profile tick by
tick, the launcher uses it to bound the run time, and the evidence listener uses it for the
planned users and planned request rate. Every number can be overridden through `HARNESS_LOAD_*`
environment variables, so a feature file or CI job never edits code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from harness_load.think import ThinkTimes


@dataclass(frozen=True)
class Phase:
    """One stretch of the profile; `kind` scopes criteria: warmup, steady, spike, recovery."""

    name: str
    kind: str
    start_s: float
    end_s: float
    users: int
    spawn_rate: float

    def to_record(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "start_s": self.start_s,
                "end_s": self.end_s, "users": self.users, "spawn_rate": self.spawn_rate}


# product code -> requests per purchase (medical has the health declaration)
REQUESTS_PER_PURCHASE = {"medical": 5, "travel": 4, "accident": 4}
DEFAULT_PRODUCTS = {"medical": 5.0, "travel": 3.0, "accident": 2.0}

# profile -> defaults: users, ramp_s, settle_s, hold_s, spike_users, spike_s, recovery_s, think
# scale. settle_s: warm-up at the target count after the ramp, before the steady state; the
# buyers who started last are still in the first, denser minute of their purchase (3-8 s and
# 5-15 s pauses, against 30-90 s later), so the demand is above the steady plan until they
# spread out (see build_phases)
_DEFAULTS: dict[str, dict[str, float]] = {
    "smoke": {"users": 50, "ramp_s": 5, "settle_s": 0, "hold_s": 20, "spike_users": 0,
              "spike_s": 0, "recovery_s": 0, "think_scale": 0.02},
    "gray": {"users": 5000, "ramp_s": 120, "settle_s": 0, "hold_s": 300, "spike_users": 0,
             "spike_s": 0, "recovery_s": 0, "think_scale": 1.0},
    "peak": {"users": 100_000, "ramp_s": 600, "settle_s": 60, "hold_s": 600,
             "spike_users": 120_000, "spike_s": 60, "recovery_s": 300, "think_scale": 1.0},
}
PROFILE_NAMES = tuple(_DEFAULTS)
SPIKE_RAMP_S = 10.0


@dataclass(frozen=True)
class Profile:
    name: str
    phases: tuple[Phase, ...]
    think: ThinkTimes = field(default_factory=ThinkTimes)
    products: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PRODUCTS))
    # screens the store adds before payment (long-flow: 2); only the planned rate uses it, the
    # user follows whatever `next` the store answers
    extra_steps: int = 0

    @property
    def duration_s(self) -> float:
        return self.phases[-1].end_s if self.phases else 0.0

    @property
    def peak_users(self) -> int:
        return max((p.users for p in self.phases), default=0)

    def phase_at(self, t_s: float) -> Phase | None:
        for phase in self.phases:
            if phase.start_s <= t_s < phase.end_s:
                return phase
        return None

    def planned_users_at(self, t_s: float) -> int:
        """Users the plan wants at t_s: linear during a ramp, the target otherwise."""
        phase = self.phase_at(t_s)
        if phase is None:
            return 0
        index = self.phases.index(phase)
        before = self.phases[index - 1].users if index else 0
        if phase.users > before and phase.spawn_rate > 0:
            return min(phase.users, before + int((t_s - phase.start_s) * phase.spawn_rate))
        return phase.users

    @property
    def requests_per_purchase(self) -> float:
        total = sum(self.products.values())
        per_product = sum(w * REQUESTS_PER_PURCHASE[p] for p, w in self.products.items())
        return per_product / total + self.extra_steps

    @property
    def think_per_purchase_s(self) -> float:
        """Mean think time of one purchase cycle; the health pause only for medical."""
        total = sum(self.products.values())
        medical_share = self.products.get("medical", 0.0) / total
        t = self.think
        return (t.mean_s("notice") + medical_share * t.mean_s("health")
                + t.mean_s("application") + t.mean_s("pay") + t.mean_s("between")
                + self.extra_steps * t.mean_s("extra"))

    def planned_rps(self, users: int, avg_response_s: float) -> float:
        """Closed-loop rate: each user makes R requests per (think + R * response time)."""
        r = self.requests_per_purchase
        cycle_s = self.think_per_purchase_s + r * max(avg_response_s, 0.0)
        return users * r / cycle_s if cycle_s > 0 else 0.0

    def to_record(self) -> dict[str, object]:
        return {"profile": self.name, "duration_s": self.duration_s,
                "peak_users": self.peak_users,
                "phases": [p.to_record() for p in self.phases],
                "think_s": self.think.to_record(), "products": dict(self.products),
                "requests_per_purchase": self.requests_per_purchase,
                "think_per_purchase_s": self.think_per_purchase_s}


def profile_from_env(name: str, environ: Mapping[str, str]) -> Profile:
    """Build the named profile; `HARNESS_LOAD_USERS`, `_RAMP_S`, `_SETTLE_S`, `_HOLD_S`,
    `_SPIKE_USERS`,
    `_SPIKE_S`, `_RECOVERY_S`, `_PRODUCTS`, `_THINK_S`, `_THINK_SCALE`, `_EXTRA_STEPS`,
    `_STAIRS` override defaults."""
    if name not in _DEFAULTS:
        raise ValueError(f"unknown load profile {name!r}; use one of {', '.join(_DEFAULTS)}")
    values = {k: float(v) for k, v in _DEFAULTS[name].items()}
    for key in ("users", "ramp_s", "settle_s", "hold_s", "spike_users", "spike_s",
                "recovery_s"):
        var = f"HARNESS_LOAD_{key.upper()}"
        raw = environ.get(var, "").strip()
        if raw:
            try:
                values[key] = float(raw)
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r} is not a number") from exc
            if values[key] < 0:
                raise ValueError(f"{var}={raw!r} must be >= 0")
    if values["users"] < 1:
        raise ValueError("HARNESS_LOAD_USERS must be at least 1")
    think = ThinkTimes.from_env(environ, default_scale=values["think_scale"])
    products = parse_products(environ.get("HARNESS_LOAD_PRODUCTS", ""))
    raw_extra = environ.get("HARNESS_LOAD_EXTRA_STEPS", "0").strip() or "0"
    if not raw_extra.isdigit():
        raise ValueError(f"HARNESS_LOAD_EXTRA_STEPS={raw_extra!r} is not a whole number")
    stairs = parse_stairs(environ.get("HARNESS_LOAD_STAIRS", ""))
    return Profile(name, build_phases(values, stairs), think, products, int(raw_extra))


def build_phases(v: Mapping[str, float],
                 stairs: tuple[int, ...] = ()) -> tuple[Phase, ...]:
    """Ramp-up, settle and steady phase, then spike and recovery; with `stairs` (users per
    stair, rising) one ramp, settle and steady phase per stair (steady-1, steady-2 ...), so one
    run shows the largest load the generator holds validly, each stair judged on its own.
    Ramp and settle are warm-up: the steady state starts `settle_s` after the target count is
    reached, when the last buyers to start have left the quick first steps of a purchase."""
    users = int(v["users"])
    ramp_s, hold_s, settle_s = v["ramp_s"], v["hold_s"], v.get("settle_s", 0.0)
    phases: list[Phase] = []
    before, end = 0, 0.0
    for index, level in enumerate(stairs or (users,), start=1):
        suffix = f"-{index}" if stairs else ""
        rate = (level - before) / ramp_s if ramp_s > 0 else float(level)
        phases.append(Phase(f"ramp-up{suffix}", "warmup", end, end + ramp_s, level, rate))
        end += ramp_s
        phases.append(Phase(f"settle{suffix}", "warmup", end, end + settle_s, level,
                            float(level)))
        end += settle_s
        phases.append(Phase(f"steady{suffix}", "steady", end, end + hold_s, level, float(level)))
        before, end = level, end + hold_s
    users = before
    spike_users, spike_s = int(v["spike_users"]), v["spike_s"]
    if spike_users > users and spike_s > 0:
        rate = (spike_users - users) / min(SPIKE_RAMP_S, spike_s)
        phases.append(Phase("spike", "spike", end, end + spike_s, spike_users, rate))
        end += spike_s
        if v["recovery_s"] > 0:
            phases.append(Phase("recovery", "recovery", end, end + v["recovery_s"], users,
                                float(spike_users)))
    return tuple(p for p in phases if p.end_s > p.start_s)


def parse_stairs(spec: str) -> tuple[int, ...]:
    """"30000,60000,100000" -> rising user counts; empty -> () (one level: HARNESS_LOAD_USERS)."""
    if not spec.strip():
        return ()
    try:
        stairs = tuple(int(x) for x in spec.split(","))
    except ValueError as exc:
        raise ValueError(f"HARNESS_LOAD_STAIRS={spec!r} is not a list of whole numbers") from exc
    if any(b <= a for a, b in zip((0, *stairs), stairs, strict=False)):
        raise ValueError(f"HARNESS_LOAD_STAIRS={spec!r} must rise from more than 0")
    return stairs


def parse_products(spec: str) -> dict[str, float]:
    """"medical=5,travel=3" -> weights; empty -> the default mix."""
    if not spec.strip():
        return dict(DEFAULT_PRODUCTS)
    out: dict[str, float] = {}
    for item in spec.split(","):
        code, _, weight = item.partition("=")
        code = code.strip()
        if code not in REQUESTS_PER_PURCHASE:
            raise ValueError(f"HARNESS_LOAD_PRODUCTS: unknown product {code!r}; "
                             f"use {', '.join(REQUESTS_PER_PURCHASE)}")
        try:
            out[code] = float(weight) if weight.strip() else 1.0
        except ValueError as exc:
            raise ValueError(f"HARNESS_LOAD_PRODUCTS: {item!r} is not CODE=WEIGHT") from exc
    if sum(out.values()) <= 0:
        raise ValueError("HARNESS_LOAD_PRODUCTS: weights must add up to more than 0")
    return out
