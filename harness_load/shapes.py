"""Locust LoadTestShape that follows a `harness_load.profiles.Profile` phase by phase.

The locustfile builds exactly one shape class for the chosen profile (`shape_for`); Locust finds
it among the locustfile's globals. The plan itself (phases, planned users) lives in profiles.py
so the judge side and the launcher can read it without importing Locust.
"""

from __future__ import annotations

from locust import LoadTestShape

from harness_load.profiles import Profile


class ProfileShape(LoadTestShape):
    """Users and spawn rate of the current phase; None after the last phase ends the test."""

    abstract = True
    profile: Profile

    def tick(self) -> tuple[int, float] | None:
        phase = self.profile.phase_at(self.get_run_time())
        if phase is None:
            return None
        return phase.users, phase.spawn_rate


def shape_for(profile: Profile) -> type[ProfileShape]:
    """A concrete shape class for `profile` (named after it, e.g. SmokeShape)."""
    name = f"{profile.name.title()}Shape"
    return type(name, (ProfileShape,), {"profile": profile, "abstract": False})
