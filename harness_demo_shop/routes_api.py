"""The JSON API: the purchase flow without a browser (for Locust), plus integrity exports.

Plain Starlette routes (no pydantic, no dependency injection) keep the per-request cost small:
the body is parsed once, the service does the work, a compact JSON body goes back. Validation
and storage are the same as the pages', so load tests exercise the real flow.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from harness_demo_shop import export, reconciliation
from harness_demo_shop.catalog import PRODUCTS
from harness_demo_shop.errors import BadRequest, TooLarge
from harness_demo_shop.rating import lowest_premium_fen
from harness_demo_shop.shop import Shop

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_body(data: Any) -> bytes:
    """The compact UTF-8 JSON of every API answer."""
    return _encode(data).encode()


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_body(data), status, media_type="application/json")


def error_answer(message: str, field: str | None, errors: dict[str, str] | None) -> dict[str, Any]:
    """The JSON body of an error answer: `{"error", "field"}`, plus `"errors"` on 422."""
    body: dict[str, Any] = {"error": message, "field": field}
    if errors is not None:
        body["errors"] = errors
    return body


def _shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def check_declared_length(declared: str, limit: int) -> None:
    """Refuse a body by its Content-Length header ("0" when absent) before reading it."""
    if not declared.isdigit() or int(declared) > limit:
        raise TooLarge(f"请求体不能超过{limit}字节", "body")


def parse_body(raw: bytes, limit: int) -> dict[str, Any]:
    """The JSON object of a request body (empty: {}); 413 when too large, 400 when not JSON."""
    if len(raw) > limit:
        raise TooLarge(f"请求体不能超过{limit}字节", "body")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON", "body") from exc
    if not isinstance(data, dict):
        raise BadRequest("请求体须为 JSON 对象", "body")
    return data


def _text(data: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{name} 必须是非空字符串", name)
    return value


# The journey steps: (shop, journey id, body) -> (status, answer). The Starlette routes below
# and the hot path in front of FastAPI (harness_demo_shop.hot_path) both call them.
Answer = tuple[int, dict[str, Any]]
Step = Callable[[Shop, str, dict[str, Any]], Awaitable[Answer]]


async def create_journey(shop: Shop, _jid: str, data: dict[str, Any]) -> Answer:
    product, visitor = _text(data, "product"), _text(data, "visitor_id")
    plan = _text(data, "plan", required=False)
    assert product is not None and visitor is not None
    journey = await shop.journeys.start(product, visitor, plan)
    answer = {k: journey[k] for k in ("journey_id", "cohort", "product", "plan")}
    return 201, answer | {"next": "notice"}


async def ack_notice(shop: Shop, jid: str, _data: dict[str, Any]) -> Answer:
    nxt = await shop.journeys.ack_notice(jid, present_next=True)
    return 200, {"next": nxt, "journey_id": jid}


async def submit_health(shop: Shop, jid: str, data: dict[str, Any]) -> Answer:
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise BadRequest("answers 须为对象，例如 {\"q1\": \"no\"}", "answers")
    nxt = await shop.journeys.submit_health(jid, answers, present_next=True)
    return 200, {"next": nxt, "journey_id": jid}


async def submit_application(shop: Shop, jid: str, data: dict[str, Any]) -> Answer:
    move = await shop.journeys.submit_application(jid, data, present_next=True)
    return 200, move.data | {"next": move.next, "journey_id": jid}


def pass_extra(step: str) -> Step:
    async def extra(shop: Shop, jid: str, _data: dict[str, Any]) -> Answer:
        nxt = await shop.journeys.pass_extra(jid, step, present_next=True)
        return 200, {"next": nxt, "journey_id": jid}

    return extra


async def pay(shop: Shop, jid: str, data: dict[str, Any]) -> Answer:
    receipt = await shop.payments.pay(jid, data.get("idempotency_key"), data.get("amount_fen"))
    return 200, receipt.to_json()


STEPS: dict[str, Step] = {
    "notice": ack_notice, "health": submit_health, "application": submit_application,
    "pay": pay, "extra-1": pass_extra("extra-1"), "extra-2": pass_extra("extra-2"),
}


def _endpoint(step: Step) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a journey step: body, step, JSON answer."""

    async def endpoint(request: Request) -> Response:
        shop = _shop(request)
        limit = shop.settings.max_body_bytes
        check_declared_length(request.headers.get("content-length", "0"), limit)
        data = parse_body(await request.body(), limit)
        status, answer = await step(shop, request.path_params.get("jid", ""), data)
        return json_response(answer, status)

    return endpoint


