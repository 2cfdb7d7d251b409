"""The simulated buyer: one Locust user walking the JSON purchase journey of docs/contracts.md
(start → notice → health → application → pay), pausing like a person.

Two users walk the same journey (`PurchaseJourney`), differing only in how a request is sent:
`PurchaseJourneyUser` (the harness's default) on the lean one-socket client of
harness_load/lean_http.py, and `FastHttpPurchaseUser` on Locust's FastHttpUser as it ships (the
benchmark's "plain Locust", or `HARNESS_LOAD_CLIENT=fasthttp`).

The user follows the `next` of each answer, so the screens a release adds (the `long-flow`
variant's extra-1 and extra-2) are walked too. Request names are the step names (`1 start` ...
`5 pay`, an added screen `4+ extra-1`) so criteria can name a step; the whole purchase is one
more custom event `purchase` (request type JOURNEY) timed from the first request to the policy
number, think time included, and `purchase waiting` is the sum of that purchase's waits for an
answer (what the buyer felt of the store, think time left out). Every payment attempt is
written to the client-side purchase log for the integrity reconciliation. No thresholds here:
judging is `harness.gates`' job.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gevent
from locust import FastHttpUser, User
from locust.exception import CatchResponseError

from harness_load.applicant import random_application
from harness_load.lean_http import LeanConnection, ProtocolError
from harness_load.profiles import DEFAULT_PRODUCTS
from harness_load.purchases import PurchaseLog
from harness_load.think import ThinkTimes

HEALTH_QUESTIONS = 5
_HOST_TURN = itertools.count()
# request names of the known screens; criteria name them ("the p95 of 4 application")
STEP_NAMES = {"notice": "2 notice", "health": "3 health", "application": "4 application"}
PAY_STEPS = ("confirm", "pay")
DEAD_ENDS = ("declined",)
SAFE_STEP = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MAX_SCREENS = 12


def request_name(step: str) -> str:
    """`4 application`; a screen only some releases have (extra-1) is `4+ extra-1`, so it sorts
    between the application and payment in Locust's tables."""
    return STEP_NAMES.get(step, f"4+ {step}")


class JourneyAborted(Exception):
    """A step did not answer as the contract says; the step's own failure is already reported."""


