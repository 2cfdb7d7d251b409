"""The harness's part of a run of the user's own locustfile: the launcher passes Locust both
files (`-f harness_load/harness_part.py,/project/loadtests/locustfile.py`), so the user's
classes run under this module's shape (the profile's phases), its generator-health listener and
its think times, with no harness code in the user's file beyond `harness_load.api`.

Holds no user class (Locust takes those from the user's file, `LoadRequest.user_classes`
chooses among them). On every process at `init`:

* each chosen user class without its own `wait_time` gets `harness_load.api.think_time()`
  (the profile's pause between purchases);
* every chosen class's `wait_time` is counted (task cycles and think seconds per worker), so
  the generator-validity gate plans the closed-loop rate of this user, not of the demo buyer;
* the evidence listeners of harness_load/evidence.py are installed with that measured plan.

Configured only through `HARNESS_LOAD_*` variables (see harness_load/locustfile.py).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import User, events

from harness_load import api, evidence, keepalive
from harness_load.profiles import profile_from_env
from harness_load.rlimit import raise_nofile_limit
from harness_load.shapes import shape_for

if os.environ.get("HARNESS_LOAD_KEEPALIVE_FIX", "1") != "0":
    keepalive.apply()
raise_nofile_limit()

PROFILE = profile_from_env(os.environ.get("HARNESS_LOAD_PROFILE", "smoke"), os.environ)
LOAD_DIR = Path(os.environ.get("HARNESS_LOAD_DIR", api.DEFAULT_LOAD_DIR))

# the one shape class Locust finds among this module's globals
HarnessProfileShape = shape_for(PROFILE)

__all__ = ["HarnessProfileShape", "count_waits"]


@events.init.add_listener
def _install(environment: Any, **_: Any) -> None:
    for user_class in environment.user_classes:
        count_waits(user_class)
    evidence.install(environment, PROFILE, LOAD_DIR,
                     interval_s=float(os.environ.get("HARNESS_LOAD_SAMPLE_S", "2")),
                     workers_expected=int(os.environ.get("HARNESS_LOAD_WORKERS", "0")),
                     measure_plan=True)


@events.quitting.add_listener
def _close_purchase_log(**_: Any) -> None:
    api.close_purchase_log()


def count_waits(user_class: type[User]) -> None:
    """Give a class without its own wait_time the profile's think time, and count every
    wait (one per task cycle) in harness_load.api's per-process totals. Idempotent."""
    raw = inspect.getattr_static(user_class, "wait_time")
    if getattr(raw, "harness_counted", False):
        return
    if raw is inspect.getattr_static(User, "wait_time"):
        raw = api.think_time()
    original: Callable[[Any], float]
    if isinstance(raw, staticmethod):
        static = raw.__func__
        original = lambda _user: static()  # noqa: E731
    else:
        original = raw

    def wait_time(user: Any) -> float:
        seconds = float(original(user))
        api.note_wait(seconds)
        return seconds

    wait_time.harness_counted = True  # type: ignore[attr-defined]
    user_class.wait_time = wait_time
