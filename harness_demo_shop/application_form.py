"""Validation of the application form (投保页): names, ID number, phone and the consent box.

The same rules serve the HTML form and the JSON API; the result carries only what the shop may
keep (masked ID number and phone), never the full ID number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from harness_demo_shop.catalog import Product
from harness_demo_shop.idcard import InvalidIdNumber, age_on, mask_id_number, parse_birth_date

FIELDS = ("applicant_name", "insured_name", "id_number", "phone")
MAX_NAME_CHARS = 30
MAX_FIELD_CHARS = 64
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_CONSENT_YES = (True, "on", "true", "yes", "1")


@dataclass(frozen=True)
class Application:
    applicant_name: str
    insured_name: str
    id_masked: str
    birth_date: date
    age: int
    phone_masked: str


def _text(form: Mapping[str, object], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_name(value: str, label: str) -> str | None:
    if not value:
        return f"请填写{label}"
    if len(value) > MAX_NAME_CHARS:
        return f"{label}不能超过{MAX_NAME_CHARS}个字"
    if any(ch.isdigit() or not ch.isprintable() for ch in value):
        return f"{label}只能包含文字"
    return None


def _check_id(value: str, product: Product, today: date) -> tuple[str | None, date | None]:
    if not value:
        return "请填写被保险人身份证号码", None
    try:
        birth = parse_birth_date(value, today)
    except InvalidIdNumber as exc:
        return str(exc), None
    age = age_on(birth, today)
    if not product.min_age <= age <= product.max_age:
        return f"被保险人年龄须在{product.min_age}至{product.max_age}周岁之间", None
    return None, birth


def validate_application(
    form: Mapping[str, object], product: Product, today: date
) -> tuple[Application | None, dict[str, str]]:
    """Return the clean application, or None and field -> message for every problem."""
    values = {name: _text(form, name) for name in FIELDS}
    errors: dict[str, str] = {
        name: "内容过长" for name, value in values.items() if len(value) > MAX_FIELD_CHARS
    }
    for name, label in (("applicant_name", "投保人姓名"), ("insured_name", "被保险人姓名")):
        problem = errors.get(name) or _check_name(values[name], label)
        if problem:
            errors[name] = problem
    id_problem, birth = _check_id(values["id_number"], product, today)
    if id_problem and "id_number" not in errors:
        errors["id_number"] = id_problem
    if "phone" not in errors and not _PHONE.match(values["phone"]):
        errors["phone"] = "请填写11位中国大陆手机号码" if values["phone"] else "请填写手机号码"
    if form.get("consent") not in _CONSENT_YES:
        errors["consent"] = "请阅读并勾选同意投保须知、保险条款和责任免除"
    if errors or birth is None:
        return None, errors
    phone = values["phone"]
    return (
        Application(
            applicant_name=values["applicant_name"],
            insured_name=values["insured_name"],
            id_masked=mask_id_number(values["id_number"]),
            birth_date=birth,
            age=age_on(birth, today),
            phone_masked=phone[:3] + "****" + phone[-4:],
        ),
        {},
    )
