"""The H5 shop on its own origin: the single page, its static files and the JSON API.

Every answer is the envelope such stores use: {"code": 0, "msg": "ok", "data": {...}}, and on
an error {"code": <http status * 100>, "msg": "...", "data": {"field": ...} | null} with the
HTTP status. Buying needs a log-in (cookie H5SESSION); quotes and the catalogue do not.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.stores.h5shop.store import Order, StepError, Store

STATIC = Path(__file__).parent / "static"
SHOP_HOST = "shop.insurer.test"  # what the page's HTML references; only host rules resolve it
SESSION_COOKIE = "H5SESSION"


@dataclass(frozen=True)
class Product:
    name: str
    cooling_off_days: int
    health_questions: int
    plans: dict[str, tuple[str, int]]  # plan code -> (plan name, premium in fen)


PRODUCTS = {
    "medical": Product("百万医疗险", 15, 3,
                       {"basic": ("基础版", 35800), "plus": ("升级版", 62800)}),
    "accident": Product("综合意外险", 10, 0,
                        {"basic": ("基础版", 9900), "plus": ("升级版", 19900)}),
}
ID_NO = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1\d{10}")


class ApiError(Exception):
    def __init__(self, status: int, msg: str, field: str | None = None) -> None:
        super().__init__(msg)
        self.status, self.msg, self.field = status, msg, field


@dataclass
class ShopConfig:
    """What the shop's routes need to know about the running servers."""

    store: Store
    shop_port: int
    cashier_url: str  # e.g. http://127.0.0.1:Q
    variant: str = "good"
    login_name: str = "qa-tester"
    password: str = "h5-pass-2026"
    sessions: dict[str, str] = field(default_factory=dict)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"code": 0, "msg": "ok", "data": data}, status_code=status)


