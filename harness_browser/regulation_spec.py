"""The journey file's [regulation] table: how to find what the sales-page rules need on a store
(harness_browser.regulation measures it). No Playwright, so journey files validate without it.

Every key is optional. The defaults follow common Chinese and English wording; a store that
words things differently names its own regular expression (or selector, `*_selector`). What
the defaults do not find is judged INCONCLUSIVE with what was looked for, never passed; what a
store names here and is not shown is FAILED (the store said where it is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from harness.errors import ConfigError

# industry wording of the 可回溯 entry prompt: 「您即将进入投保流程……您在销售页面的操作将会被记录」
TRACE_PATTERN = r"可回溯|即将进入投保流程|操作(?:将|会|将会)?被?(?:记录|录屏)"
EXCLUSIONS_PATTERN = r"责任免除|免除责任|除外责任"
SURRENDER_PATTERN = r"退保"
POLICY_LINK_PATTERN = r"保单|polic"
# 监管办法 art. 13: a 95xxx / 400 / 800 service number, and an online service entry
SERVICE_PHONE_PATTERN = (r"(?<![\d-])(?:95\d{3,4}|400[-\s]?\d{3}[-\s]?\d{4}|"
                         r"800[-\s]?\d{3}[-\s]?\d{4})(?![\d-])")
ONLINE_SERVICE_PATTERN = (r"在线客服|智能客服|人工客服|联系客服|客服中心|"
                          r"(?:online (?:service|support|chat)|live chat|chat with us)")
# 监管办法 art. 14, 销售办法 art. 25: what is shown before payment
FILING_NUMBER_PATTERN = (r"(?:备案编号|备案号|条款编码|条款编号|产品编码|注册号)\s*[:：]?\s*"
                         r"[^\s，。；,;]{4,}|(?:(?:filing|registration) (?:no\.?|number)|"
                         r"clause code)\s*:?\s*\S{4,}")
PREMIUM_PATTERN = (r"(?:保费|保险费|价格|应付)\s*[:：]?\s*[¥￥]\s*\d[\d,]*(?:\.\d+)?|"
                   r"[¥￥]\s*\d[\d,]*(?:\.\d+)?|premium\s*:?\s*(?:CNY|RMB|¥)\s*\d[\d,.]*")
WAITING_PATTERN = (r"(?:等待期|观察期)\s*[:：为是]?\s*(?:\d+\s*(?:天|日|个月)|无)|无等待期|"
                   r"(?:waiting period\s*:?\s*(?:\d+\s*(?:days?|months?)|none)|"
                   r"no waiting period)")
COOLING_OFF_PATTERN = (r"犹豫期\s*[:：为是]?\s*\d+\s*[天日]|\d+\s*[天日]\s*(?:的)?犹豫期|"
                       r"(?:cooling[- ]off period\s*(?:of\s*)?:?\s*\d+\s*days?|"
                       r"\d+[- ]days? cooling[- ]off)")
# 监管办法 art. 15 and 销售办法 art. 24: who insures, who sells
INSURER_PATTERN = (r"(?:承保(?:公司|机构|方|人)|保险人)\s*[:：]\s*\S{4,}|"
                   r"(?:underwritten by\s+\S{3,}|insurer\s*:\s*\S{3,})")
SELLER_PATTERN = (r"(?:销售(?:机构|方|平台|主体)|代理机构|经纪机构)\s*[:：]\s*\S{4,}|"
                  r"(?:sold by\s+\S{3,}|(?:seller|distributor)\s*:\s*\S{3,})")
# 销售办法 art. 40: the surrender terms, before signing
SURRENDER_TERMS_PATTERN = r"退保(?:说明|须知|条件|规则)|(?:surrender (?:terms|conditions))"
# 监管办法 art. 21: automatic renewal only with the buyer's own consent
# (a whole word: "auto-renew-preticked", an identifier on the page, is not a renewal clause)
RENEWAL_PATTERN = (r"自动续保|自动续费|自动续期|(?:(?:auto-?renew|automatic(?:ally)? renew)"
                   r"(?:als?|s|ed|ing)?(?![A-Za-z0-9_-]))")
NO_RENEWAL_PATTERN = (r"不(?:会|再)?自动续(?:保|费|期)|无自动续(?:保|费)|"
                      r"(?:(?:does|will) not (?:auto-?)?renew|no automatic renewal)")
# 销售办法 art. 27: no catch-all question in the health declaration
HEALTH_PATTERN = r"健康告知|(?:health (?:declaration|questionnaire))"
CATCH_ALL_PATTERN = (
    r"(?:其他|其它)(?:未|没有)?(?:列明|列出|列举|提及|提到)的?(?:疾病|症状|异常|情况)|"
    r"(?:以上|上述|前述)(?:未|没有)(?:列明|列出|列举|提及|提到)的?(?:其他|其它)?(?:疾病|症状|异常)|"
    r"(?:除|除了)(?:以上|上述|前述).{0,12}(?:以外|之外).{0,10}(?:其他|其它|任何)(?:疾病|症状|异常)|"
    r"(?:any other (?:disease|illness|condition|disorder)s?(?: or \w+)? not (?:listed|mentioned)"
    r"|(?:disease|illness|condition)s? not (?:listed|mentioned) above"
    r"|any (?:disease|illness|condition) other than (?:those|the ones) (?:listed|above))")
# 监管办法 art. 14: non-guaranteed benefits
UNCERTAINTY_PATTERN = r"保单利益具有不确定性|(?:policy benefits are (?:uncertain|not guaranteed))"
BENEFITS = ("guaranteed", "not guaranteed")
_SELECTORS = ("exclusions_selector", "product_name_selector")


@dataclass(frozen=True)
class RegulationSpec:
    """How to find the regulated things on a store (the journey file's [regulation] table).
    Keys ending in `_selector` are CSS selectors; `benefits` is "guaranteed" or "not
    guaranteed"; every other key is a regular expression over the text the buyer sees,
    matched ignoring case (JavaScript's `i` flag: write what Python and JavaScript both read)."""

    traceability: str = TRACE_PATTERN
    exclusions_selector: str | None = None
    exclusions: str = EXCLUSIONS_PATTERN
    surrender: str = SURRENDER_PATTERN
    policy_link: str = POLICY_LINK_PATTERN
    service_phone: str = SERVICE_PHONE_PATTERN
    online_service: str = ONLINE_SERVICE_PATTERN
    filing_number: str = FILING_NUMBER_PATTERN
    product_name: str | None = None
    product_name_selector: str = "h1"
    premium: str = PREMIUM_PATTERN
    waiting_period: str = WAITING_PATTERN
    cooling_off: str = COOLING_OFF_PATTERN
    insurer: str = INSURER_PATTERN
    seller: str = SELLER_PATTERN
    surrender_terms: str = SURRENDER_TERMS_PATTERN
    renewal: str = RENEWAL_PATTERN
    no_renewal: str = NO_RENEWAL_PATTERN
    health_declaration: str = HEALTH_PATTERN
    catch_all: str = CATCH_ALL_PATTERN
    uncertainty: str = UNCERTAINTY_PATTERN
    benefits: str | None = None

    @classmethod
    def from_table(cls, raw: Mapping[str, Any], source: str) -> RegulationSpec:
        known = [f.name for f in fields(cls)]
        unknown = set(raw) - set(known)
        if unknown:
            raise ConfigError(f"{source}: [regulation] has unknown key(s) {sorted(unknown)}; "
                              f"known: {', '.join(known)}")
        wrong = sorted(k for k, v in raw.items() if not isinstance(v, str) or not v)
        if wrong:
            raise ConfigError(f"{source}: [regulation] {', '.join(wrong)} must be a non-empty "
                              "string (a regular expression, or a selector)")
        if raw.get("benefits", BENEFITS[0]) not in BENEFITS:
            raise ConfigError(f"{source}: [regulation] benefits is {raw['benefits']!r}; say "
                              f"{' or '.join(map(repr, BENEFITS))}")
        for key, value in raw.items():
            if key in _SELECTORS or key == "benefits":
                continue
            try:
                re.compile(value, re.IGNORECASE)
            except re.error as exc:
                raise ConfigError(f"{source}: [regulation] {key} is not a regular expression: "
                                  f"{exc}") from exc
        return cls(**raw)

    def named(self) -> frozenset[str]:
        """The keys this journey set itself (not the defaults): what is not found for them is
        a failure, not a question."""
        return frozenset(f.name for f in fields(self)
                         if getattr(self, f.name) != f.default)

    def patterns(self) -> dict[str, str | None]:
        """Every key and its value (journey.json "patterns": what was looked for)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
