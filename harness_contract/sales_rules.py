"""journey.json "regulation" → each screen's "sales": what the disclosure rules were measured
on (harness_browser/js/sales_rules.js), read strictly.

A screen without "sales" is evidence from before these rules were measured (the judge says
INCONCLUSIVE). Inside it every key is present (null where nothing was found: a missing key is
a lost measurement, not "not shown"); texts are texts, sizes plausible, booleans booleans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness_contract.fields import Obj
from harness_contract.notice import MAX_PX

FACTS = ("product_name", "filing_number", "premium", "waiting_period", "cooling_off",
         "insurer", "seller")
_VIA = ("text", "alt")
_HIDDEN = ("collapsed", "not shown")
# the journey file's [regulation] keys, as the producer writes them in "patterns"
# (harness_browser.regulation_spec.RegulationSpec; a test keeps the two equal)
PATTERN_KEYS = ("traceability", "exclusions_selector", "exclusions", "surrender", "policy_link",
                "service_phone", "online_service", "filing_number", "product_name",
                "product_name_selector", "premium", "waiting_period", "cooling_off", "insurer",
                "seller", "surrender_terms", "renewal", "no_renewal", "health_declaration",
                "catch_all", "uncertainty", "benefits")
NULLABLE = frozenset({"exclusions_selector", "product_name", "benefits"})


@dataclass(frozen=True)
class StyledText:
    text: str
    weight: float
    font_px: float


@dataclass(frozen=True)
class RenewalControl:
    label: str
    checked: bool
    hidden: str | None  # None: shown; "collapsed": in a closed section; "not shown"

    @property
    def visible(self) -> bool:
        return self.hidden is None

    @property
    def collapsed(self) -> bool:
        return self.hidden == "collapsed"


@dataclass(frozen=True)
class SalesScreenRecord:
    """One screen on arrival, as the disclosure rules see it."""

    phone: str | None
    phone_via: str | None          # "text", or "alt": an image's alt text / aria-label
    unlabelled_images: int
    online_service: str | None
    facts: Mapping[str, str | None]
    product_name: StyledText | None
    surrender_terms: str | None
    renewal_controls: tuple[RenewalControl, ...]
    says_auto_renewal: str | None
    says_no_renewal: str | None
    health_declaration: str | None
    health_questions: int
    catch_all: tuple[str, ...]
    uncertainty: tuple[StyledText, ...]


@dataclass(frozen=True)
class RulePatterns:
    """What the rules looked for (the journey's [regulation] table, defaults filled in) and
    which keys the journey named itself."""

    patterns: Mapping[str, str | None]
    named: frozenset[str]

    @property
    def benefits(self) -> str | None:
        return self.patterns.get("benefits")


def read_sales(o: Obj) -> SalesScreenRecord:
    """A screen's "sales" object; any defect raises naming the field."""
    phone = o.opt_obj("phone")
    online = o.opt_obj("online_service")
    facts_obj = o.obj("facts")
    facts = {name: facts_obj.opt_text(name, empty_ok=False) for name in FACTS}
    name = o.opt_obj("product_name")
    renewal = o.obj("renewal")
    health = o.obj("health")
    return SalesScreenRecord(
        phone=phone.text("text") if phone else None,
        phone_via=phone.choice("via", _VIA) if phone else None,
        unlabelled_images=o.integer("unlabelled_images", hi=100_000),
        online_service=online.text("text") if online else None,
        facts=facts,
        product_name=_styled(name, empty_ok=True) if name else None,
        surrender_terms=o.opt_text("surrender_terms", empty_ok=False),
        renewal_controls=tuple(_control(c) for c in renewal.objs("controls")),
        says_auto_renewal=renewal.opt_text("says_auto", empty_ok=False),
        says_no_renewal=renewal.opt_text("says_none", empty_ok=False),
        health_declaration=health.opt_text("declaration", empty_ok=False),
        health_questions=health.integer("questions", hi=10_000),
        catch_all=health.texts("catch_all"),
        uncertainty=tuple(_styled(r) for r in o.objs("uncertainty")))


def check_ticked(o: Obj, sales: SalesScreenRecord, preselected: int) -> None:
    """A renewal box ticked on arrival is one of the screen's pre-ticked boxes (regulation.js
    lists every one): more ticked renewal boxes than pre-ticked boxes is a contradiction."""
    ticked = sum(1 for c in sales.renewal_controls if c.checked)
    if ticked > preselected:
        raise o.fail("sales.renewal.controls", f"has {ticked} ticked box(es) but the screen "
                                               f"lists {preselected} pre-ticked box(es)")


def read_patterns(o: Obj) -> RulePatterns | None:
    """The regulation's "patterns" (every key of PATTERN_KEYS; null only where NULLABLE) and
    "named" (absent: evidence from before the disclosure rules, None)."""
    if not o.has("named"):
        return None
    raw = o.obj("patterns")
    patterns = {key: raw.opt_text(key, empty_ok=False) if key in NULLABLE
                else raw.text(key) for key in PATTERN_KEYS}
    benefits = patterns.get("benefits")
    if benefits not in (None, "guaranteed", "not guaranteed"):
        raise raw.fail("benefits", f"is {benefits!r}, not \"guaranteed\" or \"not guaranteed\"")
    named = o.texts("named")
    unknown = sorted(set(named) - set(patterns))
    if unknown:
        raise o.fail("named", f"names {unknown}, which are not among the patterns")
    return RulePatterns(patterns=patterns, named=frozenset(named))


def _control(o: Obj) -> RenewalControl:
    hidden = o.opt_text("hidden", empty_ok=False)
    if hidden not in (None, *_HIDDEN):
        raise o.fail("hidden", f"is {hidden!r}, not null or one of {', '.join(_HIDDEN)}")
    return RenewalControl(label=o.text("label"), checked=o.boolean("checked"), hidden=hidden)


def _styled(o: Obj, empty_ok: bool = False) -> StyledText:
    return StyledText(text=o.opt_text("text", empty_ok=empty_ok) or "",
                      weight=o.number("weight", lo=1.0, hi=1000.0),
                      font_px=o.number("font_px", hi=MAX_PX))
