"""Bad input is answered with a clear 4xx (JSON under /api, a page elsewhere), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from shop_flows import ShopClient, application_body, flow_step, start_api, to_confirm_api

UNKNOWN_JOURNEY = "jdeadbeefdeadbeef"

API_CASES: list[tuple[str, str, dict[str, Any], int, str | None]] = [
    ("POST", "/api/journeys", {"json": {"product": "nope", "visitor_id": "v1"}}, 404, "product"),
    ("POST", "/api/journeys", {"json": {"product": "travel"}}, 400, "visitor_id"),
    ("POST", "/api/journeys", {"json": {"product": "travel", "visitor_id": "x" * 65}}, 400,
     "visitor_id"),
    ("POST", "/api/journeys", {"json": {"product": "travel", "visitor_id": "a b"}}, 400,
     "visitor_id"),
    ("POST", "/api/journeys", {"json": {"product": "travel", "visitor_id": "v", "plan": "gold"}},
     400, "plan"),
    ("POST", "/api/journeys", {"content": b"{not json", "headers": {"content-type":
                                                                     "application/json"}}, 400,
     "body"),
    ("POST", "/api/journeys", {"json": ["travel"]}, 400, "body"),
    ("POST", "/api/journeys", {"json": {"product": 7, "visitor_id": "v"}}, 400, "product"),
    ("POST", "/api/journeys", {"json": {"product": "travel", "visitor_id": "v",
                                        "pad": "x" * 20_000}}, 413, "body"),
    ("GET", "/api/journeys", {}, 405, None),
    ("PUT", "/api/journeys/x/notice", {}, 405, None),
    ("POST", f"/api/journeys/{UNKNOWN_JOURNEY}/notice", {"json": {}}, 404, "journey_id"),
    ("POST", "/api/journeys/'%20OR%201=1/notice", {"json": {}}, 404, "journey_id"),
    ("GET", f"/api/journeys/{UNKNOWN_JOURNEY}", {}, 404, "journey_id"),
    ("POST", f"/api/journeys/{UNKNOWN_JOURNEY}/pay",
     {"json": {"idempotency_key": "abcdefgh", "amount_fen": 1}}, 404, "journey_id"),
    ("GET", "/api/products/nope", {}, 404, "product"),
    ("GET", "/api/reconciliation?limit=abc", {}, 400, "limit"),
    ("GET", "/api/reconciliation?since=yesterday", {}, 400, "since"),
    ("GET", "/api/reconciliation?format=xml", {}, 400, "format"),
    ("GET", "/api/no-such-endpoint", {}, 404, None),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status", "field"), API_CASES)
def test_api_bad_input_gets_a_json_4xx(client: ShopClient, method: str, url: str,
                                       kwargs: dict[str, Any], status: int,
                                       field: str | None) -> None:
    answer = client.request(method, url, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["error"] and body["field"] == field


def test_journey_step_bad_input_gets_a_json_4xx(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    not_a_map = client.post(f"/api/journeys/{jid}/health", json={"answers": ["no"]})
    assert not_a_map.status_code == 400 and not_a_map.json()["field"] == "answers"
    jid = start_api(client, "travel")
    client.post(f"/api/journeys/{jid}/notice", json={})
    long_name = application_body() | {"applicant_name": "张" * 100, "id_number": 5}
    answer = client.post(f"/api/journeys/{jid}/application", json=long_name)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"applicant_name", "id_number"}
    jid, premium = to_confirm_api(client, "travel")
    for body, field in [({"idempotency_key": "short", "amount_fen": premium}, "idempotency_key"),
                        ({"idempotency_key": "long-enough", "amount_fen": "9"}, "amount_fen"),
                        ({"idempotency_key": "long-enough", "amount_fen": True}, "amount_fen")]:
        answer = client.post(f"/api/journeys/{jid}/pay", json=body)
        assert answer.status_code == 422 and answer.json()["field"] == field


PAGE_CASES = [
    ("GET", "/products/nope", 404),
    ("GET", "/no/such/page", 404),
    ("DELETE", "/products/travel", 405),
    ("GET", "/products/travel/start", 405),
    ("GET", f"/j/{UNKNOWN_JOURNEY}/notice", 404),
    ("GET", "/j/not-a-journey/application", 404),
    ("GET", "/policies/P0000", 404),
    ("POST", "/policies/P0000/surrender", 404),
]


@pytest.mark.parametrize(("method", "url", "status"), PAGE_CASES)
def test_page_bad_input_gets_an_html_4xx(client: ShopClient, method: str, url: str,
                                         status: int) -> None:
    answer = client.request(method, url)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert flow_step(answer.text) == "error"


def test_out_of_order_pages_are_conflicts_not_crashes(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    for step in ("health", "application", "confirm", "success", "declined"):
        answer = client.get(f"/j/{jid}/{step}")
        assert answer.status_code == 409, step
        assert flow_step(answer.text) == "error"
    assert client.get(f"/j/{jid}/health-x").status_code == 404


def test_oversized_form_is_refused(client: ShopClient) -> None:
    answer = client.post("/products/travel/start", data={"plan": "x" * 20_000})
    assert answer.status_code == 413


@pytest.mark.parametrize("path", ["/api/journeys", "/products/travel/start"])
def test_an_unexpected_error_is_a_plain_500_without_traceback(
    client: ShopClient, monkeypatch: pytest.MonkeyPatch, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(client.app.state.shop.journeys, "start", broken)
    answer = client.post(path, json={"product": "travel", "visitor_id": "v1"})
    assert answer.status_code == 500
    assert "secret internal detail" not in answer.text and "Traceback" not in answer.text
    assert "RuntimeError" not in answer.text
    assert "secret internal detail" in caplog.text  # the log keeps it for the operator
    assert ",server_error," in client.get("/api/export/events.csv").text
