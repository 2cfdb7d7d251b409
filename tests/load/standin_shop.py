"""A tiny stand-in of the demo shop's JSON API (docs/contracts.md) for load tests of the
harness itself: same routes and answers, in-memory, stdlib only, HTTP/1.1 keep-alive.

`python -m tests.load.standin_shop PORT [--break-pay-idempotency]` serves until killed; the
flag makes a repeated idempotency key issue a second policy (an integrity defect to detect).
It also counts accepted TCP connections (GET /_connections) for the keep-alive test.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREMIUM_FEN = {"medical": 29900, "travel": 4500, "accident": 9900}


class Shop:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.journeys: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.policies: list[dict[str, Any]] = []
        self.counter = itertools.count(1)
        self.connections = 0

    def reconciliation(self) -> dict[str, Any]:
        """The demo shop's answer shape: summary counts and per paid journey rows."""
        rows: dict[str, dict[str, Any]] = {}
        for p in self.payments.values():
            row = rows.setdefault(p["journey_id"], {
                "journey_id": p["journey_id"], "premium_fen": p["amount_fen"],
                "payments": [], "policy_numbers": []})
            row["payments"].append({"payment_id": p["payment_id"],
                                    "idempotency_key": p["idempotency_key"],
                                    "charged_fen": p["amount_fen"]})
        for policy in self.policies:
            rows[policy["journey_id"]]["policy_numbers"].append(policy["policy_number"])
        summary = {"paid": len(rows), "payments": len(self.payments),
                   "policies": len(self.policies)}
        return {"summary": summary, "journeys": list(rows.values())}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    shop: Shop
    server_version = "standin"

    def setup(self) -> None:
        super().setup()
        with self.shop.lock:
            self.shop.connections += 1

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(200, {"ok": True, "variant": "standin", "gray_percent": 0})
        elif self.path == "/_connections":
            self._send(200, {"connections": self.shop.connections})
        elif self.path.split("?")[0] == "/api/reconciliation":
            with self.shop.lock:
                self._send(200, self.shop.reconciliation())
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        parts = self.path.strip("/").split("/")
        if parts == ["api", "journeys"]:
            jid = uuid.uuid4().hex
            self.shop.journeys[jid] = {"product": body["product"]}
            self._send(201, {"journey_id": jid, "cohort": "control", "product": body["product"],
                             "next": "notice"})
            return
        if len(parts) != 4 or parts[3] not in ("notice", "health", "application", "pay"):
            self._send(404, {"error": "not found"})
            return
        journey = self.shop.journeys.get(parts[2])
        if journey is None:
            self._send(404, {"error": "no such journey"})
            return
        getattr(self, f"_{parts[3]}")(parts[2], journey, body)

    def _notice(self, jid: str, journey: dict[str, Any], body: dict[str, Any]) -> None:
        self._send(200, {"next": "health" if journey["product"] == "medical" else "application"})

    def _health(self, jid: str, journey: dict[str, Any], body: dict[str, Any]) -> None:
        answers = body.get("answers", {})
        yes = any(v == "yes" for v in answers.values())
        self._send(200, {"next": "declined" if yes else "application"})

    def _application(self, jid: str, journey: dict[str, Any], body: dict[str, Any]) -> None:
        journey["premium_fen"] = PREMIUM_FEN[journey["product"]]
        self._send(200, {"quote_id": jid, "premium_fen": journey["premium_fen"],
                         "next": "confirm"})

    def _pay(self, jid: str, journey: dict[str, Any], body: dict[str, Any]) -> None:
        key = body["idempotency_key"]
        with self.shop.lock:
            if key in self.shop.payments and not BREAK_IDEMPOTENCY:
                self._send(200, self.shop.payments[key]["answer"])
                return
            n = next(self.shop.counter)
            policy = f"P{n:08d}"
            answer = {"payment_id": f"pay-{n}", "policy_number": policy,
                      "charged_fen": journey["premium_fen"]}
            self.shop.payments[f"{key}-{n}" if key in self.shop.payments else key] = {
                "payment_id": f"pay-{n}", "journey_id": jid, "idempotency_key": key,
                "amount_fen": journey["premium_fen"], "policy_number": policy, "answer": answer}
            self.shop.policies.append({"policy_number": policy, "journey_id": jid,
                                       "premium_fen": journey["premium_fen"]})
        self._send(200, answer)


BREAK_IDEMPOTENCY = False


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"shop": Shop()})
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


if __name__ == "__main__":
    BREAK_IDEMPOTENCY = "--break-pay-idempotency" in sys.argv
    serve(int(sys.argv[1])).serve_forever()
