"""The hot path of the journey steps answers exactly as the FastAPI routes behind it would:
two apps on one database, one with the hot path and one without, get the same requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from shop_flows import ALL_NO, ShopClient, application_body, start_api

from harness_demo_shop.hot_path import HotPath

Pair = tuple[ShopClient, ShopClient]


@pytest.fixture
def pair(make_client: Callable[..., ShopClient]) -> Pair:
    hot, routed = make_client(), make_client()
    assert hot.app.hot_path is not None
    routed.app.hot_path = None  # FastAPI's routes answer everything
    return hot, routed


def _same(pair: Pair, path: str, **request: Any) -> httpx.Response:
    hot, routed = (client.post(path, **request) for client in pair)
    assert (hot.status_code, hot.headers.raw, hot.content) == (
        routed.status_code, routed.headers.raw, routed.content), path
    return hot


def _same_shape(pair: Pair, path: str, **request: Any) -> httpx.Response:
    hot, routed = (client.post(path, **request) for client in pair)
    assert hot.status_code == routed.status_code, (hot.text, routed.text)
    assert [k for k, _ in hot.headers.raw] == [k for k, _ in routed.headers.raw]
    assert list(hot.json()) == list(routed.json())
    return hot


BAD_BODIES: list[dict[str, Any]] = [
    {"content": b"{not json"},
    {"content": b"[1, 2]"},
    {"content": b"\xff\xfe"},
    {"content": b"x" * 20_000},
    {"content": b"{}", "headers": {"content-length": "abc"}},
    {"json": {"answers": "yes"}},
    {"json": {"answers": {"q1": "maybe"}}},
    {"json": application_body() | {"phone": "12", "consent": False}},
    {"json": {"idempotency_key": "short", "amount_fen": 1}},
    {"json": {"idempotency_key": "long-enough-key", "amount_fen": "1"}},
]


@pytest.mark.parametrize("step", ["notice", "health", "application", "pay", "extra-1", "x"])
def test_errors_are_answered_byte_for_byte_alike(pair: Pair, step: str) -> None:
    jid = start_api(pair[0], "medical")
    for request in BAD_BODIES:
        _same(pair, f"/api/journeys/{jid}/{step}", **request)
        _same(pair, f"/api/journeys/j0000000000000000/{step}", **request)
    _same(pair, "/api/journeys", json={"product": "nope", "visitor_id": "v"})
    _same(pair, "/api/journeys", json={"product": "travel"})
    _same(pair, "/api/journeys/", json={})
    _same(pair, f"/api/journeys/{jid}/notice/", json={})


def test_a_whole_journey_alike_on_both_paths(pair: Pair) -> None:
    hot, routed = pair
    created = _same_shape(pair, "/api/journeys", json={"product": "medical", "visitor_id": "v"})
    jid = created.json()["journey_id"]
    assert _same(pair, f"/api/journeys/{jid}/notice", json={}).json()["next"] == "health"
    _same(pair, f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
    quoted = _same_shape(pair, f"/api/journeys/{jid}/application", json=application_body())
    premium = routed.get(f"/api/journeys/{jid}").json()["premium_fen"]
    assert quoted.json()["premium_fen"] == premium
    body = {"idempotency_key": f"key-{jid}", "amount_fen": premium}
    paid = _same(pair, f"/api/journeys/{jid}/pay", json=body)
    assert paid.json()["charged_fen"] == premium
    _same(pair, f"/api/journeys/{jid}/notice", json={})  # 409 after payment
    assert hot.get(f"/api/journeys/{jid}/pay").status_code == 405  # not ours: FastAPI's


def test_only_the_journey_step_routes_take_the_hot_path() -> None:
    def scope(method: str, path: str, root_path: str = "") -> dict[str, Any]:
        return {"type": "http", "method": method, "path": path, "root_path": root_path}

    assert HotPath.match(scope("POST", "/api/journeys")) is not None
    assert HotPath.match(scope("POST", "/api/journeys/j1/pay")) is not None
    for method, path in [("GET", "/api/journeys/j1/pay"), ("POST", "/api/journeys/"),
                         ("POST", "/api/journeys//pay"), ("POST", "/api/journeys/j1/pay/"),
                         ("POST", "/api/journeys/j1/x/pay"), ("POST", "/api/journeys/j1"),
                         ("PUT", "/api/journeys"), ("POST", "/api/journeysx")]:
        assert HotPath.match(scope(method, path)) is None, (method, path)
    assert HotPath.match(scope("POST", "/api/journeys", root_path="/shop")) is None


def test_the_slow_variant_keeps_every_request_in_its_middleware(
        make_client: Callable[..., ShopClient]) -> None:
    assert make_client("slow", db_name="slow.db").app.hot_path is None
