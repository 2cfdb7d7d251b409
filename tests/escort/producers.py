"""Helpers of the escort producer tests: is Prometheus installed, polling with a deadline, and
one purchase over the demo shop's JSON API on its own connection (so the kernel spreads them
over the shop's workers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest

from harness.errors import ToolError
from harness_watch.prometheus import find_binary
from harness_watch.traffic import ALL_NO, APPLICATION

T = TypeVar("T")


def prometheus_binary() -> str | None:
    try:
        return find_binary()
    except ToolError:
        return None


needs_prometheus = pytest.mark.skipif(
    prometheus_binary() is None,
    reason="Prometheus is not installed (scripts/setup.sh installs Debian's package prometheus)")


def poll(read: Callable[[], T], done: Callable[[T], bool], timeout_s: float,
         every_s: float = 0.25) -> T:
    """read() until done(value) or the deadline; the last value either way."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every_s)
        value = read()
    return value


def buy(url: str, product: str, visitor: str) -> dict[str, Any]:
    """One purchase on a fresh connection; the pay step's answer (status and body)."""
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        start = client.post("/api/journeys", json={"product": product, "visitor_id": visitor})
        assert start.status_code == 201, start.text
        jid = start.json()["journey_id"]
        nxt = client.post(f"/api/journeys/{jid}/notice", json={}).json()["next"]
        if nxt == "health":
            client.post(f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
        quote = client.post(f"/api/journeys/{jid}/application", json=APPLICATION).json()
        body = {"idempotency_key": f"k-{jid}", "amount_fen": quote["premium_fen"]}
        pay = client.post(f"/api/journeys/{jid}/pay", json=body)
        return {"status": pay.status_code, "cohort": start.json()["cohort"], **pay.json()}
