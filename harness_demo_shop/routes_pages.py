"""The server-rendered pages of the purchase flow (zh-CN, no JavaScript needed).

Each page renders one `<main data-flow-step=...>` with one `<h1>`; each form posts back to the
server and is answered with a 303 to the next screen or, on a field error, the same page
re-rendered with status 422. Browser visitors are known by the `visitor_id` cookie.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from harness_demo_shop.catalog import PRODUCTS, SHOP_FACTS
from harness_demo_shop.cohort import is_valid_visitor_id, new_visitor_id
from harness_demo_shop.errors import Conflict, Invalid, NotFound, TooLarge
from harness_demo_shop.journey import now_ms
from harness_demo_shop.rating import format_yuan, lowest_premium_fen
from harness_demo_shop.shop import Shop

TEMPLATES = Environment(
    loader=PackageLoader("harness_demo_shop", "templates"), autoescape=select_autoescape(["html"])
)
COOKIE = "visitor_id"
APPLICATION_FIELDS = (
    ("applicant_name", "投保人姓名", "text", 'autocomplete="name"'),
    ("insured_name", "被保险人姓名", "text", ""),
    ("id_number", "被保险人身份证号码", "text", 'inputmode="text" autocomplete="off"'),
    ("phone", "手机号码", "tel", 'inputmode="numeric" autocomplete="tel"'),
)
TITLES = {"extra-1": "附加保障", "extra-2": "确认联系方式"}


def _shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def render(request: Request, template: str, step: str, title: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    variant = _shop(request).settings.variant
    html = TEMPLATES.get_template(template).render(
        step=step, title=title, variant=variant, shop=SHOP_FACTS, **context
    )
    return HTMLResponse(html, status)


def visitor_of(request: Request) -> tuple[str, bool]:
    """The visitor id from the cookie, or a new one (True when it must be set)."""
    current = request.cookies.get(COOKIE, "")
    return (current, False) if is_valid_visitor_id(current) else (new_visitor_id(), True)


def _with_cookie(response: Response, visitor: str, is_new: bool) -> Response:
    if is_new:
        response.set_cookie(COOKIE, visitor, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def _goto(journey_id: str, step: str) -> RedirectResponse:
    return RedirectResponse(f"/j/{journey_id}/{step}", status_code=303)


async def read_form(request: Request) -> FormData:
    limit = _shop(request).settings.max_body_bytes
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        raise TooLarge(f"提交的内容不能超过{limit}字节", "body")
    return await request.form(max_files=0, max_fields=32, max_part_size=limit)


async def products_page(request: Request) -> Response:
    visitor, is_new = visitor_of(request)
    prices = {code: format_yuan(lowest_premium_fen(code)) for code in PRODUCTS}
    page = render(request, "products.html", "products", "选择保险产品",
                  products=PRODUCTS.values(), from_price=prices)
    return _with_cookie(page, visitor, is_new)


async def product_page(request: Request) -> Response:
    shop = _shop(request)
    product = shop.journeys.product(request.path_params["code"])
    visitor, is_new = visitor_of(request)
    await shop.journeys.view_product(product, visitor)
    page = render(request, "product.html", "product", product.name, product=product,
                  from_price=format_yuan(lowest_premium_fen(product.code)))
    return _with_cookie(page, visitor, is_new)


async def start(request: Request) -> Response:
    form = await read_form(request)
    visitor, is_new = visitor_of(request)
    plan = form.get("plan")
    journey = await _shop(request).journeys.start(
        request.path_params["code"], visitor, plan if isinstance(plan, str) and plan else None
    )
    return _with_cookie(_goto(journey["journey_id"], "notice"), visitor, is_new)


async def notice_page(request: Request) -> Response:
    journeys = _shop(request).journeys
    journey = journeys.load(request.path_params["jid"])
    if request.method == "POST":
        await read_form(request)
        return _goto(journey["journey_id"], await journeys.ack_notice(journey["journey_id"]))
    journeys.require_step(journey, "notice")
    return render(request, "notice.html", "notice", "投保提示", journey=journey)


def _health_form(request: Request, journey: Mapping[str, Any], answers: Mapping[str, Any],
                 errors: dict[str, str]) -> HTMLResponse:
    journeys = _shop(request).journeys
    questions = journeys.questions(journey)
    first = next((q.code for q in questions if q.code in errors), None)
    unclear = journeys.settings.variant == "unclear-errors"
    return render(request, "health.html", "health", "健康告知", 422 if errors else 200,
                  journey=journey, questions=questions, answers=answers, errors=errors,
                  first_error=first, unclear=unclear)


async def health_page(request: Request) -> Response:
    journeys = _shop(request).journeys
    journey = journeys.load(request.path_params["jid"])
    if request.method == "GET":
        await journeys.view_step(journey, "health")
        return _health_form(request, journey, {}, {})
    form = await read_form(request)
    answers = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        nxt = await journeys.submit_health(journey["journey_id"], answers)
    except Invalid as exc:
        await journeys.view_step(journey, "health")
        return _health_form(request, journey, answers, exc.errors)
    return _goto(journey["journey_id"], nxt)


async def declined_page(request: Request) -> Response:
    journey = _shop(request).journeys.load(request.path_params["jid"])
    if journey["status"] != "declined":
        raise Conflict("该投保流程未被拒保", "journey_id")
    return render(request, "declined.html", "declined", "暂时无法在线投保")


def _application_form(request: Request, journey: Mapping[str, Any], form: Mapping[str, Any],
                      errors: dict[str, str]) -> HTMLResponse:
    product = PRODUCTS[journey["product"]]
    order = [f[0] for f in APPLICATION_FIELDS] + ["consent"]
    first = next((name for name in order if name in errors), None)
    return render(request, "application.html", "application", "填写投保信息",
                  422 if errors else 200, journey=journey, product=product,
                  plan=product.plan(journey["plan"]), fields=APPLICATION_FIELDS, form=form,
                  errors=errors, first_error=first)


async def application_page(request: Request) -> Response:
    journeys = _shop(request).journeys
    journey = journeys.load(request.path_params["jid"])
    if request.method == "GET":
        await journeys.view_step(journey, "application")
        return _application_form(request, journey, {}, {})
    form = {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
    try:
        move = await journeys.submit_application(journey["journey_id"], form)
    except Invalid as exc:
        return _application_form(request, journey, form, exc.errors)
    return _goto(journey["journey_id"], move.next)


async def extra_page(request: Request) -> Response:
    journeys = _shop(request).journeys
    journey = journeys.load(request.path_params["jid"])
    step = request.url.path.rsplit("/", 1)[-1]
    if request.method == "POST":
        await read_form(request)
        nxt = await journeys.pass_extra(journey["journey_id"], step)
        return _goto(journey["journey_id"], nxt)
    journeys.require_step(journey, step)
    return render(request, "extra.html", step, TITLES.get(step, step), journey=journey)


async def confirm_page(request: Request) -> Response:
    journeys = _shop(request).journeys
    journey = journeys.load(request.path_params["jid"])
    await journeys.view_step(journey, "confirm")
    product = PRODUCTS[journey["product"]]
    return render(request, "confirm.html", "confirm", "确认并支付", journey=journey,
                  product=product, plan=product.plan(journey["plan"]),
                  premium=format_yuan(journey["premium_fen"]),
                  idempotency_key="web-" + secrets.token_hex(12))


async def pay_page(request: Request) -> Response:
    form = await read_form(request)
    amount = form.get("amount_fen")
    amount_fen = int(amount) if isinstance(amount, str) and amount.isdigit() else amount
    receipt = await _shop(request).payments.pay(
        request.path_params["jid"], form.get("idempotency_key"), amount_fen
    )
    return _goto(receipt.journey_id, "success")


async def success_page(request: Request) -> Response:
    shop = _shop(request)
    journey = shop.journeys.load(request.path_params["jid"])
    payment = shop.store.first_payment_of(journey["journey_id"])
    if journey["status"] != "paid" or payment is None:
        raise Conflict("该投保流程尚未支付", "journey_id")
    return render(request, "success.html", "success", "投保成功", receipt=payment,
                  charged=format_yuan(payment["charged_fen"]))


async def policy_page(request: Request) -> Response:
    shop = _shop(request)
    number = request.path_params["policy_no"]
    policy = shop.store.get_policy(number) if len(number) <= 32 else None
    if policy is None:
        raise NotFound("没有找到这张保单", "policy_number")
    product = PRODUCTS[policy["product"]]
    return render(request, "policy.html", "policy", "我的保单", policy=policy, product=product,
                  premium=format_yuan(policy["premium_fen"]))


async def surrender(request: Request) -> Response:
    await read_form(request)
    shop = _shop(request)
    number = request.path_params["policy_no"]
    if len(number) > 32 or shop.store.get_policy(number) is None:
        raise NotFound("没有找到这张保单", "policy_number")
    if not await shop.store.surrender_policy(number, now_ms()):
        raise Conflict("这张保单已经退保", "policy_number")
    return render(request, "surrendered.html", "surrendered", "退保申请已受理",
                  policy_number=number)


async def service_page(request: Request) -> Response:
    """The online service entry (在线客服) the sales pages link to (监管办法 art. 13)."""
    return render(request, "service.html", "service", "在线客服")


_GET, _POST, _BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES = [
    Route("/service", service_page, methods=_GET),
    Route("/", products_page, methods=_GET),
    Route("/products/{code}", product_page, methods=_GET),
    Route("/products/{code}/start", start, methods=_POST),
    Route("/j/{jid}/notice", notice_page, methods=_BOTH),
    Route("/j/{jid}/health", health_page, methods=_BOTH),
    Route("/j/{jid}/declined", declined_page, methods=_GET),
    Route("/j/{jid}/application", application_page, methods=_BOTH),
    Route("/j/{jid}/confirm", confirm_page, methods=_GET),
    Route("/j/{jid}/pay", pay_page, methods=_POST),
    Route("/j/{jid}/success", success_page, methods=_GET),
    Route("/j/{jid}/extra-1", extra_page, methods=_BOTH),
    Route("/j/{jid}/extra-2", extra_page, methods=_BOTH),
    Route("/policies/{policy_no}", policy_page, methods=_GET),
    Route("/policies/{policy_no}/surrender", surrender, methods=_POST),
]
