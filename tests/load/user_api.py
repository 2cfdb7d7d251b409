"""A small JSON purchase API that is not the demo shop, for the user's-own-load-test tests:
other paths, other field names, its orders and policies in a real SQLite file.

    POST /v1/quotes  {"plan": "..."}      -> 200 {"quoteId": "...", "premiumFen": 12800}
    POST /v1/orders  {"quoteId": "..."}   -> 201 {"orderNo": "...", "policyNo": "...",
                                                   "amountFen": 12800}

and the API the project template's locustfile assumes (harness/templates/project/):

    POST /api/quotes {"product"...}        -> {"quote_id", "premium_fen"}
    POST /api/orders {"quote_id"}          -> {"order_id"}
    POST /api/orders/<id>/pay {"amount_fen", "idempotency_key"}
                                           -> {"policy_number", "charged_fen"}

Variants: "good"; "lost-policies" (every 3rd order is stored without its policy, though the
buyer was told one); "premium-mismatch" (every 4th order is stored with 1 fen more).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SCHEMA = "CREATE TABLE orders (order_no TEXT PRIMARY KEY, policy_no TEXT, premium_fen INTEGER)"
QUERY = "SELECT order_no AS order_id, policy_no AS policy_number, premium_fen FROM orders"


class Store:
    def __init__(self, db_path: Path, variant: str) -> None:
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.db.execute(SCHEMA)
        self.db.commit()
        self.variant = variant
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.issued = itertools.count(1)  # paid orders: every 3rd / 4th is spoilt by a variant
        self.quotes: dict[str, int] = {}
        self.pending: dict[str, int] = {}

    def quote(self, plan: str) -> dict[str, Any]:
        with self.lock:
            quote_id = f"Q{next(self.numbers)}"
            premium = 9900 + 100 * (len(plan) % 7)
            self.quotes[quote_id] = premium
        return {"quoteId": quote_id, "premiumFen": premium}

    def order(self, quote_id: str) -> dict[str, Any] | None:
        with self.lock:
            premium = self.quotes.pop(quote_id, None)
            if premium is None:
                return None
            order_no, policy_no = self._issue(premium)
        return {"orderNo": order_no, "policyNo": policy_no, "amountFen": premium}

    def _issue(self, premium: int, order_no: str = "") -> tuple[str, str]:
        """Store one paid order and its policy (as the variant spoils them); under the lock."""
        n = next(self.issued)
        order_no, policy_no = order_no or f"ORD-{n:06d}", f"POL-{n:06d}"
        stored_policy = None if self.variant == "lost-policies" and n % 3 == 0 else policy_no
        stored_fen = premium + (1 if self.variant == "premium-mismatch" and n % 4 == 0 else 0)
        self.db.execute("INSERT INTO orders VALUES (?, ?, ?)",
                        (order_no, stored_policy, stored_fen))
        self.db.commit()
        return order_no, policy_no

    def template_api(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The project template's API: quote, order, pay (the order is stored when paid)."""
        if path == "/api/quotes":
            quote = self.quote(str(body.get("product", "")))
            return 200, {"quote_id": quote["quoteId"], "premium_fen": quote["premiumFen"]}
        if path == "/api/orders":
            with self.lock:
                premium = self.quotes.pop(str(body.get("quote_id")), None)
                if premium is None:
                    return 409, {"error": "unknown quote"}
                order_id = f"T{next(self.numbers)}"
                self.pending[order_id] = premium
            return 201, {"order_id": order_id}
        order_id = path.removeprefix("/api/orders/").removesuffix("/pay")
        with self.lock:
            premium = self.pending.pop(order_id, None)
            if premium is None or body.get("amount_fen") != premium:
                return 409, {"error": "unknown order or wrong amount"}
            _, policy_no = self._issue(premium, order_id)
        return 200, {"policy_number": policy_no, "charged_fen": premium}


def serve(db_path: Path, variant: str = "good") -> ThreadingHTTPServer:
    store = Store(db_path, variant)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(400, {"error": "not JSON"})
                return
            if self.path.startswith("/api/"):
                self._send(*store.template_api(self.path, body))
            elif self.path == "/v1/quotes":
                self._send(200, store.quote(str(body.get("plan", ""))))
            elif self.path == "/v1/orders":
                order = store.order(str(body.get("quoteId", "")))
                self._send(201 if order else 409, order or {"error": "unknown quote"})
            else:
                self._send(404, {"error": "no such path"})

        def _send(self, status: int, data: dict[str, Any]) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    return httpd
