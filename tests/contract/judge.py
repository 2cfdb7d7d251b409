"""The criteria of the default features judged in-process on a run directory: the readers,
gates and verdict the step definitions (features/steps) call, in the same order and with the
thresholds of the feature files, without pytest-bdd or a subprocess. Used by the corruption
suite and its benchmark, where thousands of mutated run directories are judged.

Each criterion is computed the way its scenario runs: a Given step that raises makes every
criterion of the scenario INCONCLUSIVE with the error as its reason (the plugin's rule). An
EvidenceError is expected; any other exception is a "raw" error, counted separately: issue 11
wants none of them to become a reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from harness.errors import EvidenceError
from harness.gates.browser import (
    cooling_off_days_gate,
    flow_length_gate,
    form_errors_gate,
    notice_visible_gate,
)
from harness.gates.integrity import integrity_gate
from harness.gates.load import (
    error_ratio_gate,
    generator_validity_gate,
    only_if_valid,
    percentile_gate,
)
from harness.gates.regulation import (
    exclusions_gate,
    no_preselection_gate,
    surrender_gate,
    traceability_gate,
)
from harness.gates.sales_rules import (
    catch_all_gate,
    key_facts_gate,
    named_gate,
    renewal_consent_gate,
    service_contact_gate,
    surrender_terms_gate,
    uncertainty_gate,
)
from harness.model import Criterion, Outcome, Verdict
from harness.policy import Policy
from harness.readers.browser import JourneyEvidence, read_form_errors, read_journey
from harness.readers.generator import (
    read_generator_health,
    read_load_plan,
    read_purchases,
    read_reconciliation,
)
from harness.readers.locust import read_locust_stats
from harness.verdict import decide
from harness_browser.cooling_off import parse_cooling_off_days
from harness_browser.notice_reading import interpret
from harness_contract import RunLayout

PRODUCTS = ("travel", "medical", "accident")
VIEWPORTS = ("desktop", "desktop-hd", "phone", "phone-small", "wechat")
P95_MS = {"1 start": 500, "2 notice": 500, "3 health": 500, "4 application": 500,
          "5 pay": 800}  # features/capacity/smoke_load.feature
MIN_DAYS = {"travel": 1, "medical": 15, "accident": 10}
POLICY_DEFECTS = ("paid_missing_in_store", "paid_without_policy", "paid_with_multiple_policies",
                  "policy_number_mismatch", "paid_with_multiple_payments",
                  "duplicate_policy_numbers")
PREMIUM_DEFECTS = ("charged_not_quoted", "store_charged_not_quoted", "premium_mismatches")


@dataclass
class Judged:
    verdict: Verdict
    raw_errors: list[str]  # criterion id: the exception that was not an EvidenceError


def judge(run_dir: Path, share: bool = False) -> Judged:
    """Every criterion of the default features except the gray release (not in the evidence),
    and the verdict over them. Each reader runs once per file (its value, or its exception,
    is reused by every criterion that reads the file, as if read again: files do not change
    while they are judged). `share`: a criterion whose files are byte for byte those of an
    earlier call gets that call's outcome (the corruption suite changes one file per case)."""
    raw: list[str] = []
    memo: dict[tuple[object, Path], tuple[object, BaseException | None]] = {}
    digests: dict[Path, bytes | None] = {}
    token = _MEMO.set(memo)
    criteria = []
    try:
        if run_dir not in _PLANS:
            _PLANS[run_dir] = list(_criteria(RunLayout(run_dir)))
        for cid, severity, files, compute in _PLANS[run_dir]:
            key = (cid, *(_digest(f, digests) for f in files)) if share else None
            if key is not None and key in SHARED:
                outcome = SHARED[key]
            else:
                before = len(raw)
                outcome = _safely(cid, compute, raw)
                if key is not None and len(raw) == before:
                    SHARED[key] = outcome
            criteria.append(Criterion(id=cid, feature=cid.split(" :: ")[0], scenario=cid,
                                      tags=(severity,), outcome=outcome))
    finally:
        _MEMO.reset(token)
    if len(SHARED) > 50_000:
        SHARED.clear()
        _CONTENT.clear()
    return Judged(decide(criteria, Policy()), raw)


