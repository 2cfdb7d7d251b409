"""The purchase journey as a state machine shared by the pages and the JSON API.

Status order: notice → health (medical) → application → extra-1 → extra-2 (long-flow) → confirm →
paid, or declined after a "yes" in the health declaration. A step may be repeated (the buyer
goes back), never skipped. Every move is one guarded transaction with its funnel events, so a
journey's events and state never disagree.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from harness_demo_shop.application_form import validate_application
from harness_demo_shop.catalog import PRODUCTS, Product, find_product
from harness_demo_shop.cohort import GRAY, assign_cohort, is_valid_visitor_id
from harness_demo_shop.errors import BadRequest, Conflict, Invalid, NotFound
from harness_demo_shop.health import Question, is_declined, questions_for, validate_answers
from harness_demo_shop.metrics import NoMetrics, note_cohort
from harness_demo_shop.rating import age_band, premium_fen
from harness_demo_shop.settings import Settings
from harness_demo_shop.storage import Row, StaleJourney, Store
from harness_demo_shop.variants import EXTRA_STEPS

STEPS = ("notice", "health", "application", "extra-1", "extra-2", "confirm")
FINAL = ("paid", "declined")
_JOURNEY_ID = re.compile(r"^j[0-9a-f]{16}$")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def event_row(
    journey: Mapping[str, Any], name: str, ts_ms: int, value: float | None = None
) -> dict[str, Any]:
    """One funnel event of a journey (user, cohort and product come from the journey)."""
    return {
        "ts_ms": ts_ms,
        "user_id": journey["visitor_id"],
        "cohort": journey["cohort"],
        "event": name,
        "value": value,
        "product": journey["product"],
        "journey_id": journey["journey_id"],
    }


@dataclass(frozen=True)
class Move:
    """Where the journey goes next, plus data for the answer (quote) or field errors."""

    next: str
    data: dict[str, Any] = field(default_factory=dict)


class JourneyService:
    def __init__(self, store: Store, settings: Settings, metrics: NoMetrics | None = None
                 ) -> None:
        self.store = store
        self.settings = settings
        self.metrics = metrics or NoMetrics()

    # --- lookups -----------------------------------------------------------------------------
    def product(self, code: str) -> Product:
        product = find_product(code)
        if product is None:
            raise NotFound(f"没有找到产品“{code[:32]}”", "product")
        return product

    def load(self, journey_id: str) -> Row:
        journey = self.store.get_journey(journey_id) if _JOURNEY_ID.match(journey_id) else None
        if journey is None:
            raise NotFound("没有找到这个投保流程，请从产品页重新开始", "journey_id")
        note_cohort(journey["cohort"])
        return journey

    def cohort_of(self, visitor_id: str) -> str:
        cohort = assign_cohort(visitor_id, self.settings.gray_percent)
        note_cohort(cohort)
        return cohort

    def questions(self, journey: Mapping[str, Any]) -> tuple[Question, ...]:
        gray_bug = self.settings.variant == "gray-regression" and journey["cohort"] == GRAY
        return questions_for(gray_bug)

    def steps_of(self, product: Product) -> tuple[str, ...]:
        """The screens of this product's flow in this variant, in order."""
        steps = [s for s in STEPS if s != "health" or product.has_health_declaration]
        if self.settings.variant != "long-flow":
            steps = [s for s in steps if s not in EXTRA_STEPS]
        return tuple(steps)

    def next_step(self, journey: Mapping[str, Any], step: str) -> str:
        steps = self.steps_of(PRODUCTS[journey["product"]])
        return steps[steps.index(step) + 1]

    def require_step(self, journey: Mapping[str, Any], step: str) -> None:
        """Refuse a step the journey has not reached, or any step after paid/declined."""
        steps = self.steps_of(PRODUCTS[journey["product"]])
        if step not in steps:
            raise NotFound("此产品的投保流程没有这一步", "step")
        status = journey["status"]
        if status in FINAL:
            word = "已支付" if status == "paid" else "未通过健康告知"
            raise Conflict(f"该投保流程{word}，不能再修改", "journey_id")
        if steps.index(status) < steps.index(step):
            raise Conflict("请按顺序完成前面的投保步骤", "journey_id")

    # --- moves -------------------------------------------------------------------------------
    async def view_product(self, product: Product, visitor_id: str) -> None:
        row: dict[str, Any] = {"visitor_id": visitor_id, "cohort": self.cohort_of(visitor_id)}
        row |= {"product": product.code, "journey_id": None}
        await self.store.add_events([event_row(row, "product_view", now_ms())])

    async def start(
        self, product_code: str, visitor_id: str, plan: str | None = None
    ) -> dict[str, Any]:
        product = self.product(product_code)
        if not is_valid_visitor_id(visitor_id):
            raise BadRequest("visitor_id 须为1至64位字母、数字或 _.:-", "visitor_id")
        plan = plan or product.default_plan
        if product.plan(plan) is None:
            raise BadRequest(f"没有这个保障计划：{plan[:16]}", "plan")
        ts = now_ms()
        journey = {
            "journey_id": "j" + secrets.token_hex(8),
            "visitor_id": visitor_id,
            "cohort": self.cohort_of(visitor_id),
            "product": product.code,
            "plan": plan,
            "status": "notice",
            "created_ms": ts,
            "updated_ms": ts,
        }
        await self.store.start_journey(journey, [event_row(journey, "journey_start", ts)])
        return journey

    async def _move(
        self,
        journey: Mapping[str, Any],
        step: str,
        events: list[dict[str, Any]],
        present_next: bool,
        values: dict[str, Any] | None = None,
        quote: dict[str, Any] | None = None,
    ) -> str:
        """Leave `step` for the next screen; with present_next also record its view event."""
        ts = now_ms()
        nxt = self.next_step(journey, step)
        values = {"status": nxt, "updated_ms": ts, **(values or {})}
        if present_next:
            values |= self._presentation(journey, nxt, events, ts)
        steps = self.steps_of(PRODUCTS[journey["product"]])
        allowed = steps[steps.index(step) :]
        try:
            await self.store.transition(journey["journey_id"], allowed, values, events, quote)
        except StaleJourney as exc:
            raise Conflict("该投保流程已在别处更新，请刷新页面", "journey_id") from exc
        return nxt

    @staticmethod
    def _presentation(
        journey: Mapping[str, Any], step: str, events: list[dict[str, Any]], ts: int
    ) -> dict[str, Any]:
        """View events for the screen an API client is sent to (it has no GET for it)."""
        names = {"health": "health_view", "application": "application_view"}
        names["confirm"] = "confirm_view"
        if step in names:
            events.append(event_row(journey, names[step], ts))
        if step == "application" and journey.get("application_view_ms") is None:
            return {"application_view_ms": ts}
        return {}

    async def ack_notice(self, journey_id: str, present_next: bool = False) -> str:
        journey = self.load(journey_id)
        self.require_step(journey, "notice")
        events = [event_row(journey, "notice_ack", now_ms())]
        return await self._move(journey, "notice", events, present_next)

    async def view_step(self, journey: Mapping[str, Any], step: str) -> None:
        """Record that a page of the flow was shown (health, application, confirm)."""
        self.require_step(journey, step)
        names = {"health": "health_view", "application": "application_view"}
        names["confirm"] = "confirm_view"
        if step not in names:
            return
        ts = now_ms()
        rows = [event_row(journey, names[step], ts)]
        if step == "application" and journey.get("application_view_ms") is None:
            values = {"application_view_ms": ts}
            with contextlib.suppress(StaleJourney):  # moved on meanwhile: the view still counts
                await self.store.transition(journey["journey_id"], STEPS, values, rows)
                return
        await self.store.add_events(rows)

    async def submit_health(
        self, journey_id: str, answers: Mapping[str, object], present_next: bool = False
    ) -> str:
        """Validate the answers: errors raise Invalid; a "yes" declines; else on to application."""
        journey = self.load(journey_id)
        self.require_step(journey, "health")
        questions = self.questions(journey)
        errors = validate_answers(questions, answers)
        ts = now_ms()
        events = [event_row(journey, "health_submit", ts)]
        if errors:
            self.metrics.health_error(journey["product"], journey["cohort"])
            events.append(event_row(journey, "health_error", ts))
            if present_next:
                events.append(event_row(journey, "health_view", ts))
            await self.store.add_events(events)
            raise Invalid(errors)
        if is_declined(questions, answers):
            events.append(event_row(journey, "health_declined", ts))
            values = {"status": "declined", "updated_ms": ts}
            try:
                await self.store.transition(journey_id, STEPS[1:], values, events)
            except StaleJourney as exc:
                raise Conflict("该投保流程已在别处更新，请刷新页面", "journey_id") from exc
            return "declined"
        return await self._move(journey, "health", events, present_next)

    async def submit_application(
        self, journey_id: str, form: Mapping[str, object], present_next: bool = False
    ) -> Move:
        journey = self.load(journey_id)
        self.require_step(journey, "application")
        product = PRODUCTS[journey["product"]]
        today = datetime.now(UTC).date()
        application, errors = validate_application(form, product, today)
        ts = now_ms()
        if application is None:
            await self.store.add_events([event_row(journey, "application_error", ts)])
            raise Invalid(errors)
        quote = self._quote(journey, product, application.age, ts)
        viewed = journey.get("application_view_ms") or ts
        events = [event_row(journey, "application_submit", ts, (ts - viewed) / 1000)]
        values = {
            "applicant_name": application.applicant_name,
            "insured_name": application.insured_name,
            "id_masked": application.id_masked,
            "birth_date": application.birth_date.isoformat(),
            "phone_masked": application.phone_masked,
            "quote_id": quote["quote_id"],
            "premium_fen": quote["premium_fen"],
        }
        nxt = await self._move(journey, "application", events, present_next, values, quote)
        self.metrics.quote(product.code, journey["cohort"])
        return Move(nxt, {"quote_id": quote["quote_id"], "premium_fen": quote["premium_fen"]})

    @staticmethod
    def _quote(journey: Mapping[str, Any], product: Product, age: int, ts: int) -> dict[str, Any]:
        return {
            "quote_id": "q" + secrets.token_hex(8),
            "journey_id": journey["journey_id"],
            "product": product.code,
            "plan": journey["plan"],
            "age_band": age_band(age),
            "premium_fen": premium_fen(product.code, journey["plan"], age),
            "created_ms": ts,
        }

    async def pass_extra(self, journey_id: str, step: str, present_next: bool = False) -> str:
        """The long-flow variant's extra screens: nothing to fill in, one more click each."""
        journey = self.load(journey_id)
        self.require_step(journey, step)
        if step not in EXTRA_STEPS:
            raise NotFound("此产品的投保流程没有这一步", "step")
        return await self._move(journey, step, [], present_next)
