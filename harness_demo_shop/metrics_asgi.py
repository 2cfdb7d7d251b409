"""The metrics of requests FastAPI answers (pages, exports, the slow variant's API), and the
`/metrics` endpoint Prometheus scrapes.

The journey steps of the JSON API are counted by the hot path itself
(`harness_demo_shop.hot_path`), which answers them in front of this middleware; everything else
passes through here once. The `route` label is the matched route's template (never the raw path,
which would make a series per journey): `label_routes` has each route note its template in the
request's scope as it is handed the request (FastAPI's router does not do it for plain Starlette
routes). A request no route took (404, and 405 answered by the router) is `unmatched`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness_demo_shop.cohort import assign_cohort, is_valid_visitor_id
from harness_demo_shop.metrics import NO_COHORT, NoMetrics, current_cohort, reset_cohort, step_of
from harness_demo_shop.shop import Shop

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
ROUTE_KEY = "harness_demo_shop.route"


def _labelled(app: ASGIApp, template: str) -> ASGIApp:
    async def labelled(scope: Scope, receive: Receive, send: Send) -> None:
        scope[ROUTE_KEY] = template
        await app(scope, receive, send)

    return labelled


def label_routes(routes: Sequence[BaseRoute]) -> None:
    """Have every plain route write its path template into the scope of the requests it takes."""
    for route in routes:
        if isinstance(route, Route):
            route.app = _labelled(route.app, route.path)


class RequestMetrics:
    """Count each request by route template, method, status and cohort; time journey steps."""

    def __init__(self, app: ASGIApp, metrics: NoMetrics, gray_percent: float) -> None:
        self.app = app
        self.metrics = metrics
        self.gray_percent = gray_percent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == METRICS_PATH:
            await self.app(scope, receive, send)
            return
        status = 500
        begin = time.perf_counter()
        reset_cohort()

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            route = scope.get(ROUTE_KEY, UNMATCHED)
            method: str = scope["method"]
            self.metrics.request(route, method, status, self._cohort(scope), step_of(method, route),
                                 time.perf_counter() - begin)

    def _cohort(self, scope: Scope) -> str:
        """The journey's cohort noted while answering, else the visitor cookie's."""
        cohort = current_cohort()
        if cohort != NO_COHORT:
            return cohort
        visitor = Request(scope).cookies.get("visitor_id", "")
        return assign_cohort(visitor, self.gray_percent) if is_valid_visitor_id(visitor) \
            else NO_COHORT


async def metrics_endpoint(request: Request) -> Response:
    shop: Shop = request.app.state.shop
    body, content_type = shop.metrics.exposition()
    return Response(body, media_type=content_type)


ROUTES = [Route(METRICS_PATH, metrics_endpoint, methods=["GET"])]
