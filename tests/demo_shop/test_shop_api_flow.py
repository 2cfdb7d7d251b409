"""The purchase flow over the JSON API: every product, the health branches, idempotent pay."""

from __future__ import annotations

from datetime import date

import pytest
from shop_flows import ALL_NO, ShopClient, application_body, buy_api, start_api, to_confirm_api

from harness_demo_shop.idcard import age_on
from harness_demo_shop.rating import premium_fen

ADULT_BIRTH = date(1990, 5, 17)


@pytest.mark.parametrize(
    ("product", "after_notice"),
    [("travel", "application"), ("medical", "health"), ("accident", "application")],
)
def test_each_product_can_be_bought_through_the_api(
    client: ShopClient, product: str, after_notice: str
) -> None:
    jid = start_api(client, product)
    assert client.post(f"/api/journeys/{jid}/notice", json={}).json()["next"] == after_notice
    if after_notice == "health":
        answer = client.post(f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
        assert answer.json()["next"] == "application"
    answer = client.post(f"/api/journeys/{jid}/application", json=application_body())
    assert answer.status_code == 200
    quote = answer.json()
    assert quote["next"] == "confirm"
    assert quote["premium_fen"] == premium_fen(product, "basic", age_on(ADULT_BIRTH, date.today()))
    paid = client.post(
        f"/api/journeys/{jid}/pay",
        json={"idempotency_key": "k-" + jid, "amount_fen": quote["premium_fen"]},
    )
    assert paid.status_code == 200, paid.text
    receipt = paid.json()
    assert receipt["charged_fen"] == quote["premium_fen"]
    assert receipt["policy_number"].startswith("P")
    state = client.get(f"/api/journeys/{jid}").json()
    assert state["status"] == "paid"


def test_journey_start_answers_the_contract_shape(client: ShopClient) -> None:
    answer = client.post("/api/journeys", json={"product": "medical", "visitor_id": "v123"})
    assert answer.status_code == 201
    body = answer.json()
    assert {"journey_id", "cohort", "product", "next"} <= body.keys()
    assert body["cohort"] == "control" and body["product"] == "medical"
    assert body["next"] == "notice"


def test_premium_comes_from_the_rating_table_by_age_band(client: ShopClient) -> None:
    from harness_demo_shop.idcard import make_id_number

    birth = date(1970, 1, 2)
    jid = start_api(client, "accident")
    client.post(f"/api/journeys/{jid}/notice", json={})
    body = application_body(make_id_number(birth))
    quote = client.post(f"/api/journeys/{jid}/application", json=body).json()
    age = age_on(birth, date.today())
    assert quote["premium_fen"] == premium_fen("accident", "basic", age)
    assert isinstance(quote["premium_fen"], int)


def test_a_yes_answer_declines_and_ends_the_journey(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    answers = ALL_NO | {"q3": "yes"}
    answer = client.post(f"/api/journeys/{jid}/health", json={"answers": answers})
    assert answer.json() == {"next": "declined", "journey_id": jid}
    late = client.post(f"/api/journeys/{jid}/application", json=application_body())
    assert late.status_code == 409


def test_unanswered_health_questions_are_field_errors(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    answer = client.post(f"/api/journeys/{jid}/health", json={"answers": {"q1": "no", "q2": "x"}})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"q2", "q3", "q4"}


def test_application_errors_name_each_field(client: ShopClient) -> None:
    jid = start_api(client, "travel")
    client.post(f"/api/journeys/{jid}/notice", json={})
    body = application_body("110105194912310021") | {"phone": "12345", "consent": False}
    answer = client.post(f"/api/journeys/{jid}/application", json=body)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"id_number", "phone", "consent"}
    assert "校验" in errors["id_number"]


def test_retried_payment_returns_the_same_policy_and_creates_no_second(
    client: ShopClient,
) -> None:
    jid, premium = to_confirm_api(client, "medical")
    body = {"idempotency_key": "retry-key-1", "amount_fen": premium}
    first = client.post(f"/api/journeys/{jid}/pay", json=body)
    again = client.post(f"/api/journeys/{jid}/pay", json=body)
    other = body | {"idempotency_key": "k2-abcdef"}
    other_key = client.post(f"/api/journeys/{jid}/pay", json=other)
    assert first.status_code == again.status_code == other_key.status_code == 200
    assert first.json() == again.json() == other_key.json()
    summary = client.get("/api/reconciliation?summary=only").json()["summary"]
    assert summary["paid"] == 1 and summary["payments"] == 1 and summary["policies"] == 1


def test_concurrent_payments_with_one_key_make_one_policy(client: ShopClient) -> None:
    jid, premium = to_confirm_api(client, "travel")
    body = {"idempotency_key": "race-key-1", "amount_fen": premium}
    answers = client.gather([("POST", f"/api/journeys/{jid}/pay", {"json": body})] * 8)
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["policy_number"] for a in answers}) == 1
    assert client.get("/api/reconciliation?summary=only").json()["summary"]["policies"] == 1


def test_the_unique_constraint_refuses_a_second_payment_with_one_key(client: ShopClient) -> None:
    from sqlalchemy.exc import IntegrityError

    from harness_demo_shop.schema import payments

    row = {"payment_id": "pay1", "journey_id": "j1", "idempotency_key": "same-key",
           "amount_fen": 1, "charged_fen": 1, "policy_number": None, "created_ms": 0}
    conn = client.app.state.shop.store.reader()
    conn.execute(payments.insert(), row)
    with pytest.raises(IntegrityError):
        conn.execute(payments.insert(), row | {"payment_id": "pay2"})


def test_a_key_of_another_journey_is_refused(client: ShopClient) -> None:
    first, premium = to_confirm_api(client, "travel", "v-a")
    second, premium2 = to_confirm_api(client, "travel", "v-b")
    body = {"idempotency_key": "shared-key-1", "amount_fen": premium}
    assert client.post(f"/api/journeys/{first}/pay", json=body).status_code == 200
    reused = client.post(f"/api/journeys/{second}/pay", json=body | {"amount_fen": premium2})
    assert reused.status_code == 409
    assert reused.json()["field"] == "idempotency_key"


def test_a_payment_with_another_amount_than_the_quote_is_refused(client: ShopClient) -> None:
    jid, premium = to_confirm_api(client, "accident")
    body = {"idempotency_key": "amount-key-1", "amount_fen": premium - 1}
    answer = client.post(f"/api/journeys/{jid}/pay", json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "amount_fen"
    assert buy_api(client, "accident").status_code == 200


def test_steps_cannot_be_skipped(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    early = client.post(f"/api/journeys/{jid}/application", json=application_body())
    assert early.status_code == 409
    client.post(f"/api/journeys/{jid}/notice", json={})
    skipped = client.post(f"/api/journeys/{jid}/application", json=application_body())
    assert skipped.status_code == 409
    pay = client.post(f"/api/journeys/{jid}/pay", json={"idempotency_key": "early-key",
                                                          "amount_fen": 100})
    assert pay.status_code == 409
