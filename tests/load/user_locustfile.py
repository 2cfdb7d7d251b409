"""A user's own locustfile, as a QA engineer would write it for tests/load/user_api.py: plain
Locust classes, request names of their choosing, one record_purchase per completed purchase.

`PolicyBuyer` has no wait_time (the harness gives it the profile's think time); `Browser`
(another class the test leaves out with user_classes) must never run.
"""

from __future__ import annotations

from locust import FastHttpUser, HttpUser, between, task

from harness_load.api import record_purchase, think


class PolicyBuyer(HttpUser):
    @task
    def buy(self) -> None:
        quote = self.client.post("/v1/quotes", json={"plan": "family"}, name="quote policy")
        think("notice")
        order = self.client.post("/v1/orders", json={"quoteId": quote.json()["quoteId"]},
                                 name="place order").json()
        record_purchase(order["orderNo"], order["policyNo"], order["amountFen"], plan="family")


class Browser(FastHttpUser):
    wait_time = between(0.1, 0.2)

    @task
    def look(self) -> None:
        self.client.get("/v1/catalogue", name="browse catalogue")
