"""The shop's Prometheus metrics (prometheus_client), every series labelled with the gray cohort.

The names are the escort contract's (`harness_contract.escort`): requests by route template,
method, status and cohort; the latency of each journey step a buyer submits; quotes; payments
by outcome; policies issued; payments that issued no policy; premium quoted and charged (fen)
and payments whose charge differs from the quote; health-declaration errors; complaints.

Multi-process: `harness demo-shop` forks several workers; each writes its values to files in
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode) and `/metrics`, answered by
any worker, adds up the files of all of them. A shop in one process (tests, plain uvicorn) keeps
its values in its own registry.

Cost: a request's series objects are looked up once and cached (`labels()` takes a lock and
builds a key on every call); a request then costs one counter increment and one histogram
observation, each a float written into a memory-mapped file in multiprocess mode.

The cohort of a request is the cohort of the journey it touches (or of the visitor cookie):
`JourneyService` notes it in a context variable (`note_cohort`) as it loads the journey, and the
code that answers the request reads it after the step ran (same task, same context).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from harness_contract import escort

NO_COHORT = "none"  # a request that touched no journey and carried no visitor
_cohort: ContextVar[str] = ContextVar("shop_request_cohort", default=NO_COHORT)
# journey-step latency buckets (seconds): a step answers in milliseconds, a slow one in seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# the route templates of the steps a buyer submits (POST), with the step's name
PAGE_STEPS = {"/products/{code}/start": "start", "/j/{jid}/notice": "notice",
              "/j/{jid}/health": "health", "/j/{jid}/application": "application",
              "/j/{jid}/pay": "pay", "/j/{jid}/extra-1": "extra-1", "/j/{jid}/extra-2": "extra-2"}
API_START = "/api/journeys"
COHORTS = ("gray", "control")
# the purchase routes primed at 0 (see ShopMetrics.prime): template -> (step, success status)
PRIMED_ROUTES = {API_START: ("start", 201)} | {
    f"{API_START}/{{jid}}/{step}": (step, 200) for step in ("notice", "health", "application",
                                                            "pay")} | {
    route: (step, 303) for route, step in PAGE_STEPS.items() if not step.startswith("extra")}


def note_cohort(cohort: str) -> None:
    """Record the cohort of the request being answered (called where a journey is loaded)."""
    _cohort.set(cohort)


def current_cohort() -> str:
    return _cohort.get()


def reset_cohort() -> None:
    _cohort.set(NO_COHORT)


def step_of(method: str, route: str) -> str | None:
    """The journey step a POST to this route template submits, or None."""
    if method != "POST":
        return None
    if route == API_START:
        return "start"
    if route.startswith(API_START + "/{jid}/"):
        return route.rsplit("/", 1)[1]
    return PAGE_STEPS.get(route)


class NoMetrics:
    """Metrics switched off (`--no-metrics`): every call does nothing."""

    enabled = False

    def request(self, route: str, method: str, status: int, cohort: str, step: str | None,
                seconds: float) -> None:
        pass

    def quote(self, product: str, cohort: str) -> None:
        pass

    def payment(self, product: str, cohort: str, outcome: str) -> None:
        pass

    def charged(self, product: str, cohort: str, quoted_fen: int, charged_fen: int,
                policies: int) -> None:
        pass

    def health_error(self, product: str, cohort: str) -> None:
        pass

    def complaint(self, category: str, cohort: str) -> None:
        pass

    def prime(self, products: Iterable[str], categories: Iterable[str]) -> None:
        pass

    def exposition(self) -> tuple[bytes, str]:
        return b"# metrics are switched off (--no-metrics)\n", "text/plain; charset=utf-8"


def _use_multiprocess(directory: str) -> None:
    """Write this process's values under `directory` (set before any series is created)."""
    from prometheus_client import values

    os.makedirs(directory, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    if not getattr(values.ValueClass, "_multiprocess", False):
        values.ValueClass = values.MultiProcessValue()


class ShopMetrics(NoMetrics):
    """The shop's series in a registry of their own (so several shops can live in one test
    process); with `multiprocess_dir`, values go to files every worker's /metrics adds up."""

    enabled = True

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        if multiprocess_dir:
            _use_multiprocess(multiprocess_dir)
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        reg = self.registry
        cohort = escort.COHORT_LABEL

        def counter(name: str, doc: str, *labels: str) -> Any:
            return Counter(name.removesuffix("_total"), doc, [*labels, cohort], registry=reg)

        self._requests = counter(escort.REQUESTS, "HTTP requests by route template and status",
                                 "route", "method", "status")
        self._seconds = Histogram(escort.REQUEST_SECONDS, "seconds to answer a journey step",
                                  ["step", cohort], buckets=BUCKETS, registry=reg)
        self._quotes = counter(escort.QUOTES, "premiums quoted", "product")
        self._payments = counter(escort.PAYMENTS, "payments by outcome", "product", "outcome")
        self._policies = counter(escort.POLICIES, "policies issued", "product")
        self._lost = counter(escort.PAID_WITHOUT_POLICY, "payments that issued no policy",
                             "product")
        self._quoted_fen = counter(escort.PREMIUM_QUOTED, "premium quoted of each payment (fen)",
                                   "product")
        self._charged_fen = counter(escort.PREMIUM_CHARGED, "premium charged (fen)", "product")
        self._mismatch = counter(escort.PREMIUM_MISMATCH, "payments charged != quoted",
                                 "product")
        self._health = counter(escort.HEALTH_ERRORS, "health declarations refused for field "
                               "errors", "product")
        self._complaints = counter(escort.COMPLAINTS, "complaints sent with the form",
                                   "category")
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def request(self, route: str, method: str, status: int, cohort: str, step: str | None,
                seconds: float) -> None:
        self._child(self._requests, route, method, str(status), cohort).inc()
        if step is not None:
            self._child(self._seconds, step, cohort).observe(seconds)

    def quote(self, product: str, cohort: str) -> None:
        self._child(self._quotes, product, cohort).inc()

    def payment(self, product: str, cohort: str, outcome: str) -> None:
        self._child(self._payments, product, outcome, cohort).inc()

    def charged(self, product: str, cohort: str, quoted_fen: int, charged_fen: int,
                policies: int) -> None:
        """One successful charge: its quote and amount, and how many policies it issued."""
        self.payment(product, cohort, "success")
        self._child(self._quoted_fen, product, cohort).inc(quoted_fen)
        self._child(self._charged_fen, product, cohort).inc(charged_fen)
        if charged_fen != quoted_fen:
            self._child(self._mismatch, product, cohort).inc()
        if policies:
            self._child(self._policies, product, cohort).inc(policies)
        else:
            self._child(self._lost, product, cohort).inc()

    def health_error(self, product: str, cohort: str) -> None:
        self._child(self._health, product, cohort).inc()

    def complaint(self, category: str, cohort: str) -> None:
        self._child(self._complaints, category, cohort).inc()

    def prime(self, products: Iterable[str], categories: Iterable[str]) -> None:
        """Create every series a release is judged on at 0, before the first request.

        Why: Prometheus's increase() sees a counter from its first sample on, so a series born
        at 1 (the first lost policy, the first 502) would add nothing to the window it appeared
        in, and a series that never appears is "no data" where the truth is 0."""
        products, categories = list(products), list(categories)
        for cohort in COHORTS:
            for product in products:
                for metric in (self._quotes, self._policies, self._lost, self._quoted_fen,
                               self._charged_fen, self._mismatch, self._health):
                    self._child(metric, product, cohort)
                for outcome in ("success", "failed"):
                    self._child(self._payments, product, outcome, cohort)
            for category in categories:
                self._child(self._complaints, category, cohort)
            for route, (step, ok) in PRIMED_ROUTES.items():
                self._child(self._seconds, step, cohort)
                for status in (ok, 500, 502):
                    self._child(self._requests, route, "POST", str(status), cohort)

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


Metrics = NoMetrics  # the type the services take: ShopMetrics or the switched-off NoMetrics


def metrics_for(enabled: bool, multiprocess_dir: str | None) -> NoMetrics:
    return ShopMetrics(multiprocess_dir) if enabled else NoMetrics()


def clear_multiprocess_dir(directory: str, remove: Callable[[str], None] = os.remove) -> int:
    """Remove the value files an earlier shop left in `directory` (they would be added to this
    shop's counts); return how many. Only prometheus_client's own files are touched."""
    removed = 0
    if not os.path.isdir(directory):
        return 0
    for name in os.listdir(directory):
        kind = name.split("_", 1)[0]
        if name.endswith(".db") and kind in ("counter", "gauge", "histogram", "summary"):
            remove(os.path.join(directory, name))
            removed += 1
    return removed


def prepare_metrics_dir(enabled: bool, directory: str | None) -> tuple[str | None, bool]:
    """The workers' metric folder, emptied of an earlier shop's files, and whether it was made
    here (a temporary folder the server removes when it stops); (None, False) when off."""
    import tempfile

    if not enabled:
        return None, False
    if directory is None:
        return tempfile.mkdtemp(prefix="demo-shop-metrics-"), True
    os.makedirs(directory, exist_ok=True)
    clear_multiprocess_dir(directory)
    return directory, False