async def get_journey(request: Request) -> Response:
    journey = _shop(request).journeys.load(request.path_params["jid"])
    keys = ("journey_id", "cohort", "product", "plan", "status", "quote_id", "premium_fen")
    return json_response({k: journey[k] for k in keys})


async def list_products(request: Request) -> Response:
    items = [
        {"code": p.code, "name": p.name, "cooling_off_days": p.cooling_off_days,
         "has_health_declaration": p.has_health_declaration,
         "from_premium_fen": lowest_premium_fen(p.code), "plans": [x.code for x in p.plans]}
        for p in PRODUCTS.values()
    ]
    return json_response({"products": items})


async def view_product(request: Request) -> Response:
    shop = _shop(request)
    product = shop.journeys.product(request.path_params["code"])
    visitor = request.query_params.get("visitor_id")
    if visitor is not None:
        await shop.journeys.view_product(product, visitor)
    questions = len(shop.journeys.questions({"cohort": "control"}))
    return json_response({"code": product.code, "name": product.name,
                          "health_questions": questions if product.has_health_declaration else 0,
                          "cooling_off_days": product.cooling_off_days})


def parse_since(request: Request) -> int | None:
    """`since` as epoch milliseconds or ISO 8601 (with offset or Z); None when absent."""
    raw = request.query_params.get("since")
    if raw is None or raw == "":
        return None
    if raw.isdigit():
        return int(raw)
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError as exc:
        raise BadRequest("since 须为毫秒时间戳或 ISO 8601 时间", "since") from exc


def _int_param(request: Request, name: str, default: int, upper: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or int(raw) > upper:
        raise BadRequest(f"{name} 须为0至{upper}之间的整数", name)
    return int(raw)


async def get_reconciliation(request: Request) -> Response:
    conn = _shop(request).store.reader()
    since = parse_since(request)
    fmt = request.query_params.get("format", "json")
    if fmt == "jsonl":
        lines = _reconciliation_lines(request, since)
        return StreamingResponse(lines, media_type="application/x-ndjson")
    if fmt != "json":
        raise BadRequest("format 须为 json 或 jsonl", "format")
    if request.query_params.get("summary") == "only":
        return json_response({"summary": reconciliation.summarize(conn, since)})
    after = _int_param(request, "after", 0, 2**62)
    limit = _int_param(request, "limit", 1000, 10_000) or 1000
    rows, next_after = reconciliation.journeys_page(conn, after, limit, since)
    answer: dict[str, Any] = {"journeys": rows, "next_after": next_after}
    if after == 0:  # the counts cost a scan: sent with the first page only
        answer["summary"] = reconciliation.summarize(conn, since)
    return json_response(answer)


async def _reconciliation_lines(request: Request, since: int | None) -> AsyncIterator[bytes]:
    conn = _shop(request).store.reader()
    after: int | None = 0
    while after is not None:
        rows, after = reconciliation.journeys_page(conn, after, 2000, since)
        yield b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    summary = reconciliation.summarize(conn, since)
    yield json.dumps({"summary": summary}).encode() + b"\n"


async def export_csv(request: Request) -> Response:
    since = parse_since(request)

    async def lines() -> AsyncIterator[str]:
        yield export.csv_header()
        for rows in export.iter_event_chunks(_shop(request).store.reader(), since):
            yield export.csv_chunk(rows)

    headers = {"content-disposition": 'attachment; filename="events.csv"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


async def export_parquet(request: Request) -> Response:
    body = export.parquet_bytes(_shop(request).store.reader(), parse_since(request))
    headers = {"content-disposition": 'attachment; filename="events.parquet"'}
    return Response(body, media_type="application/vnd.apache.parquet", headers=headers)


async def healthz(request: Request) -> Response:
    settings = _shop(request).settings
    return json_response(
        {"ok": True, "variant": settings.variant, "gray_percent": settings.gray_percent}
    )


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/api/products", list_products, methods=["GET"]),
    Route("/api/products/{code}", view_product, methods=["GET"]),
    Route("/api/journeys", _endpoint(create_journey), methods=["POST"]),
    Route("/api/journeys/{jid}", get_journey, methods=["GET"]),
    *(Route(f"/api/journeys/{{jid}}/{name}", _endpoint(step), methods=["POST"])
      for name, step in STEPS.items()),
    Route("/api/reconciliation", get_reconciliation, methods=["GET"]),
    Route("/api/export/events.csv", export_csv, methods=["GET"]),
    Route("/api/export/events.parquet", export_parquet, methods=["GET"]),
]
