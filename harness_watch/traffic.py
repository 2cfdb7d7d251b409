"""Steady purchase traffic for the escort demo and its tests: a few purchases a second over the
demo shop's JSON API, some complaints, stopping by itself after a set duration.

Bounded and loopback only: the target must resolve to 127.0.0.0/8 or ::1 (no override: this is
demo traffic, not a load test), the rate is at most MAX_RATE purchases/s, at most `max_in_flight`
purchases run at once (a purchase that would exceed it is skipped and counted, never queued),
and the run ends after `duration_s` (at most MAX_DURATION_S) or on `stop()`.

Each purchase is a fresh visitor (a random id): the shop puts its share of them in the gray
cohort, and the report counts purchases by the cohort the shop answered. Medical purchases
answer the health declaration (`health_error_percent` of them first send an incomplete one,
which the shop refuses as a health-declaration error); `complaint_percent` of paid purchases
file a complaint about their policy.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from harness.errors import ConfigError
from harness_contract.loopback import NotLoopback, check_local_target
from harness_demo_shop.idcard import make_id_number

MAX_RATE = 200.0
MAX_DURATION_S = 4 * 86_400.0
PRODUCTS = ("travel", "medical", "accident")
CATEGORIES = ("claims", "payment", "policy", "premium", "service")
ALL_NO = {"q1": "no", "q2": "no", "q3": "no", "q4": "no"}
# a valid mainland ID number (the demo shop checks the check digit) of an adult
ADULT_ID = make_id_number(date(1990, 5, 17))
APPLICATION = {"applicant_name": "张三", "insured_name": "李四", "id_number": ADULT_ID,
               "phone": "13800138000", "consent": True}


@dataclass(frozen=True)
class TrafficPlan:
    url: str
    rate_per_s: float = 2.0
    duration_s: float = 60.0
    complaint_percent: float = 0.2
    health_error_percent: float = 1.0
    max_in_flight: int = 32
    timeout_s: float = 10.0
    seed: int = 0

    def check(self) -> None:
        try:
            check_local_target(self.url, allow_non_local=False)
        except NotLoopback as exc:
            reason = str(exc).split(": load is only sent", 1)[0]
            raise ConfigError(f"demo traffic goes to loopback only (127.0.0.0/8, ::1), with no "
                              f"override: {reason}") from None
        if not 0 < self.rate_per_s <= MAX_RATE:
            raise ConfigError(f"traffic rate must be within (0, {MAX_RATE:g}] purchases/s, "
                              f"got {self.rate_per_s}")
        if not 0 < self.duration_s <= MAX_DURATION_S:
            raise ConfigError(f"traffic duration must be within (0, {MAX_DURATION_S:g}] s, "
                              f"got {self.duration_s}")
        for name in ("complaint_percent", "health_error_percent"):
            if not 0 <= getattr(self, name) <= 100:
                raise ConfigError(f"{name} must be within 0..100, got {getattr(self, name)}")
        if not 1 <= self.max_in_flight <= 1000:
            raise ConfigError(f"max_in_flight must be within 1..1000, got {self.max_in_flight}")


@dataclass
class TrafficReport:
    """What was sent and what came back, counted as it happened."""

    started: int = 0
    paid: int = 0
    payment_failures: int = 0    # the pay step answered 5xx (the channel refused)
    other_failures: int = 0      # any other step answered non-2xx, or the request failed
    complaints: int = 0
    health_errors: int = 0       # incomplete declarations sent on purpose (and refused)
    skipped: int = 0             # not started: max_in_flight purchases were running
    requests: int = 0
    status: Counter[int] = field(default_factory=Counter)  # 0: no answer (connection error)
    by_cohort: Counter[str] = field(default_factory=Counter)   # purchases started
    paid_by_cohort: Counter[str] = field(default_factory=Counter)
    policies: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"started": self.started, "paid": self.paid,
                "payment_failures": self.payment_failures,
                "other_failures": self.other_failures, "complaints": self.complaints,
                "health_errors": self.health_errors, "skipped": self.skipped,
                "requests": self.requests, "status": dict(self.status),
                "by_cohort": dict(self.by_cohort), "paid_by_cohort": dict(self.paid_by_cohort)}


class _Failed(Exception):
    """A step did not answer 2xx; the purchase ends there."""


class _Buyer:
    def __init__(self, client: httpx.AsyncClient, plan: TrafficPlan, report: TrafficReport,
                 rng: random.Random) -> None:
        self.client, self.plan, self.report, self.rng = client, plan, report, rng

    async def post(self, path: str, body: dict[str, Any], step: str = "") -> dict[str, Any]:
        self.report.requests += 1
        try:
            response = await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            self.report.status[0] += 1
            raise _Failed from exc
        self.report.status[response.status_code] += 1
        if response.status_code >= 300:
            if step == "pay" and response.status_code >= 500:
                self.report.payment_failures += 1
                raise _Failed
            if step == "health" and response.status_code == 422:
                return {"next": "health"}
            raise _Failed
        answer: dict[str, Any] = response.json()
        return answer

    async def purchase(self, number: int) -> None:
        product = PRODUCTS[number % len(PRODUCTS)]
        visitor = f"escort-{self.plan.seed}-{number}-{self.rng.getrandbits(32):08x}"
        try:
            start = await self.post("/api/journeys", {"product": product, "visitor_id": visitor})
            jid, cohort = start["journey_id"], start["cohort"]
            self.report.by_cohort[cohort] += 1
            nxt = (await self.post(f"/api/journeys/{jid}/notice", {}))["next"]
            if nxt == "health":
                nxt = await self._declare(jid)
            quote = await self.post(f"/api/journeys/{jid}/application", APPLICATION)
            pay = {"idempotency_key": f"k-{jid}", "amount_fen": quote["premium_fen"]}
            receipt = await self.post(f"/api/journeys/{jid}/pay", pay, "pay")
        except _Failed:
            return
        except (KeyError, TypeError, ValueError):
            self.report.other_failures += 1
            return
        self.report.paid += 1
        self.report.paid_by_cohort[cohort] += 1
        if receipt.get("policy_number"):
            self.report.policies.append(receipt["policy_number"])
        if self.rng.random() * 100 < self.plan.complaint_percent:
            await self._complain(receipt.get("policy_number") or jid, visitor)

    async def _declare(self, jid: str) -> str:
        if self.rng.random() * 100 < self.plan.health_error_percent:
            self.report.health_errors += 1
            await self.post(f"/api/journeys/{jid}/health", {"answers": {"q1": "no"}}, "health")
        answer = await self.post(f"/api/journeys/{jid}/health", {"answers": ALL_NO}, "health")
        return str(answer["next"])

    async def _complain(self, reference: str, visitor: str) -> None:
        body = {"category": self.rng.choice(CATEGORIES), "policy_id": reference,
                "text": "演示投诉：理赔进度查询不到", "visitor_id": visitor}
        try:
            await self.post("/api/complaints", body)
            self.report.complaints += 1
        except _Failed:
            return


async def _drive(plan: TrafficPlan, stop: threading.Event, report: TrafficReport) -> None:
    rng = random.Random(plan.seed)
    limits = httpx.Limits(max_connections=plan.max_in_flight)
    async with httpx.AsyncClient(base_url=plan.url, trust_env=False, timeout=plan.timeout_s,
                                 limits=limits) as client:
        buyer = _Buyer(client, plan, report, rng)
        loop = asyncio.get_running_loop()
        begin = loop.time()
        deadline = begin + plan.duration_s
        running: set[asyncio.Task[None]] = set()
        number = 0
        while not stop.is_set():
            now = loop.time()
            due = begin + number / plan.rate_per_s
            if due >= deadline:
                break
            if due > now:
                await asyncio.sleep(min(due - now, 0.2))
                continue
            number += 1
            if len(running) >= plan.max_in_flight:
                report.skipped += 1
                continue
            report.started += 1
            task = asyncio.create_task(buyer.purchase(number))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:  # let purchases under way finish, within one request timeout
            _done, pending = await asyncio.wait(running, timeout=plan.timeout_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def run_traffic(plan: TrafficPlan, stop: threading.Event | None = None) -> TrafficReport:
    """Send `plan`'s traffic now, in this thread; return when it is over."""
    plan.check()
    report = TrafficReport()
    asyncio.run(_drive(plan, stop or threading.Event(), report))
    return report


class TrafficThread:
    """`run_traffic` in a background thread: `stop()`, `join()` -> the report."""

    def __init__(self, plan: TrafficPlan) -> None:
        plan.check()
        self.plan = plan
        self.report = TrafficReport()
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="escort-traffic", daemon=True)
        self.started_at = time.time()
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(_drive(self.plan, self._stop, self.report))
        except BaseException as exc:  # reported by join(), never lost in the thread
            self.error = exc

    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float | None = None) -> TrafficReport:
        self._thread.join(timeout_s)
        if self.error is not None:
            raise RuntimeError(f"demo traffic failed: {self.error!r}") from self.error
        return self.report

    def __enter__(self) -> TrafficThread:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self.join(self.plan.timeout_s + 5)


def start_traffic(url: str, rate_per_s: float, duration_s: float, **options: Any
                  ) -> TrafficThread:
    """Start demo traffic to `url` in the background (see TrafficPlan for the options)."""
    return TrafficThread(TrafficPlan(url=url, rate_per_s=rate_per_s, duration_s=duration_s,
                                     **options))
