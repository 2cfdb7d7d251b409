"""The ASGI application: routes, error answers and the variant-specific middleware.

Errors are answered in the caller's language: JSON `{"error", "field"}` under /api, an HTML page
elsewhere. A catch-all middleware turns any unexpected exception into a plain 500 with no
traceback in the body (the traceback goes to the server log) and records a `server_error` event.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness_demo_shop import complaints, metrics_asgi, routes_api, routes_pages
from harness_demo_shop.errors import Invalid, ShopError
from harness_demo_shop.hot_path import HotPath
from harness_demo_shop.journey import now_ms
from harness_demo_shop.settings import Settings
from harness_demo_shop.shop import Shop
from harness_demo_shop.variants import SLOW_MAX_S

log = logging.getLogger("harness_demo_shop")

HEADINGS = {
    400: "请求有误",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "无法继续当前操作",
    413: "提交的内容过大",
    422: "请检查填写的内容",
    500: "系统繁忙，请稍后再试",
    502: "支付未成功",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_response(request: Request, status: int, message: str, field: str | None = None,
                   errors: dict[str, str] | None = None) -> Response:
    """The one shape of every error answer (never a traceback)."""
    if _wants_json(request):
        return routes_api.json_response(routes_api.error_answer(message, field, errors), status)
    heading = HEADINGS.get(status, "请求有误")
    return routes_pages.render(request, "error.html", "error", heading, status,
                               heading=heading, message=message)


async def _shop_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShopError)
    errors = exc.errors if isinstance(exc, Invalid) else None
    return error_response(request, exc.status, exc.message, exc.field, errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "没有这个页面或接口", 405: "此地址不支持该请求方式"}
    message = messages.get(exc.status_code, str(exc.detail))
    response = error_response(request, exc.status_code, message)
    if exc.status_code == 405 and exc.headers:
        response.headers.update(exc.headers)
    return response


async def answer_unexpected(shop: Shop, scope: Scope, receive: Receive, send: Send,
                            started: bool) -> None:
    """After an unexpected exception: log it, record `server_error`, answer a generic 500
    unless the response has started."""
    log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
    await _record_server_error(shop, Request(scope))
    if not started:
        request = Request(scope)
        response = error_response(request, 500, "服务暂时不可用，请稍后再试")
        await response(scope, receive, send)


async def _record_server_error(shop: Shop, request: Request) -> None:
    try:
        visitor = request.cookies.get("visitor_id") or "anonymous"
        cohort = shop.journeys.cohort_of(visitor)
        row = {"ts_ms": 0, "user_id": visitor[:64], "cohort": cohort, "event": "server_error",
               "value": None, "product": None, "journey_id": None}
        await shop.store.add_events([row | {"ts_ms": now_ms()}])
    except Exception:  # the store itself may be what failed
        log.exception("could not record server_error")


class CatchAll:
    """Answer any unexpected exception with a generic 500 and record `server_error`."""

    def __init__(self, app: ASGIApp, shop: Shop) -> None:
        self.app = app
        self.shop = shop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            await answer_unexpected(self.shop, scope, receive, send, started)


class InFlightLatency:
    """The `slow` variant: each request waits `ms_per_request` × requests in flight (async),
    at most SLOW_MAX_S."""

    def __init__(self, app: ASGIApp, ms_per_request: float) -> None:
        self.app = app
        self.seconds_per_request = ms_per_request / 1000
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await asyncio.sleep(min(self.in_flight * self.seconds_per_request, SLOW_MAX_S))
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


# FastAPI's built-in OpenTelemetry hooks cost more per request than a journey step's SQL
NO_TELEMETRY: Any = {"tracing": False, "metrics": False, "logs": False}


class ShopApp(FastAPI):
    """FastAPI, with the JSON journey steps taken by the hot path first
    (`harness_demo_shop.hot_path`);
    without one (the slow variant, whose middleware must see every request) FastAPI serves all."""

    hot_path: HotPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hot_path is not None and scope["type"] == "http":
            match = self.hot_path.match(scope)
            if match is not None:
                await self.hot_path.serve(*match, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> ShopApp:
    """Build the shop for `settings` (opens the database and creates missing tables)."""
    settings = settings or Settings()
    shop = Shop.open(settings)
    app = ShopApp(title="demo insurance shop", docs_url=None, redoc_url=None, openapi_url=None,
                  telemetry=NO_TELEMETRY)
    app.state.shop = shop
    app.router.routes.extend(routes_api.ROUTES)
    app.router.routes.extend(routes_pages.ROUTES)
    app.router.routes.extend(complaints.ROUTES)
    if shop.metrics.enabled:
        app.router.routes.extend(metrics_asgi.ROUTES)
        metrics_asgi.label_routes(app.router.routes)
    app.add_exception_handler(ShopError, _shop_error)
    app.add_exception_handler(HTTPException, _http_error)
    if settings.variant == "slow":
        app.add_middleware(InFlightLatency, ms_per_request=settings.slow_ms_per_request)
    else:
        app.hot_path = HotPath(shop, partial(answer_unexpected, shop))
    app.add_middleware(CatchAll, shop=shop)
    if shop.metrics.enabled:  # outermost: it sees the catch-all's 500s too
        app.add_middleware(metrics_asgi.RequestMetrics, metrics=shop.metrics,
                           gray_percent=settings.gray_percent)
    return app