async def body_of(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise ApiError(400, "请求体不是合法的 JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "请求体必须是 JSON 对象")
    return data


def build_shop_app(cfg: ShopConfig) -> Starlette:
    """The shop's ASGI app; `cfg.store` must only be used from this app's event loop."""
    store = cfg.store

    def buyer(request: Request) -> str:
        name = cfg.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        if name is None:
            raise ApiError(401, "请先登录")
        return name

    def own_order(request: Request) -> Order:
        order = store.order(request.path_params["order_no"])
        if order is None or order.login_name != buyer(request):
            raise ApiError(404, "订单不存在")
        return order

    async def index(request: Request) -> Response:
        """The page, on the shop's own host name only: any other (127.0.0.1) is redirected
        there, as stores send buyers to their canonical host; the hash route is kept."""
        asset_base = f"http://{SHOP_HOST}:{cfg.shop_port}"
        if request.url.hostname != SHOP_HOST:
            return RedirectResponse(f"{asset_base}/", status_code=302)
        config = {"api": f"{asset_base}/h5/api/v2", "posterFirst": cfg.variant ==
                  "notice-below-fold"}
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        html = html.replace("{{ASSET_BASE}}", asset_base)
        return HTMLResponse(html.replace("{{CONFIG_JSON}}", json.dumps(config)))

    async def ping(request: Request) -> JSONResponse:
        return ok({"variant": cfg.variant})

    async def login(request: Request) -> JSONResponse:
        body = await body_of(request)
        if (body.get("loginName"), body.get("password")) != (cfg.login_name, cfg.password):
            raise ApiError(401, "账号或密码错误", "password")
        sid = secrets.token_urlsafe(18)
        cfg.sessions[sid] = cfg.login_name
        response = ok({"loginName": cfg.login_name})
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax")
        return response

    async def session(request: Request) -> JSONResponse:
        name = cfg.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        return ok({"loggedIn": name is not None, "loginName": name})

    async def products(request: Request) -> JSONResponse:
        return ok([{"productCode": code, "productName": p.name,
                    "coolingOffDays": p.cooling_off_days, "healthQuestions": p.health_questions,
                    "plans": [{"planCode": k, "planName": n, "premiumFen": f}
                              for k, (n, f) in p.plans.items()]}
                   for code, p in PRODUCTS.items()])

    async def quote(request: Request) -> JSONResponse:
        body = await body_of(request)
        product = PRODUCTS.get(str(body.get("productCode")))
        if product is None:
            raise ApiError(422, "未知产品", "productCode")
        plan = product.plans.get(str(body.get("planCode", "basic")))
        if plan is None:
            raise ApiError(422, "未知方案", "planCode")
        quote_no = store.add_quote(str(body["productCode"]), str(body.get("planCode", "basic")),
                                   plan[1])
        return ok({"quoteNo": quote_no, "premiumFen": plan[1],
                   "coolingOffDays": product.cooling_off_days})

    async def create_order(request: Request) -> JSONResponse:
        name = buyer(request)
        body = await body_of(request)
        quote_row = store.quote(str(body.get("quoteNo")))
        if quote_row is None:
            raise ApiError(422, "报价已失效，请重新报价", "quoteNo")
        wanted = PRODUCTS[quote_row["product_code"]].health_questions
        answers = body.get("healthAnswers") or {}
        if any(answers.get(f"h{i}") != "N" for i in range(1, wanted + 1)):
            raise ApiError(422, "很抱歉，被保险人不符合健康告知要求", "healthAnswers")
        if body.get("agreeTerms") is not True:
            raise ApiError(422, "请阅读并同意投保须知", "agreeTerms")
        applicant = body.get("applicant") or {}
        person, id_no, mobile = (str(applicant.get(k, "")).strip()
                                 for k in ("name", "idNo", "mobile"))
        for key, good in (("name", bool(person)), ("idNo", bool(ID_NO.fullmatch(id_no))),
                          ("mobile", bool(MOBILE.fullmatch(mobile)))):
            if not good:
                raise ApiError(422, "投保信息填写有误", f"applicant.{key}")
        order = store.add_order(quote_row, name, person, id_no[:6] + "********" + id_no[-4:],
                                mobile[:3] + "****" + mobile[-4:])
        return ok(order_json(order), 201)

    async def get_order(request: Request) -> JSONResponse:
        return ok(order_json(own_order(request)))

    async def submit(request: Request) -> JSONResponse:
        order = own_order(request)
        host = request.headers.get("host") or f"127.0.0.1:{cfg.shop_port}"
        store.submit(order.order_no, f"http://{host}/#/result?orderNo={order.order_no}")
        return ok({"orderNo": order.order_no, "status": "PAYING",
                   "cashierUrl": f"{cfg.cashier_url}/pay?order={order.order_no}"})

    async def policy(request: Request) -> JSONResponse:
        order = own_order(request)
        if order.status != "PAID" or order.policy_no is None:
            raise ApiError(409, "订单尚未支付")
        return ok({"orderNo": order.order_no, "policyNo": order.policy_no,
                   "premiumFen": order.premium_fen, "state": "ISSUED"})

    async def export(request: Request) -> Response:
        return Response(store.export_csv(), media_type="text/csv; charset=utf-8")

    api = "/h5/api/v2"
    routes = [
        Route("/", index), Route("/h5/ping", ping),
        Route(f"{api}/login", login, methods=["POST"]),
        Route(f"{api}/session", session), Route(f"{api}/products", products),
        Route(f"{api}/quote", quote, methods=["POST"]),
        Route(f"{api}/order", create_order, methods=["POST"]),
        Route(f"{api}/order/{{order_no}}", get_order),
        Route(f"{api}/order/{{order_no}}/submit", submit, methods=["POST"]),
        Route(f"{api}/policy/{{order_no}}", policy),
        Route(f"{api}/admin/policies.csv", export),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    return Starlette(routes=routes, exception_handlers={
        ApiError: api_error, StepError: step_error, 404: not_found, 405: not_allowed})


def order_json(order: Order) -> dict[str, Any]:
    product = PRODUCTS[order.product_code]
    return {"orderNo": order.order_no, "productCode": order.product_code,
            "productName": product.name, "planName": product.plans[order.plan_code][0],
            "applicantName": order.applicant_name, "premiumFen": order.premium_fen,
            "status": order.status}


def error(status: int, msg: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"code": status * 100, "msg": msg,
                         "data": {"field": field} if field else None}, status_code=status)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error(exc.status, exc.msg, exc.field)


async def step_error(request: Request, exc: Exception) -> Response:
    return error(409, str(exc))


async def not_found(request: Request, exc: Exception) -> Response:
    return error(404, "not found")


async def not_allowed(request: Request, exc: Exception) -> Response:
    return error(405, "method not allowed")