class PurchaseJourney:
    """One buyer: picks a product by weight, walks the flow, pays once with an idempotency key.
    A mixin: the concrete users below say how one request is sent (`_post`)."""

    # the locustfile sets these from the profile; the defaults are a real person's pace
    think: ThinkTimes = ThinkTimes()
    products: ClassVar[dict[str, float]] = dict(DEFAULT_PRODUCTS)
    health_questions: int = HEALTH_QUESTIONS
    pay_attempts: int = 2
    new_visitor_per_journey: bool = False
    purchase_log: PurchaseLog | None = None
    # several base URLs of one store (127.0.0.x / ports): each user keeps one, round robin, so
    # connections spread over destinations (28,232 ports per address pair; ENVIRONMENT.md)
    hosts: ClassVar[tuple[str, ...]] = ()
    connection_timeout = 10.0
    network_timeout = 30.0
    environment: Any
    host: str | None
    # how one request is sent, given by each concrete user: POST JSON (name, path, payload,
    # ok_codes, fields) and return the parsed answer; anything but an expected status with the
    # expected fields raises JourneyAborted after the request was reported to Locust
    _post: Callable[[str, str, dict[str, Any], tuple[int, ...], tuple[str, ...]],
                    dict[str, Any]]

    def _pick_host(self) -> None:
        if self.hosts:
            self.host = self.hosts[next(_HOST_TURN) % len(self.hosts)]

    def wait_time(self) -> float:
        return self.think.sample_s("between", self._rng)

    def on_start(self) -> None:
        self._rng = random.Random()
        self._waited_s = 0.0
        self.visitor_id = f"load-{uuid.uuid4().hex[:16]}"
        self._journeys = 0

    def purchase(self) -> None:
        if self.new_visitor_per_journey and self._journeys:
            self.visitor_id = f"load-{uuid.uuid4().hex[:16]}"
        self._journeys += 1
        started = time.perf_counter()
        self._waited_s = 0.0
        product = self._rng.choices(list(self.products), weights=list(self.products.values()))[0]
        exception: Exception | None = None
        try:
            self._walk(product)
        except JourneyAborted as exc:
            exception = exc
        fire = self.environment.events.request.fire
        fire(request_type="JOURNEY", name="purchase",
             response_time=(time.perf_counter() - started) * 1000.0, response_length=0,
             exception=exception, context={"product": product})
        # what the buyer felt of the store in one purchase: every wait for an answer, summed
        # (the think time, which dominates `purchase`, left out)
        fire(request_type="JOURNEY", name="purchase waiting",
             response_time=self._waited_s * 1000.0, response_length=0, exception=exception,
             context={"product": product})

    def _walk(self, product: str) -> None:
        """Follow the store's `next` answers from the start to payment, whatever screens it
        puts in between (the long-flow variant adds extra-1 and extra-2): a screen this user
        does not know is a plain POST {} named after it, so the flow is the store's, not ours."""
        body = self._post("1 start", "/api/journeys",
                          {"product": product, "visitor_id": self.visitor_id}, (201, 200),
                          ("journey_id", "next"))
        jid = body["journey_id"]
        quoted_fen: int | None = None
        step = str(body["next"])
        for _ in range(MAX_SCREENS):
            if step in PAY_STEPS:
                break
            if step in DEAD_ENDS or not SAFE_STEP.fullmatch(step):
                raise JourneyAborted(f"the store sent the buyer to {step!r} before payment")
            self._pause(step if step in self.think.ranges_s else "extra")
            need = ("next", "premium_fen") if step == "application" else ("next",)
            body = self._post(request_name(step), f"/api/journeys/{jid}/{step}",
                              self._payload(step), (200,), need)
            if "premium_fen" in body:
                quoted_fen = int(body["premium_fen"])
            step = str(body["next"])
        else:
            raise JourneyAborted(f"no payment after {MAX_SCREENS} screens (last: {step!r})")
        if quoted_fen is None:
            raise JourneyAborted("reached payment without a quoted premium")
        self._pause("pay")
        self._pay(jid, product, quoted_fen)

    def _payload(self, step: str) -> dict[str, Any]:
        if step == "health":
            return {"answers": {f"q{i}": "no" for i in range(1, self.health_questions + 1)}}
        if step == "application":
            return random_application(self._rng)
        return {}

    def _pay(self, jid: str, product: str, quoted_fen: int) -> None:
        """Pay with one idempotency key; a lost answer is retried with the same key, which the
        store must answer with the same policy (the integrity gate checks it)."""
        key = uuid.uuid4().hex
        last: JourneyAborted | None = None
        for attempt in range(1, self.pay_attempts + 1):
            try:
                body = self._post("5 pay", f"/api/journeys/{jid}/pay",
                                  {"idempotency_key": key, "amount_fen": quoted_fen}, (200,),
                                  ("policy_number", "charged_fen"))
            except JourneyAborted as exc:
                last = exc
                continue
            self._log(status="paid", journey_id=jid, idempotency_key=key, product=product,
                      premium_fen=quoted_fen, charged_fen=int(body["charged_fen"]),
                      policy_number=str(body["policy_number"]),
                      payment_id=body.get("payment_id"), attempts=attempt)
            return
        self._log(status="failed", journey_id=jid, idempotency_key=key, product=product,
                  premium_fen=quoted_fen, charged_fen=None, policy_number=None,
                  payment_id=None, attempts=self.pay_attempts, error=str(last))
        raise JourneyAborted(f"pay failed after {self.pay_attempts} attempts: {last}")

    def _log(self, **fields: Any) -> None:
        if self.purchase_log is not None:
            self.purchase_log.record(**fields)

    def _pause(self, step: str) -> None:
        gevent.sleep(self.think.sample_s(step, self._rng))


