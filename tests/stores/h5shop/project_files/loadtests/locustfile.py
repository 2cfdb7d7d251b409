"""Buyers of the 安心保 H5 store's JSON API, as its QA engineer writes them for the gate.

Each simulated buyer logs in once (cookie H5SESSION), then buys 百万医疗险 again and again:
quote, order, submit, pay at the cashier (another origin: the URL the store hands back), read
the policy. One `record_purchase` per paid order tells the gate what the buyer was told.
Run against the store's API address (http://127.0.0.1:<shop port>): the host name
shop.insurer.test is only for browsers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, task

from harness_load.api import record_purchase, think

API = "/h5/api/v2"
LOGIN = {"loginName": "qa-tester", "password": "h5-pass-2026"}
APPLICANT = {"name": "张三", "idNo": "11010519850615201X", "mobile": "13800138000"}
HEALTHY = {"h1": "N", "h2": "N", "h3": "N"}


class StoreAnswerError(Exception):
    """The store answered with an error envelope ({"code": not 0, "msg": ...})."""


def data_of(response: Any) -> Any:
    """The `data` of a {"code", "msg", "data"} answer; anything else fails the task."""
    response.raise_for_status()
    answer = response.json()
    if answer.get("code") != 0:
        raise StoreAnswerError(f"{response.request.path_url}: {answer.get('msg')}")
    return answer["data"]


class MedicalBuyer(HttpUser):
    """One logged-in buyer of 百万医疗险 (basic plan); the profile gives the pauses."""

    def on_start(self) -> None:
        data_of(self.client.post(f"{API}/login", json=LOGIN, name="login"))

    @task
    def buy(self) -> None:
        quote = data_of(self.client.post(f"{API}/quote", name="quote",
                                         json={"productCode": "medical", "planCode": "basic"}))
        think("application")
        order = data_of(self.client.post(f"{API}/order", name="order", json={
            "quoteNo": quote["quoteNo"], "healthAnswers": HEALTHY, "agreeTerms": True,
            "applicant": APPLICANT}))
        order_no = order["orderNo"]
        paying = data_of(self.client.post(f"{API}/order/{order_no}/submit", json={},
                                          name="submit order"))
        think("pay")
        cashier = urlsplit(paying["cashierUrl"])
        paid = self.client.post(f"{cashier.scheme}://{cashier.netloc}/pay/confirm",
                                json={"order": order_no}, name="cashier pay")
        paid.raise_for_status()
        policy = data_of(self.client.get(f"{API}/policy/{order_no}", name="policy"))
        record_purchase(order_no, policy["policyNo"], paid.json()["paidFen"],
                        product="medical")
