"""What a user's own locustfile may use from the harness: one call per completed purchase, and
the profile's think times.

    from locust import HttpUser, task
    from harness_load.api import record_purchase, think, think_time

    class Buyer(HttpUser):
        wait_time = think_time()            # optional: the profile's pause between purchases

        @task
        def buy(self) -> None:
            quote = self.client.post("/v1/quotes", json={...}, name="quote").json()
            think("pay")                     # optional: a pause inside the task
            order = self.client.post("/v1/orders", json={...}, name="order").json()
            record_purchase(order["id"], order["policyNo"], order["premiumFen"])

`record_purchase` appends one line to this process's purchase log
(`raw/load/purchases/<host>-<pid>.jsonl`; the launcher merges them into `purchases.jsonl`, which
the integrity gate reconciles with the store's records). It never yields to another greenlet
while writing, so concurrent users of one worker never interleave lines; each worker process
(and each `--processes` child) has its own file. Without any call, integrity is INCONCLUSIVE.

Think times come from the profile (`HARNESS_LOAD_THINK_S`, `HARNESS_LOAD_THINK_SCALE`): smoke
scales them by 0.02, so a 25-second run still makes many purchases. A user class without its own
`wait_time` gets `think_time()` from the harness. The pauses are counted (cycles and seconds)
so the generator-validity gate can plan the closed-loop request rate of *your* user: pause with
`think()` or `wait_time`, not `time.sleep` or `gevent.sleep`, or the plan expects more requests
than your user makes and the run is INCONCLUSIVE.

Importing this module imports neither Locust nor gevent.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from harness_contract.fields import MAX_FEN
from harness_contract.purchases import PurchaseLine
from harness_load.profiles import profile_from_env
from harness_load.purchases import PurchaseLog
from harness_load.think import DEFAULT_THINK_S, ThinkTimes

__all__ = ["record_purchase", "think", "think_time"]

# fields record_purchase writes itself; **extra may not replace them
RESERVED = ("status", "journey_id", "order_id", "policy_number", "premium_fen", "ts", "source")
DEFAULT_LOAD_DIR = "reports/adhoc/raw/load"

_lock = threading.Lock()
_logs: dict[int, PurchaseLog] = {}


def record_purchase(order_id: str | int, policy_number: str, premium_fen: int,
                    **extra: Any) -> None:
    """Record one completed purchase as the buyer saw it: the store's order id, the policy
    number it returned and the premium charged in fen (分: 1 yuan = 100 fen, an int).

    Optional keywords: `charged_fen` (when the amount charged differs from the premium quoted:
    the gate's "charged not quoted" defect; default premium_fen), `idempotency_key` (default
    the order id), anything else JSON can hold (product, channel ...) is kept in the line.
    Wrong types raise TypeError/ValueError in your task (Locust lists them under exceptions)."""
    order = _text("order_id", order_id)
    policy = _text("policy_number", policy_number)
    premium = _fen("premium_fen", premium_fen)
    clash = sorted(set(extra) & set(RESERVED))
    if clash:
        raise ValueError(f"record_purchase: {clash[0]!r} is set by record_purchase itself; "
                         "pass it as a positional argument or rename it")
    charged = _fen("charged_fen", extra.pop("charged_fen", premium), low=0)
    key = _text("idempotency_key", extra.pop("idempotency_key", order))
    # the evidence contract checks the line as the judge will read it (JSON-able extras ...)
    PurchaseLine("paid", order, key, premium, charged, policy,
                 {"order_id": order, "source": "record_purchase", **extra}).to_json()
    line = {"status": "paid", "journey_id": order, "order_id": order,
            "idempotency_key": key, "policy_number": policy, "premium_fen": premium,
            "charged_fen": charged, "source": "record_purchase", **extra}
    with _lock:
        _log().record(**line)


def think_time(step: str = "between") -> Callable[[Any], float]:
    """A Locust `wait_time` drawing from the profile's `step` range (default `between`: the
    pause after a purchase, before the next): `wait_time = think_time()`."""
    _check_step(step)

    def wait_time(_user: Any = None) -> float:
        return _think_times().sample_s(step)

    wait_time.harness_step = step  # type: ignore[attr-defined]
    return wait_time


def think(step: str) -> float:
    """Pause this user for the profile's `step` think time (notice, health, application, pay,
    between, extra) inside a task; returns the seconds slept. Counted for the planned rate."""
    _check_step(step)
    seconds = _think_times().sample_s(step)
    note_think(seconds)
    import gevent  # only inside a Locust process, where gevent runs the users

    gevent.sleep(seconds)
    return seconds


# --- what the harness part (harness_load/harness_part.py) and the health sampler use ---------

_cycles = 0
_think_s = 0.0


def note_wait(seconds: float) -> None:
    """One task cycle ended with a wait_time pause of `seconds` (the harness wraps wait_time)."""
    global _cycles, _think_s
    _cycles += 1
    _think_s += max(0.0, float(seconds))


def note_think(seconds: float) -> None:
    global _think_s
    _think_s += max(0.0, float(seconds))


def cycle_totals() -> tuple[int, float]:
    """(task cycles ended, think seconds asked for) in this process since it started."""
    return _cycles, _think_s


def close_purchase_log() -> None:
    with _lock:
        log = _logs.pop(os.getpid(), None)
    if log is not None:
        log.close()


def _log() -> PurchaseLog:
    """This process's log (a forked `--processes` child gets its own file, not its parent's)."""
    pid = os.getpid()
    log = _logs.get(pid)
    if log is None:
        from pathlib import Path

        load_dir = os.environ.get("HARNESS_LOAD_DIR") or DEFAULT_LOAD_DIR
        log = _logs[pid] = PurchaseLog(Path(load_dir) / "purchases")
    return log


@cache
def _think_times() -> ThinkTimes:
    return profile_from_env(os.environ.get("HARNESS_LOAD_PROFILE", "smoke"), os.environ).think


def _check_step(step: str) -> None:
    if step not in DEFAULT_THINK_S:
        raise ValueError(f"unknown think step {step!r}; use one of {', '.join(DEFAULT_THINK_S)}")


def _text(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise TypeError(f"record_purchase: {name} must be a non-empty string (or an int id), "
                        f"got {value!r}")
    return str(value)


def _fen(name: str, value: object, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"record_purchase: {name} must be an int number of fen (1 yuan = 100 "
                        f"fen; convert with round(yuan * 100)), got {value!r}")
    if not low <= value <= MAX_FEN:
        raise ValueError(f"record_purchase: {name} must be from {low} to {MAX_FEN:,} fen, "
                         f"got {value}")
    return value

