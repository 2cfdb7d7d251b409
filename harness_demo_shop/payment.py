"""Simulated payment and policy issue, idempotent by key, plus the bugs of two variants.

Idempotency: the same key always gets the same answer and never a second payment (the UNIQUE
constraint on `payments.idempotency_key` backs the check); paying a journey that is already paid
answers with its first payment. The charged amount is the server's quote, never the client's.

Deliberate defects (selected by a stable hash of the journey id, so they reproduce):
- lost-policies: ~2% of payments issue no policy (the buyer is still told a number), ~2% are
  recorded twice under a derived key and get two policies: a simulated race in policy issue.
- gray-regression: ~30% of gray-cohort journeys fail at payment with a channel error (502).
- degrade-after: good until `degrade_after_s` after the shop started; then a share of payments
  fail with a channel error (502) and a share of paid purchases get no policy, as lost-policies.

Every new charge is counted in the shop's metrics (success, its quote and amount, the policies
it issued); a replay answers from the first payment and counts nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from harness_demo_shop.cohort import GRAY, bucket_of
from harness_demo_shop.errors import Conflict, Invalid, NotFound, PaymentFailed
from harness_demo_shop.journey import JourneyService, event_row, now_ms
from harness_demo_shop.storage import DuplicatePayment, StaleJourney

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
LOST_PERCENT = 2
DUPLICATED_PERCENT = 2
GRAY_PAYMENT_FAILURE_PERCENT = 30


@dataclass(frozen=True)
class Receipt:
    payment_id: str
    policy_number: str | None
    charged_fen: int
    journey_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "policy_number": self.policy_number,
            "charged_fen": self.charged_fen,
            "journey_id": self.journey_id,
        }


def _receipt(payment: Mapping[str, Any]) -> Receipt:
    return Receipt(
        payment["payment_id"], payment["policy_number"], payment["charged_fen"],
        payment["journey_id"],
    )


def new_policy_number(ts_ms: int) -> str:
    day = datetime.fromtimestamp(ts_ms / 1000, UTC).strftime("%Y%m%d")
    return f"P{day}{secrets.randbelow(10**12):012d}"


class PaymentService:
    def __init__(self, journeys: JourneyService) -> None:
        self.journeys = journeys
        self.store = journeys.store
        self.variant = journeys.settings.variant
        self.settings = journeys.settings
        self.metrics = journeys.metrics

    async def pay(self, journey_id: str, idempotency_key: object, amount_fen: object) -> Receipt:
        """Charge the quoted premium once and issue the policy; replays answer the same."""
        if not isinstance(idempotency_key, str) or not _KEY.match(idempotency_key):
            raise Invalid({"idempotency_key": "idempotency_key 须为8至64位字母、数字或 _.:-"})
        journey = self.journeys.load(journey_id)
        earlier = self.store.find_payment(idempotency_key)
        if earlier is not None:
            if earlier["journey_id"] != journey_id:
                raise Conflict("该幂等键已用于另一笔订单", "idempotency_key")
            return _receipt(earlier)
        if journey["status"] == "paid":
            first = self.store.first_payment_of(journey_id)
            if first is None:  # cannot happen: paid is set in the payment's transaction
                raise NotFound("没有找到该订单的支付记录", "journey_id")
            return _receipt(first)
        self.journeys.require_step(journey, "confirm")
        premium = journey["premium_fen"]
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
            raise Invalid({"amount_fen": "amount_fen 须为整数（分）"})
        if amount_fen != premium:
            raise Invalid({"amount_fen": f"支付金额与报价不符：应付{premium}分"})
        await self._fail_gray_regression(journey)
        await self._fail_degraded(journey)
        return await self._charge(journey, idempotency_key, premium)

    async def _fail_gray_regression(self, journey: Mapping[str, Any]) -> None:
        if self.variant != "gray-regression" or journey["cohort"] != GRAY:
            return
        if bucket_of("pay:" + journey["journey_id"], 100) < GRAY_PAYMENT_FAILURE_PERCENT:
            await self._fail(journey)

    async def _fail_degraded(self, journey: Mapping[str, Any]) -> None:
        share = self.settings.degrade_payment_fail_percent
        if self.settings.degraded() and \
                bucket_of("degrade-pay:" + journey["journey_id"], 10_000) < share * 100:
            await self._fail(journey)

    async def _fail(self, journey: Mapping[str, Any]) -> None:
        """The payment channel refuses: a server_error event, a failed payment, a 502."""
        self.metrics.payment(journey["product"], journey["cohort"], "failed")
        await self.store.add_events([event_row(journey, "server_error", now_ms())])
        raise PaymentFailed("支付渠道繁忙，支付未成功，请稍后再试", "payment")

    def _defect(self, journey_id: str) -> str | None:
        if self.settings.degraded():
            share = self.settings.degrade_lost_percent
            return "lost" if bucket_of("degrade-policy:" + journey_id, 10_000) < share * 100 \
                else None
        if self.variant != "lost-policies":
            return None
        bucket = bucket_of("policy:" + journey_id, 100)
        if bucket < LOST_PERCENT:
            return "lost"
        return "duplicated" if bucket < LOST_PERCENT + DUPLICATED_PERCENT else None

    async def _charge(self, journey: Mapping[str, Any], key: str, premium: int) -> Receipt:
        ts = now_ms()
        jid = journey["journey_id"]
        policy_number = new_policy_number(ts)
        payment = {
            "payment_id": "pay" + secrets.token_hex(8),
            "journey_id": jid,
            "idempotency_key": key,
            "amount_fen": premium,
            "charged_fen": premium,
            "policy_number": policy_number,
            "created_ms": ts,
        }
        payment_rows, policy_rows = [payment], [self._policy(journey, payment, policy_number)]
        events = [
            event_row(journey, "payment", ts, premium),
            event_row(journey, "policy_issued", ts, premium),
        ]
        defect = self._defect(jid)
        if defect == "lost":
            policy_rows, events = [], events[:1]
        elif defect == "duplicated":
            twin = payment | {"payment_id": "pay" + secrets.token_hex(8)}
            twin |= {"idempotency_key": key + "#retry", "policy_number": new_policy_number(ts)}
            payment_rows.append(twin)
            policy_rows.append(self._policy(journey, twin, twin["policy_number"]))
            events += [event_row(journey, "payment", ts, premium)]
            events += [event_row(journey, "policy_issued", ts, premium)]
        try:
            await self.store.record_payment(jid, payment_rows, policy_rows, events, ts)
        except (DuplicatePayment, StaleJourney):
            return self._replay(jid, key)
        for row in payment_rows:
            issued = sum(1 for p in policy_rows if p["payment_id"] == row["payment_id"])
            self.metrics.charged(journey["product"], journey["cohort"], journey["premium_fen"],
                                 row["charged_fen"], issued)
        return _receipt(payment)

    def _replay(self, journey_id: str, key: str) -> Receipt:
        """A concurrent request with the same key or journey won the race: answer as it did."""
        earlier = self.store.find_payment(key) or self.store.first_payment_of(journey_id)
        if earlier is None or earlier["journey_id"] != journey_id:
            raise Conflict("该订单正在支付或已被修改，请刷新后重试", "journey_id")
        return _receipt(earlier)

    @staticmethod
    def _policy(
        journey: Mapping[str, Any], payment: Mapping[str, Any], number: str
    ) -> dict[str, Any]:
        return {
            "policy_number": number,
            "payment_id": payment["payment_id"],
            "journey_id": journey["journey_id"],
            "product": journey["product"],
            "premium_fen": payment["charged_fen"],
            "status": "active",
            "created_ms": payment["created_ms"],
            "surrendered_ms": None,
        }
