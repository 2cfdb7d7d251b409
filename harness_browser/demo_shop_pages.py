"""Page objects for the demo shop: the code form of a journey, for stores a TOML file can't drive.

Each method is one thing a buyer does on one screen; advancing methods go through the
JourneyRecorder so steps are counted exactly as for declarative journeys. Use it as a model for
a real store that needs code (a slider, a captcha stub, a payment sandbox): write a class like
this and hand `scripted_journey(...)` to `run_journey`.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urljoin

from harness_browser.journey import Journey, NoticeSpec, builtin_journey
from harness_browser.steps import JourneyRecorder, Step

BUYER: Mapping[str, str] = {
    "applicant_name": "张三",
    "insured_name": "张三",
    "id_number": "11010519850615201X",  # GB 11643 check digit valid; aged 18-65 (all products)
    "phone": "13800138000",
}


class DemoShopBuyer:
    """A buyer on the demo shop (routes and selectors of docs/contracts.md)."""

    def __init__(self, recorder: JourneyRecorder, base_url: str) -> None:
        self.recorder = recorder
        self.page = recorder.page
        self.base_url = base_url

    def open_products(self) -> Step | None:
        return self.recorder.advance("open the product list",
                                     lambda: self.page.goto(urljoin(self.base_url, "/")))

    def pick_product(self, code: str) -> Step | None:
        return self._click(f"a[data-product={code}]", f"click the product {code}")

    def start(self) -> Step | None:
        return self._click("#start", "立即投保 (start the purchase)")

    def acknowledge_entry_prompt(self) -> Step | None:
        return self._click("#ack", "acknowledge the entry prompt (可回溯)")

    def answer_health(self, answer: str = "no") -> int:
        """Answer every health question the same way; returns how many were answered."""
        return self.recorder.check_all(f"input[type=radio][name^=q][value={answer}]")

    def submit(self, description: str = "submit") -> Step | None:
        return self._click("#submit", description)

    def fill_application(self, buyer: Mapping[str, str] = BUYER, consent: bool = True) -> None:
        for name, value in buyer.items():
            self.recorder.fill(f"input[name={name}]", value)
        if consent:
            self.recorder.check("#consent")

    def continue_through_extra_screens(self, limit: int = 10) -> list[Step]:
        """Click 下一步 on screens before the confirmation (the long-flow variant has two)."""
        steps = []
        while limit > 0 and self.page.locator("#pay").count() == 0:
            step = self.submit("continue through an extra screen")
            if step is None:
                break
            steps.append(step)
            limit -= 1
        return steps

    def pay(self) -> Step | None:
        """Pay; the success page is recorded but, by the flow-length rule, not counted."""
        return self.recorder.advance("pay (the success page is not a step)",
                                     lambda: self.page.click("#pay"), counted=False)

    def policy_number(self) -> str:
        text = (self.page.locator("#policy-number").text_content() or "").strip()
        self.recorder.captured["policy_number"] = text
        return text

    def buy(self, product: str, *, health_answer: str = "no") -> str:
        """The whole purchase, from picking the product to the policy number."""
        self.pick_product(product)
        self.start()
        self.acknowledge_entry_prompt()
        if self.page.locator("input[type=radio][name^=q]").count():
            self.answer_health(health_answer)
            self.submit("submit the health declaration")
        self.fill_application()
        self.submit("submit the application")
        self.continue_through_extra_screens()
        self.pay()
        return self.policy_number()

    def _click(self, selector: str, description: str) -> Step | None:
        return self.recorder.advance(description, lambda: self.page.click(selector))


def scripted_journey(product: str) -> Journey:
    """The demo shop journey for `product` written as code (same notice spec as the TOML)."""
    declared = builtin_journey(f"demo-{product}")
    notice = declared.notice or NoticeSpec(selector="#cooling-off-notice", screen="application")
    return Journey(name=f"demo-{product}-scripted", start="/", notice=notice,
                   description=f"{product} on the demo shop, driven by DemoShopBuyer",
                   script=lambda recorder, base: _buy(recorder, base, product))


def _buy(recorder: JourneyRecorder, base_url: str, product: str) -> None:
    DemoShopBuyer(recorder, base_url).buy(product)
