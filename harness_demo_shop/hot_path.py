"""The hot path of the JSON API: the journey steps answered in front of FastAPI's stack.

Why: a load test sends nothing but these steps, each on an otherwise idle connection, and the
layers every request crosses in FastAPI (server-error, exception and exit-stack middleware, the
app's catch-all with its send wrapper, routing over every route) cost more CPU than the step
itself. The hot path takes exactly the requests those routes would take (POST, `{jid}` being
one non-empty path segment, no root path) and hands everything else to FastAPI. It answers as
the routes do: the same step functions (`routes_api.STEPS`), the same JSON body, status and
headers, shop errors as the JSON error answer, and anything unexpected through the same
catch-all (`on_unexpected`, a generic 500 and a `server_error` event). It counts each request in
the shop's metrics as FastAPI's path would (`harness_demo_shop.metrics`): route template, status,
the journey's cohort, the step's latency.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from harness_demo_shop.errors import Invalid, ShopError
from harness_demo_shop.metrics import current_cohort, reset_cohort
from harness_demo_shop.routes_api import (
    STEPS,
    Step,
    check_declared_length,
    create_journey,
    error_answer,
    json_body,
    parse_body,
)
from harness_demo_shop.shop import Shop

OnUnexpected = Callable[[Scope, Receive, Send, bool], Awaitable[None]]
JOURNEYS = "/api/journeys"
JSON_TYPE = (b"content-type", b"application/json")
# the metrics' (route template, step) of each step's path ending; "" is POST /api/journeys
_LABELS = {"": (JOURNEYS, "start")} | {
    name: (f"{JOURNEYS}/{{jid}}/{name}", name) for name in STEPS}


def _declared_length(scope: Scope) -> str:
    """The Content-Length header as Starlette's `request.headers` gives it ("0" if absent)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text: str = value.decode("latin-1")
            return text
    return "0"


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


class HotPath:
    def __init__(self, shop: Shop, on_unexpected: OnUnexpected) -> None:
        self.shop = shop
        self.on_unexpected = on_unexpected

    @staticmethod
    def match(scope: Scope) -> tuple[Step, str] | None:
        """(step, journey id) when a route of the journey steps would take this request."""
        if scope["method"] != "POST" or scope.get("root_path"):
            return None
        path: str = scope["path"]
        if path == JOURNEYS:
            return create_journey, ""
        if not path.startswith(JOURNEYS + "/"):
            return None
        jid, slash, name = path[len(JOURNEYS) + 1 :].partition("/")
        step = STEPS.get(name) if jid and slash else None
        return (step, jid) if step is not None else None

    async def serve(self, step: Step, jid: str, scope: Scope, receive: Receive,
                    send: Send) -> None:
        started, status = False, 500
        begin = time.perf_counter()
        reset_cohort()
        try:
            status, answer = await self._answer(step, jid, scope, receive)
            body = json_body(answer)
            headers = [(b"content-length", b"%d" % len(body)), JSON_TYPE]
            started = True
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        except Exception:
            status = 500
            await self.on_unexpected(scope, receive, send, started)
        metrics = self.shop.metrics
        if metrics.enabled:
            route, name = _LABELS[scope["path"].rpartition("/")[2] if jid else ""]
            metrics.request(route, "POST", status, current_cohort(), name,
                            time.perf_counter() - begin)

    async def _answer(self, step: Step, jid: str, scope: Scope,
                      receive: Receive) -> tuple[int, dict[str, Any]]:
        shop = self.shop
        try:
            limit = shop.settings.max_body_bytes
            check_declared_length(_declared_length(scope), limit)
            data = parse_body(await _read_body(receive), limit)
            return await step(shop, jid, data)
        except ShopError as exc:
            errors = exc.errors if isinstance(exc, Invalid) else None
            return exc.status, error_answer(exc.message, exc.field, errors)