_MEMO: ContextVar[dict[tuple[object, Path], tuple[object, BaseException | None]]] = \
    ContextVar("judge_memo")
R = TypeVar("R")
# share=True: a criterion's outcome is kept across judge() calls, keyed by the bytes of the
# files it reads (readers and gates are pure functions of them).
SHARED: dict[tuple[object, ...], Outcome] = {}


def once(reader: Callable[[Path], R], path: Path) -> R:
    """reader(path), computed once per judge() call; a raised exception is raised again."""
    memo = _MEMO.get()
    key = (reader, path)
    if key not in memo:
        try:
            memo[key] = (reader(path), None)
        except Exception as exc:  # replayed below, to every caller
            memo[key] = (None, exc)
    value, error = memo[key]
    if error is not None:
        raise error
    return value  # type: ignore[return-value]


_CONTENT: dict[tuple[Path, int, int], bytes] = {}  # (path, mtime, size) -> content digest


def _digest(path: Path, digests: dict[Path, bytes | None]) -> bytes | None:
    """The file's content digest (None: no file), read again only when its mtime or size
    changed since it was last read."""
    if path not in digests:
        try:
            st = path.stat()
            key = (path, st.st_mtime_ns, st.st_size)
            if key not in _CONTENT:
                _CONTENT[key] = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
            digests[path] = _CONTENT[key]
        except OSError:
            digests[path] = None
    return digests[path]


_PLANS: dict[Path, list[Judgement]] = {}


def _safely(cid: str, compute: Callable[[], Outcome], raw: list[str]) -> Outcome:
    try:
        return compute()
    except EvidenceError as exc:
        return Outcome.inconclusive(f"could not be checked: {exc}")
    except Exception as exc:  # exactly what the suite counts
        raw.append(f"{cid}: {type(exc).__name__}: {exc}")
        return Outcome.inconclusive(f"could not be checked ({type(exc).__name__}): {exc}")


Compute = Callable[[], Outcome]
Judgement = tuple[str, str, tuple[Path, ...], Compute]
LOAD_FILES = ("generator.jsonl", "phases.json", "stats.csv", "failures.csv")


def _criteria(run: RunLayout) -> Iterator[Judgement]:
    """(criterion id, severity, the files it reads, how it is judged)."""
    yield from ((cid, sev, tuple(run.load(n) for n in LOAD_FILES), compute)
                for cid, sev, compute in _capacity(run))
    for cid, sev, product, viewport, compute in _journey_criteria(run):
        yield cid, sev, (run.journey(product, viewport),), compute
    for viewport in ("desktop", "phone"):
        yield (f"health errors {viewport}", "critical",
               (run.form_errors("medical", viewport),),
               lambda v=viewport: form_errors_gate(once(read_form_errors,
                                                        run.form_errors("medical", v))))
    integrity_files = (run.load("purchases.jsonl"), run.load("stats.csv"),
                       run.load("failures.csv"), run.reconciliation)
    yield ("integrity policies", "blocker", integrity_files,
           lambda: _integrity(run, POLICY_DEFECTS))
    yield ("integrity premiums", "blocker", integrity_files,
           lambda: _integrity(run, PREMIUM_DEFECTS))


