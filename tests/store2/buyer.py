"""A buyer of the H5 test store over its JSON API (httpx), for the store's own tests."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.stores.h5shop import H5ShopHandle

PROJECT_FILES = Path(__file__).resolve().parent.parent / "stores" / "h5shop" / "project_files"
API = "/h5/api/v2"
LOGIN = {"loginName": "qa-tester", "password": "h5-pass-2026"}
APPLICANT = {"name": "张三", "idNo": "11010519850615201X", "mobile": "13800138000"}
HEALTHY = {"h1": "N", "h2": "N", "h3": "N"}


@dataclass(frozen=True)
class Purchase:
    order_no: str
    policy_no: str  # what the buyer is told
    paid_fen: int


def data_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["code"] == 0, answer
    return answer["data"]


class Buyer:
    """One logged-in buyer (own cookie jar); `buy()` makes one whole purchase."""

    def __init__(self, shop: H5ShopHandle) -> None:
        self.shop = shop
        self.http = httpx.Client(base_url=shop.url, timeout=10, trust_env=False)
        data_of(self.http.post(f"{API}/login", json=LOGIN))

    def close(self) -> None:
        self.http.close()

    def order(self, plan: str = "basic", **changes: Any) -> dict[str, Any]:
        quote = data_of(self.http.post(f"{API}/quote",
                                       json={"productCode": "medical", "planCode": plan}))
        body = {"quoteNo": quote["quoteNo"], "healthAnswers": HEALTHY, "agreeTerms": True,
                "applicant": APPLICANT, **changes}
        answer: dict[str, Any] = self.http.post(f"{API}/order", json=body).json()
        return answer

    def buy(self, plan: str = "basic") -> Purchase:
        order_no = self.order(plan)["data"]["orderNo"]
        paying = data_of(self.http.post(f"{API}/order/{order_no}/submit", json={}))
        assert paying["cashierUrl"] == f"{self.shop.cashier_url}/pay?order={order_no}"
        paid = httpx.post(f"{self.shop.cashier_url}/pay/confirm", json={"order": order_no},
                          timeout=10, trust_env=False)
        assert paid.status_code == 200, paid.text
        policy = data_of(self.http.get(f"{API}/policy/{order_no}"))
        return Purchase(order_no, policy["policyNo"], paid.json()["paidFen"])


def integrity_rows(db_path: Path, since_ms: int = 0) -> list[tuple[str, str | None, int]]:
    """The rows the gate's SQL source reads (project_files/integrity.sql), by order id."""
    query = (PROJECT_FILES / "integrity.sql").read_text(encoding="utf-8")
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return sorted(db.execute(query, {"since_ms": since_ms}).fetchall())