def check_answer(status: int, body: bytes, ok_codes: tuple[int, ...],
                 fields: tuple[str, ...]) -> tuple[dict[str, Any], str | None]:
    """(parsed body, None) for an expected status with the expected fields, else ({}, what is
    wrong): the one rule both users apply to every answer."""
    if status not in ok_codes:
        return {}, f"HTTP {status}"
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}, "answer is not JSON"
    missing = [f for f in fields if not isinstance(parsed, dict) or f not in parsed]
    if missing:
        return {}, f"answer lacks {', '.join(missing)}"
    return dict(parsed), None


class PurchaseJourneyUser(PurchaseJourney, User):
    """The harness's buyer: one kept connection per user (harness_load/lean_http.py), every
    request reported to Locust's stats like FastHttpUser would."""

    tasks = [PurchaseJourney.purchase]  # noqa: RUF012 (Locust reads the class list)

    def __init__(self, environment: Any) -> None:
        self._pick_host()
        super().__init__(environment)
        self.connection = LeanConnection(str(self.host), self.connection_timeout,
                                         self.network_timeout)

    def on_stop(self) -> None:
        self.connection.close()

    def _post(self, name: str, path: str, payload: dict[str, Any], ok_codes: tuple[int, ...],
              fields: tuple[str, ...]) -> dict[str, Any]:
        data = json.dumps(payload, separators=(",", ":")).encode()
        sent = time.perf_counter()
        try:
            answer = self.connection.post_json(path, data)
        except (OSError, ProtocolError) as exc:  # TimeoutError is an OSError
            self._report(name, time.perf_counter() - sent, 0, exc)
            raise JourneyAborted(f"{name}: {exc!r}") from exc
        body, problem = check_answer(answer.status, answer.body, ok_codes, fields)
        self._report(name, time.perf_counter() - sent, len(answer.body),
                     CatchResponseError(problem) if problem else None)
        if problem:
            raise JourneyAborted(f"{name}: {problem}")
        return body

    def _report(self, name: str, elapsed_s: float, length: int,
                exception: BaseException | None) -> None:
        self._waited_s += elapsed_s
        self.environment.events.request.fire(
            request_type="POST", name=name, response_time=elapsed_s * 1000.0,
            response_length=length, exception=exception, context={})


class FastHttpPurchaseUser(PurchaseJourney, FastHttpUser):
    """The same buyer on Locust's FastHttpUser as it ships."""

    tasks = [PurchaseJourney.purchase]  # noqa: RUF012 (Locust reads the class list)

    def __init__(self, environment: Any) -> None:
        self._pick_host()
        super().__init__(environment)

    def _post(self, name: str, path: str, payload: dict[str, Any], ok_codes: tuple[int, ...],
              fields: tuple[str, ...]) -> dict[str, Any]:
        """A connection-level error (status 0) is left to Locust so the original exception
        (for example EADDRNOTAVAIL) reaches the failure stats and the socket-error classifier."""
        sent = time.perf_counter()
        with self.client.post(path, json=payload, name=name, catch_response=True) as resp:
            self._waited_s += time.perf_counter() - sent
            if not resp.status_code:
                connection_error = resp.error
            else:
                body, problem = check_answer(resp.status_code, resp.content or b"", ok_codes,
                                             fields)
                if problem:
                    resp.failure(problem)
                    raise JourneyAborted(f"{name}: {problem}")
                resp.success()
                return body
        # leaving the block without a verdict lets Locust report the connection error itself
        raise JourneyAborted(f"{name}: {connection_error!r}")


BUYERS: dict[str, type[User]] = {"lean": PurchaseJourneyUser, "fasthttp": FastHttpPurchaseUser}


def purchase_log_for(load_dir: str | None) -> PurchaseLog | None:
    return PurchaseLog(Path(load_dir) / "purchases") if load_dir else None
