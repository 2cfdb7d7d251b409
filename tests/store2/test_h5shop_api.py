"""The H5 test store over HTTP: a real subprocess per variant, real SQLite, httpx as the buyer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.store2.buyer import API, HEALTHY, LOGIN, Buyer, Purchase, integrity_rows
from tests.stores.h5shop import H5ShopHandle, start_h5shop

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop() -> Iterator[H5ShopHandle]:
    with start_h5shop("good") as handle:
        yield handle


@pytest.fixture
def buyer(shop: H5ShopHandle) -> Iterator[Buyer]:
    person = Buyer(shop)
    yield person
    person.close()


def export_rows(shop: H5ShopHandle) -> dict[str, dict[str, str]]:
    answer = httpx.get(f"{shop.url}{API}/admin/policies.csv", trust_env=False, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    return {row["order_id"]: row for row in csv.DictReader(io.StringIO(answer.text))}


def test_a_purchase_quotes_orders_pays_at_the_cashier_and_issues_the_policy(
        shop: H5ShopHandle, buyer: Buyer) -> None:
    bought = buyer.buy(plan="plus")
    assert bought.paid_fen == 62800
    assert bought.policy_no.startswith("P")
    assert (bought.order_no, bought.policy_no, 62800) in integrity_rows(shop.db_path)
    row = export_rows(shop)[bought.order_no]
    assert (row["policy_number"], row["premium_fen"], row["status"]) == (
        bought.policy_no, "62800", "PAID")


def test_buying_needs_a_log_in_and_the_right_password(shop: H5ShopHandle) -> None:
    with httpx.Client(base_url=shop.url, trust_env=False, timeout=10) as anonymous:
        refused = anonymous.post(f"{API}/order", json={"quoteNo": "Q1"})
        assert refused.status_code == 401
        assert refused.json() == {"code": 40100, "msg": "请先登录", "data": None}
        wrong = anonymous.post(f"{API}/login", json={**LOGIN, "password": "guess"})
        assert wrong.status_code == 401
        assert wrong.json()["data"] == {"field": "password"}
        assert "H5SESSION" not in anonymous.cookies
        session = anonymous.get(f"{API}/session").json()["data"]
        assert session == {"loggedIn": False, "loginName": None}


@pytest.mark.parametrize(("changes", "field"), [
    ({"applicant": {"name": "张三", "idNo": "1101", "mobile": "13800138000"}}, "applicant.idNo"),
    ({"healthAnswers": {**HEALTHY, "h2": "Y"}}, "healthAnswers"),
    ({"agreeTerms": False}, "agreeTerms"),
    ({"quoteNo": "Q-unknown"}, "quoteNo"),
])
def test_a_wrong_order_is_422_naming_the_field(buyer: Buyer, changes: dict[str, Any],
                                               field: str) -> None:
    answer = buyer.order(**changes)
    assert answer["code"] == 42200
    assert answer["data"] == {"field": field}


def test_the_cashier_form_sends_the_buyer_back_to_the_result_route(
        shop: H5ShopHandle, buyer: Buyer) -> None:
    order_no = buyer.order()["data"]["orderNo"]
    browser_host = f"shop.insurer.test:{shop.port}"
    submitted = buyer.http.post(f"{API}/order/{order_no}/submit", json={},
                                headers={"host": browser_host})
    assert submitted.status_code == 200
    page = httpx.get(f"{shop.cashier_url}/pay", params={"order": order_no}, trust_env=False)
    assert "¥358.00" in page.text and 'id="pay-btn"' in page.text
    paid = httpx.post(f"{shop.cashier_url}/pay/confirm", data={"order": order_no},
                      trust_env=False)
    assert paid.status_code == 303
    assert paid.headers["location"] == f"http://{browser_host}/#/result?orderNo={order_no}"
    again = httpx.post(f"{shop.cashier_url}/pay/confirm", json={"order": order_no},
                       trust_env=False)
    assert again.status_code == 200  # paying twice answers the first payment
    assert [r[0] for r in integrity_rows(shop.db_path)].count(order_no) == 1


def test_an_unsubmitted_order_cannot_be_paid(shop: H5ShopHandle, buyer: Buyer) -> None:
    order_no = buyer.order()["data"]["orderNo"]
    paid = httpx.post(f"{shop.cashier_url}/pay/confirm", json={"order": order_no},
                      trust_env=False)
    assert paid.status_code == 409
    assert buyer.http.get(f"{API}/policy/{order_no}").json()["code"] == 40900


def test_the_page_lives_on_the_test_host_name_without_h1_or_flow_markers(
        shop: H5ShopHandle) -> None:
    redirect = httpx.get(f"{shop.url}/", trust_env=False)
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"{shop.browser_url}/"
    page = httpx.get(f"{shop.url}/", headers={"host": f"shop.insurer.test:{shop.port}"},
                     trust_env=False).text
    assert f'<script src="{shop.browser_url}/static/app.js"' in page
    assert f'"api": "{shop.browser_url}/h5/api/v2"' in page
    script = httpx.get(f"{shop.url}/static/app.js", trust_env=False).text
    for text in (page, script):
        assert "<h1" not in text and "data-flow-step" not in text
    assert "犹豫期为" in script


@pytest.mark.parametrize(("variant", "lost"), [("good", []), ("lost-policies", [4, 9])])
def test_lost_policies_issues_no_policy_for_every_fifth_payment(variant: str,
                                                                lost: list[int]) -> None:
    with start_h5shop(variant) as shop:
        buyer = Buyer(shop)
        bought: list[Purchase] = [buyer.buy() for _ in range(10)]
        buyer.close()
        issued = {order: policy for order, policy, _ in integrity_rows(shop.db_path)}
        exported = export_rows(shop)
    assert len(issued) == 10 and len(exported) == 10
    assert len({p.policy_no for p in bought}) == 10  # every buyer was told a number
    missing = [i for i, p in enumerate(bought) if issued[p.order_no] is None]
    assert missing == lost
    assert [i for i, p in enumerate(bought)
            if exported[p.order_no]["policy_number"] == ""] == lost
    assert all(issued[p.order_no] in (None, p.policy_no) for p in bought)
