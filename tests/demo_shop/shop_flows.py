"""Test helpers for the demo shop: a synchronous client on the real app (ASGI transport) and
walks of a purchase through the JSON API."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

import httpx

from harness_demo_shop.app import create_app
from harness_demo_shop.idcard import make_id_number
from harness_demo_shop.settings import Settings

ADULT_ID = make_id_number(date(1990, 5, 17))
ALL_NO = {"q1": "no", "q2": "no", "q3": "no", "q4": "no"}


class ShopClient:
    """A synchronous face on httpx.AsyncClient + ASGITransport (real HTTP semantics, no port)."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.settings = settings
        self._loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=self.app)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://shop.test")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._loop.run_until_complete(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def gather(self, calls: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
        """Send requests concurrently (for the slow variant and payment races)."""

        async def run() -> list[httpx.Response]:
            tasks = [self._client.request(m, u, **kw) for m, u, kw in calls]
            return list(await asyncio.gather(*tasks))

        return self._loop.run_until_complete(run())

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()
        self.app.state.shop.store.close()


def application_body(id_number: str = ADULT_ID) -> dict[str, Any]:
    return {"applicant_name": "张三", "insured_name": "李四", "id_number": id_number,
            "phone": "13800138000", "consent": True}


def start_api(client: ShopClient, product: str, visitor: str = "v-test") -> str:
    response = client.post("/api/journeys", json={"product": product, "visitor_id": visitor})
    assert response.status_code == 201, response.text
    return str(response.json()["journey_id"])


def to_confirm_api(client: ShopClient, product: str, visitor: str = "v-test") -> tuple[str, int]:
    """Walk the JSON API to the confirm step; return (journey_id, premium_fen)."""
    jid = start_api(client, product, visitor)
    nxt = client.post(f"/api/journeys/{jid}/notice", json={}).json()["next"]
    if nxt == "health":
        answers = dict(ALL_NO)
        response = client.post(f"/api/journeys/{jid}/health", json={"answers": answers})
        if response.status_code == 422:  # gray-regression asks one more question
            answers |= {k: "no" for k in response.json()["errors"]}
            response = client.post(f"/api/journeys/{jid}/health", json={"answers": answers})
        nxt = response.json()["next"]
    assert nxt == "application"
    response = client.post(f"/api/journeys/{jid}/application", json=application_body())
    assert response.status_code == 200, response.text
    body = response.json()
    while body["next"] != "confirm":
        body = client.post(f"/api/journeys/{jid}/{body['next']}", json={}).json()
    return jid, int(response.json()["premium_fen"])


def buy_api(client: ShopClient, product: str, visitor: str = "v-test") -> httpx.Response:
    jid, premium = to_confirm_api(client, product, visitor)
    body = {"idempotency_key": f"key-{jid}", "amount_fen": premium}
    return client.post(f"/api/journeys/{jid}/pay", json=body)


def flow_step(html: str) -> str:
    """The data-flow-step of a page, checking there is exactly one <main> and one <h1>."""
    assert html.count("<h1") == 1, "exactly one <h1> per screen"
    steps = re.findall(r'<main data-flow-step="([^"]+)"', html)
    assert len(steps) == 1, steps
    return steps[0]
