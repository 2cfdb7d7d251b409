"""The JSON API: the purchase flow without a browser (for Locust), plus integrity exports.

Plain Starlette routes (no pydantic, no dependency injection) keep the per-request cost small:
the body is parsed once, the service does the work, a compact JSON body goes back. Validation
and storage are the same as the pages', so load tests exercise the real flow.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from demo_shop import export, reconciliation
from demo_shop.catalog import PRODUCTS
from demo_shop.errors import BadRequest, TooLarge
from demo_shop.rating import lowest_premium_fen
from demo_shop.shop import Shop


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, media_type="application/json")


def _shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


async def _body(request: Request) -> dict[str, Any]:
    limit = _shop(request).settings.max_body_bytes
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        raise TooLarge(f"请求体不能超过{limit}字节", "body")
    raw = await request.body()
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


async def create_journey(request: Request) -> Response:
    data = await _body(request)
    product, visitor = _text(data, "product"), _text(data, "visitor_id")
    plan = _text(data, "plan", required=False)
    assert product is not None and visitor is not None
    journey = await _shop(request).journeys.start(product, visitor, plan)
    answer = {k: journey[k] for k in ("journey_id", "cohort", "product", "plan")}
    return json_response(answer | {"next": "notice"}, 201)


async def ack_notice(request: Request) -> Response:
    await _body(request)
    jid = request.path_params["jid"]
    nxt = await _shop(request).journeys.ack_notice(jid, present_next=True)
    return json_response({"next": nxt, "journey_id": jid})


async def submit_health(request: Request) -> Response:
    answers = (await _body(request)).get("answers")
    if not isinstance(answers, dict):
        raise BadRequest("answers 须为对象，例如 {\"q1\": \"no\"}", "answers")
    journeys = _shop(request).journeys
    jid = request.path_params["jid"]
    nxt = await journeys.submit_health(jid, answers, present_next=True)
    return json_response({"next": nxt, "journey_id": jid})


async def submit_application(request: Request) -> Response:
    data = await _body(request)
    journeys = _shop(request).journeys
    jid = request.path_params["jid"]
    move = await journeys.submit_application(jid, data, present_next=True)
    return json_response(move.data | {"next": move.next, "journey_id": jid})


async def pass_extra(request: Request) -> Response:
    await _body(request)
    step = request.url.path.rsplit("/", 1)[-1]
    journeys = _shop(request).journeys
    jid = request.path_params["jid"]
    nxt = await journeys.pass_extra(jid, step, present_next=True)
    return json_response({"next": nxt, "journey_id": jid})


async def pay(request: Request) -> Response:
    data = await _body(request)
    receipt = await _shop(request).payments.pay(
        request.path_params["jid"], data.get("idempotency_key"), data.get("amount_fen")
    )
    return json_response(receipt.to_json())


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
    Route("/api/journeys", create_journey, methods=["POST"]),
    Route("/api/journeys/{jid}", get_journey, methods=["GET"]),
    Route("/api/journeys/{jid}/notice", ack_notice, methods=["POST"]),
    Route("/api/journeys/{jid}/health", submit_health, methods=["POST"]),
    Route("/api/journeys/{jid}/application", submit_application, methods=["POST"]),
    Route("/api/journeys/{jid}/pay", pay, methods=["POST"]),
    Route("/api/journeys/{jid}/extra-1", pass_extra, methods=["POST"]),
    Route("/api/journeys/{jid}/extra-2", pass_extra, methods=["POST"]),
    Route("/api/reconciliation", get_reconciliation, methods=["GET"]),
    Route("/api/export/events.csv", export_csv, methods=["GET"]),
    Route("/api/export/events.parquet", export_parquet, methods=["GET"]),
]
