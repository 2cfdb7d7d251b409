"""The complaint form (用户声音): a page and a JSON endpoint that store a complaint, a CSV export.

A complaint is a time, a category from a fixed list (the metric's label stays small), the policy
number or order (journey) id it is about if the buyer gives one, and a text. The `complaints`
table holds exactly that (time as ISO 8601 UTC with milliseconds, as the funnel export writes
it), plus the cohort of the journey or visitor it came from; `GET /api/export/complaints.csv`
serves the columns time, category, policy_id, text, cohort. The escort's complaint reader reads
either (`SELECT time, category, policy_id, text FROM complaints`).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from harness_demo_shop.catalog import COMPLAINT_CATEGORIES as CATEGORIES
from harness_demo_shop.errors import Invalid
from harness_demo_shop.export import iso_ms
from harness_demo_shop.journey import now_ms
from harness_demo_shop.metrics import NO_COHORT
from harness_demo_shop.routes_api import json_response, parse_body, parse_since
from harness_demo_shop.routes_pages import read_form, render, visitor_of
from harness_demo_shop.schema import complaints
from harness_demo_shop.shop import Shop

COLUMNS = ("time", "category", "policy_id", "text", "cohort")
MAX_TEXT = 500
_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def validate(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(category, policy_id, text) of a form or JSON body, and the field errors (zh-CN)."""
    errors: dict[str, str] = {}
    category, reference, text = data.get("category"), data.get("policy_id"), data.get("text")
    if not isinstance(category, str) or category not in CATEGORIES:
        errors["category"] = "请选择投诉类别"
    if reference in ("", None):
        reference = None
    elif not isinstance(reference, str) or not _REFERENCE.match(reference.strip()):
        errors["policy_id"] = "保单号或订单号须为1至32位字母、数字或 _-"
    else:
        reference = reference.strip()
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        errors["text"] = "请填写投诉内容"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"投诉内容不能超过{MAX_TEXT}字"
    return {"category": category, "policy_id": reference, "text": text}, errors


def _cohort(shop: Shop, reference: str | None, visitor: str | None) -> str:
    """The cohort of the journey the complaint names, else of the visitor, else none."""
    journey_id = None
    if reference is not None:
        policy = shop.store.get_policy(reference)
        journey_id = policy["journey_id"] if policy is not None else reference
    journey = shop.store.get_journey(journey_id) if journey_id else None
    if journey is not None:
        return str(journey["cohort"])
    return shop.journeys.cohort_of(visitor) if visitor else NO_COHORT


async def record(shop: Shop, fields: Mapping[str, Any], visitor: str | None) -> dict[str, Any]:
    """Store one valid complaint and count it; return the stored row."""
    ts = now_ms()
    row = {"complaint_id": "c" + secrets.token_hex(8), "time": iso_ms(ts), "ts_ms": ts,
           "category": fields["category"], "policy_id": fields["policy_id"],
           "text": fields["text"], "cohort": _cohort(shop, fields["policy_id"], visitor)}
    await shop.store.add_complaint(row)
    shop.metrics.complaint(row["category"], row["cohort"])
    return row


def _shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


async def complaint_page(request: Request) -> Response:
    visitor, _is_new = visitor_of(request)
    form: dict[str, Any] = {"policy_id": request.query_params.get("policy_id", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
        fields, errors = validate(form)
        if not errors:
            row = await record(_shop(request), fields, visitor)
            return render(request, "complaint.html", "complaint-received", "投诉已收到",
                          received=row, categories=CATEGORIES)
    return render(request, "complaint.html", "complaint", "投诉与建议", 422 if errors else 200,
                  form=form, errors=errors, categories=CATEGORIES, received=None)


async def post_complaint(request: Request) -> Response:
    shop = _shop(request)
    data = parse_body(await request.body(), shop.settings.max_body_bytes)
    fields, errors = validate(data)
    if errors:
        raise Invalid(errors)
    visitor = data.get("visitor_id")
    row = await record(shop, fields, visitor if isinstance(visitor, str) else None)
    return json_response({k: row[k] for k in ("complaint_id", *COLUMNS)}, 201)


async def export_complaints(request: Request) -> Response:
    since = parse_since(request)
    conn = _shop(request).store.reader()

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        query = select(*(complaints.c[name] for name in COLUMNS)).order_by(complaints.c.id)
        if since is not None:
            query = query.where(complaints.c.ts_ms >= since)
        for row in conn.execute(query):
            writer.writerow(["" if value is None else value for value in row])
        yield buffer.getvalue()

    headers = {"content-disposition": 'attachment; filename="complaints.csv"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


ROUTES = [
    Route("/complaint", complaint_page, methods=["GET", "POST"]),
    Route("/api/complaints", post_complaint, methods=["POST"]),
    Route("/api/export/complaints.csv", export_complaints, methods=["GET"]),
]
