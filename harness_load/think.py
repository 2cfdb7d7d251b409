"""Think times of a simulated buyer: how long a person pauses before each step of the journey.

Pure Python (no Locust import) so the launcher and the planned-rate arithmetic can use it too.
Configured by `HARNESS_LOAD_THINK_S` ("notice=3-8,health=5-15,...", seconds, uniform ranges)
and scaled by `HARNESS_LOAD_THINK_SCALE` (the smoke profile uses a small scale so a 25-second
run still walks many journeys).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

# Seconds a real buyer spends before each step; the application form takes tens of seconds.
DEFAULT_THINK_S: dict[str, tuple[float, float]] = {
    "notice": (3.0, 8.0),        # read the product page, press 立即投保 → entry prompt
    "health": (5.0, 15.0),       # read the 可回溯 prompt, go on to the health questions
    "application": (10.0, 30.0),  # answer the health questions
    "pay": (30.0, 90.0),         # fill the application form, then confirm and pay
    "between": (20.0, 60.0),     # after a purchase, before the next one
    "extra": (3.0, 8.0),         # a screen only some releases add (long-flow: extra-1, extra-2)
}

STEPS_BEFORE = ("notice", "health", "application", "pay")


@dataclass(frozen=True)
class ThinkTimes:
    """Uniform think-time ranges in seconds per step, already scaled."""

    ranges_s: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: dict(DEFAULT_THINK_S))

    def sample_s(self, step: str, rng: random.Random | None = None) -> float:
        low, high = self.ranges_s[step]
        return (rng or random).uniform(low, high)

    def mean_s(self, step: str) -> float:
        low, high = self.ranges_s[step]
        return (low + high) / 2.0

    def to_record(self) -> dict[str, list[float]]:
        return {k: [lo, hi] for k, (lo, hi) in self.ranges_s.items()}

    @classmethod
    def from_env(cls, environ: Mapping[str, str], default_scale: float = 1.0) -> ThinkTimes:
        """Read `HARNESS_LOAD_THINK_S` and `HARNESS_LOAD_THINK_SCALE`; bad values raise
        ValueError naming the variable (the launcher validates before starting Locust)."""
        ranges = dict(DEFAULT_THINK_S)
        spec = environ.get("HARNESS_LOAD_THINK_S", "").strip()
        if spec:
            ranges.update(parse_ranges(spec))
        raw_scale = environ.get("HARNESS_LOAD_THINK_SCALE", "").strip()
        try:
            scale = float(raw_scale) if raw_scale else default_scale
        except ValueError as exc:
            raise ValueError(f"HARNESS_LOAD_THINK_SCALE={raw_scale!r} is not a number") from exc
        if scale < 0:
            raise ValueError(f"HARNESS_LOAD_THINK_SCALE={raw_scale!r} must be >= 0")
        return cls({k: (lo * scale, hi * scale) for k, (lo, hi) in ranges.items()})


def parse_ranges(spec: str) -> dict[str, tuple[float, float]]:
    """Parse "notice=3-8,pay=40" into {"notice": (3, 8), "pay": (40, 40)}."""
    out: dict[str, tuple[float, float]] = {}
    for item in spec.split(","):
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in DEFAULT_THINK_S:
            raise ValueError(f"HARNESS_LOAD_THINK_S: unknown step {name!r}; "
                             f"use {', '.join(DEFAULT_THINK_S)}")
        low, _, high = value.partition("-")
        try:
            lo = float(low)
            hi = float(high) if high else lo
        except ValueError as exc:
            raise ValueError(f"HARNESS_LOAD_THINK_S: {item!r} is not NAME=LOW-HIGH") from exc
        if lo < 0 or hi < lo:
            raise ValueError(f"HARNESS_LOAD_THINK_S: {item!r} needs 0 <= LOW <= HIGH")
        out[name] = (lo, hi)
    return out
