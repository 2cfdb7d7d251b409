"""The payment cashier on its own origin (another port): a server-rendered page, no JavaScript.

GET /pay?order=NO shows the amount and a 确认支付 form; POST /pay/confirm pays the order and,
from the form, answers 303 to the shop's return URL (`#/result?orderNo=...`); from a JSON
client ({"order": NO}) it answers {"tradeNo", "order", "paidFen", "returnUrl"}. Paying a paid
order again answers its first payment.
"""

from __future__ import annotations

import html
import json
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.stores.h5shop.store import Order, StepError, Store

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>安心付 收银台</title>
<style>
body {{ margin: 0; font: 16px/1.5 sans-serif; background: #f2f4f7; color: #1d2129; }}
.bar {{ background: #1677ff; color: #fff; padding: 12px 16px; font-size: 17px; }}
.card {{ background: #fff; margin: 16px; padding: 20px; border-radius: 8px; }}
.amount {{ font-size: 32px; font-weight: 600; margin: 8px 0; }}
#pay-btn {{ width: 100%; padding: 12px; border: 0; border-radius: 6px; background: #1677ff;
           color: #fff; font-size: 17px; }}
</style></head>
<body><div class="bar">安心付 · 收银台</div>
<div class="card"><div>订单号 {order}</div><div class="amount">¥{yuan}</div>
<div>{product}</div>
<form method="post" action="/pay/confirm"><input type="hidden" name="order" value="{order}">
<button id="pay-btn" type="submit">确认支付</button></form></div></body></html>
"""


def build_cashier_app(store: Store) -> Starlette:
    """The cashier's ASGI app; it shares the shop's Store (same event loop)."""

    async def pay_page(request: Request) -> Response:
        order = store.order(request.query_params.get("order", ""))
        if order is None or order.status not in ("PAYING", "PAID"):
            return HTMLResponse("<p>订单不存在或不可支付</p>", status_code=404)
        return HTMLResponse(PAGE.format(order=html.escape(order.order_no),
                                        yuan=f"{order.premium_fen / 100:.2f}",
                                        product=html.escape(order.product_code)))

    async def confirm(request: Request) -> Response:
        raw = await request.body()
        is_json = request.headers.get("content-type", "").startswith("application/json")
        try:
            fields = json.loads(raw or b"{}") if is_json else {
                k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        except ValueError:
            return JSONResponse({"error": "malformed body"}, status_code=400)
        order_no = str(fields.get("order", "")) if isinstance(fields, dict) else ""
        order = store.order(order_no)
        if order is None:
            return JSONResponse({"error": "unknown order"}, status_code=404)
        trade_no = store.trade_no(order_no)
        if trade_no is None:
            try:
                trade_no = store.pay(order_no)
            except StepError as exc:
                return JSONResponse({"error": str(exc)}, status_code=409)
        paid = store.order(order_no)
        assert isinstance(paid, Order)
        if not is_json:
            return RedirectResponse(paid.return_url or "/", status_code=303)
        return JSONResponse({"tradeNo": trade_no, "order": order_no,
                             "paidFen": paid.premium_fen, "returnUrl": paid.return_url})

    return Starlette(routes=[Route("/pay", pay_page),
                             Route("/pay/confirm", confirm, methods=["POST"])])