def _journey_criteria(run: RunLayout) -> Iterator[tuple[str, str, str, str, Compute]]:
    for product in PRODUCTS:
        for viewport in VIEWPORTS:
            yield (f"notice {product} {viewport}", "blocker", product, viewport,
                   _journey_then(run, product, viewport, _notice_visible))
        for cid, sev, then in (
                (f"days {product}", "critical",
                 lambda j, p=product: _notice_days(j, MIN_DAYS[p])),
                (f"flow {product}", "critical", lambda j: flow_length_gate(j, 5)),
                (f"traceability {product}", "blocker", lambda j: traceability_gate(j, 1)),
                (f"surrender {product}", "critical", lambda j: surrender_gate(j, 1)),
                *_disclosures(product)):
            yield cid, sev, product, "desktop", _journey_then(run, product, "desktop", then)
        for viewport in ("desktop", "phone"):
            yield (f"preselection {product} {viewport}", "blocker", product, viewport,
                   _journey_then(run, product, viewport, no_preselection_gate))
            yield (f"exclusions {product} {viewport}", "critical", product, viewport,
                   _journey_then(run, product, viewport,
                                 lambda j: exclusions_gate(j, 600, 1.15, 64, 4.5)))


def _disclosures(product: str) -> list[tuple[str, str, Callable[[JourneyEvidence], Outcome]]]:
    """features/regulation/disclosures.feature and health_questions.feature (main viewport)."""
    rules: list[tuple[str, str, Callable[[JourneyEvidence], Outcome]]] = [
        (f"service contact {product}", "critical", service_contact_gate),
        (f"key facts {product}", "critical", key_facts_gate),
        (f"insurer {product}", "critical", lambda j: named_gate(j, "insurer")),
        (f"seller {product}", "critical", lambda j: named_gate(j, "seller")),
        (f"surrender terms {product}", "critical", surrender_terms_gate),
        (f"renewal {product}", "blocker", renewal_consent_gate),
        (f"uncertainty {product}", "critical", lambda j: uncertainty_gate(j, 600, 1))]
    if product == "medical":
        rules.append((f"catch-all {product}", "critical", catch_all_gate))
    return rules


def _capacity(run: RunLayout) -> Iterator[tuple[str, str, Compute]]:
    def validity() -> Outcome:  # the Background of features/capacity
        health = once(read_generator_health, run.load("generator.jsonl"))
        plan = once(read_load_plan, run.load("phases.json"))
        return generator_validity_gate(health, plan, max_cpu_percent=90,
                                       max_rate_shortfall=0.05)

    yield ("capacity valid", "blocker", validity)
    yield ("capacity errors", "critical", lambda: only_if_valid(
        error_ratio_gate(once(read_locust_stats, run.load("stats.csv")), 0.001), validity()))
    for step, ms in P95_MS.items():
        yield (f"capacity p95 {step}", "critical", lambda s=step, m=ms: only_if_valid(
            percentile_gate(once(read_locust_stats, run.load("stats.csv")), s, 95, m), validity()))


def _journey_then(run: RunLayout, product: str, viewport: str,
                  then: Callable[[JourneyEvidence], Outcome]) -> Compute:
    return lambda: then(once(read_journey, run.journey(product, viewport)))


def _notice_visible(journey: JourneyEvidence) -> Outcome:
    """features/steps/test_disclosures.py notice_visible."""
    reasons = None
    notice = journey.notice
    if notice is not None and notice.get("measurement"):
        check = interpret(dict(notice["measurement"]), selector=notice.get("selector"),
                          pattern=None, min_font_px=12, min_contrast=4.5)
        reasons = list(check.reasons)
        if not notice.get("scroll_unchanged", True):
            reasons.append("the page scrolled while the notice was measured")
    return notice_visible_gate(journey, reasons, 12, 4.5)


def _notice_days(journey: JourneyEvidence, min_days: int) -> Outcome:
    text = str((journey.notice or {}).get("text") or "")
    days = parse_cooling_off_days(text) if journey.notice else None
    return cooling_off_days_gate(journey, days, min_days)


def _integrity(run: RunLayout, kinds: tuple[str, ...]) -> Outcome:
    purchases = once(read_purchases, run.load("purchases.jsonl"))
    store = once(read_reconciliation, run.reconciliation)
    return integrity_gate(purchases, store, kinds=kinds)
