"""The escort's evidence: what a store exports to Prometheus, the PromQL the watch asks with, and
raw/escort/samples.jsonl, one line per quantity per check, which the watch's collector writes
and the escort judge reads.

A store this project did not write names its metrics its own way: each quantity's query is a
setting (`[escort.queries]` in harness.toml); the defaults below are the demo shop's metric
names, which any store may adopt. Every query is a PromQL instant query evaluated at the check's
time, with `{window}` replaced by the interval being judged (e.g. `15m`) and `{cohort}` by a
cohort name (queries without `{cohort}` are asked once, for the whole store), and `{step}` by a
journey step's name (queries with `{step}` are asked once per step).

A sample whose query returned no series has `value: null` and `series: 0`: no data, which the
judge never reads as zero. NaN (a ratio or a quantile over no traffic) is no data too; +Inf, a
negative number or several series are errors (`error` says which), never a value.

A store should create every series it is judged on at 0 when it starts (the demo shop does:
`harness_demo_shop.metrics.ShopMetrics.prime`): increase() sees a counter from its first sample
on, so a series born at 1 (the first lost policy) adds nothing to the window it appears in. The
counts of failures fall back to 0 when their series is missing but the traffic they are a share
of is there (`_zero_when`), so a store that never failed is not "no data".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness_contract._record import dumps
from harness_contract.fields import (
    MAX_COUNT,
    MAX_EPOCH_S,
    MAX_SECONDS,
    MIN_EPOCH_S,
    Obj,
    json_lines,
    loads,
)

# --- what the demo shop exports (prometheus_client), every series labelled with the cohort ---
COHORT_LABEL = "cohort"
COHORTS = ("gray", "control")
REQUESTS = "shop_http_requests_total"              # labels: route, method, status, cohort
REQUEST_SECONDS = "shop_request_duration_seconds"  # histogram; labels: step, cohort
QUOTES = "shop_quotes_total"                       # labels: product, cohort
PAYMENTS = "shop_payments_total"                   # labels: product, outcome, cohort
POLICIES = "shop_policies_issued_total"            # labels: product, cohort
PAID_WITHOUT_POLICY = "shop_paid_without_policy_total"  # labels: product, cohort
PREMIUM_QUOTED = "shop_premium_quoted_fen_total"   # labels: product, cohort
PREMIUM_CHARGED = "shop_premium_charged_fen_total"  # labels: product, cohort
PREMIUM_MISMATCH = "shop_premium_mismatch_total"   # payments charged != quoted; product, cohort
HEALTH_ERRORS = "shop_health_declaration_errors_total"  # labels: product, cohort
COMPLAINTS = "shop_complaints_total"               # labels: category, cohort (the form's count)

# purchase requests: the routes of the purchase flow, JSON API and pages (the `route` label is
# the route's template, e.g. /api/journeys/{jid}/pay or /j/{jid}/pay; never a raw path)
PURCHASE_ROUTES = "/api/journeys.*|/products/.+/start|/j/.*"
# the journey steps whose latency is judged (the `step` label of REQUEST_SECONDS): the steps a
# buyer submits, over the JSON API or the pages: start (POST /api/journeys or the product page's
# form), notice, health (medical products only), application (answers the quote), pay
DEFAULT_STEPS = ("start", "notice", "health", "application", "pay")

# --- the quantities the escort criteria read, with the demo shop's default queries ---


def _increase(metric: str, matchers: str = "") -> str:
    """The increase of `metric` over the window, summed over its series (one number)."""
    return f'sum(increase({metric}{{{matchers}cohort=~"{{cohort}}"}}[{{window}}]))'


def _zero_when(count: str, denominator: str) -> str:
    """`count`, or 0 when it has no series but `denominator` has: a store that never failed
    may never have created its failure series, which is 0 failures, not "no data" (that stays
    for a window with no traffic at all, and for a store that exports neither)."""
    return f"({count} or 0 * {denominator})"


_REQUESTS = _increase(REQUESTS, f'route=~"{PURCHASE_ROUTES}",')
_ALL_PAYMENTS = _increase(PAYMENTS)
DEFAULT_QUERIES: dict[str, str] = {
    "purchase_requests": _REQUESTS,
    "purchase_errors": _zero_when(
        _increase(REQUESTS, f'route=~"{PURCHASE_ROUTES}",status=~"5..",'), _REQUESTS),
    "quotes": _zero_when(_increase(QUOTES), _REQUESTS),
    "payments": _zero_when(_increase(PAYMENTS, 'outcome="success",'), _ALL_PAYMENTS),
    "policies": _zero_when(_increase(POLICIES), _ALL_PAYMENTS),
    "paid_without_policy": _zero_when(_increase(PAID_WITHOUT_POLICY), _ALL_PAYMENTS),
    "premium_mismatches": _zero_when(_increase(PREMIUM_MISMATCH), _ALL_PAYMENTS),
    "health_errors": _zero_when(_increase(HEALTH_ERRORS), _REQUESTS),
    # asked once per step (`{step}`): the p95 of that journey step's latency
    "p95_seconds": f'histogram_quantile(0.95, sum by (le) (rate({REQUEST_SECONDS}_bucket'
                   f'{{step="{{step}}",cohort=~"{{cohort}}"}}[{{window}}])))',
}
QUANTITIES = tuple(DEFAULT_QUERIES)
ALL_COHORTS = ".*"  # what {cohort} becomes for a whole-store query


def render_query(template: str, window: str, cohort: str = ALL_COHORTS,
                 step: str | None = None) -> str:
    query = template.replace("{window}", window).replace("{cohort}", cohort)
    return query if step is None else query.replace("{step}", step)


@dataclass(frozen=True)
class EscortSample:
    """One quantity measured at one check, for one cohort ("all" for the whole store) and, for
    per-step quantities, one journey step.

    `value` is None when the query returned no series (no data); `error` names why the query
    could not be asked (Prometheus unreachable, bad PromQL) and then `value` is None too.
    """

    check: int          # 0, 1, 2, ... the check's index in the watch
    at: float           # UNIX seconds the query was evaluated at (the end of the window)
    window_seconds: float
    quantity: str
    cohort: str
    value: float | None
    series: int
    query: str
    error: str | None = None
    step: str | None = None  # the journey step, for per-step quantities

    def to_json(self) -> str:
        return dumps({"check": self.check, "at": self.at, "window_seconds": self.window_seconds,
                      "quantity": self.quantity, "cohort": self.cohort, "value": self.value,
                      "series": self.series, "query": self.query, "error": self.error,
                      "step": self.step},
                     indent=None)

    @classmethod
    def from_obj(cls, o: Obj) -> EscortSample:
        value = o.present("value")
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                raise o.fail("value", f"{value!r} is not a finite non-negative number or null")
            value = float(value)
        sample = cls(check=o.integer("check"), at=o.number("at", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S),
                     window_seconds=o.number("window_seconds", lo=1e-3, hi=MAX_SECONDS),
                     quantity=o.text("quantity"), cohort=o.text("cohort"), value=value,
                     series=o.integer("series", hi=MAX_COUNT), query=o.text("query"),
                     error=o.opt_text("error", empty_ok=False),
                     step=o.opt_text("step", empty_ok=False))
        if sample.error is not None and sample.value is not None:
            raise o.fail("value", "a sample with an error has no value")
        if sample.value is None and sample.error is None and sample.series != 0:
            raise o.fail("series", "no value but series > 0")
        return sample

    @classmethod
    def from_json(cls, text: str, file: str) -> EscortSample:
        return cls.from_obj(Obj(loads(text, file), file))


def read_samples(text: str, file: str) -> list[EscortSample]:
    """Every line of samples.jsonl, strictly; a defect raises EvidenceInvalid naming the line."""
    return [EscortSample.from_obj(Obj(data, file, line)) for line, data in json_lines(text, file)]
