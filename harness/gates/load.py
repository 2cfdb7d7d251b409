"""Load gates: error ratio, response-time percentile and concurrency held, judged on Locust's
stats and the generator-health record. Pure functions: evidence in, Outcome out.

Missing evidence (no such request, no requests at all, a percentile Locust could not compute)
is INCONCLUSIVE, never passed. Whether the generator itself was able to produce the load is a
separate gate, `generator_validity_gate`: a capacity scenario should record both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from harness.errors import ConfigError
from harness.gates.recovery import recovery_gate
from harness.gates.store_down import store_down
from harness.model import Comparator, Outcome, Status
from harness.readers.generator import GeneratorHealth, GeneratorSample, LoadPlan
from harness.readers.locust import PERCENTILE_COLUMNS, LocustStats
from harness_contract.client_errors import GENERATOR_LIMIT

__all__ = ["concurrency_gate", "error_ratio_gate", "generator_validity_gate", "only_if_valid",
           "percentile_gate",
           "recovery_gate"]

ROUNDING_NOTE = ("Locust percentiles come from a histogram rounded to about 2 significant "
                 "digits (exact below 100 ms, to 10 ms up to 1 s, to 100 ms above), so the "
                 "true value may differ by up to half a bucket")


def error_ratio_gate(stats: LocustStats, max_ratio: float,
                     request_name: str | None = None) -> Outcome:
    """Failed / all HTTP requests (0-1), or of one named request, <= max_ratio; over the whole
    run or chosen phases, as `percentile_gate`.

    The custom `purchase` event is not an HTTP request and is left out of the total; name it
    to judge the share of failed purchases."""
    if request_name is None:
        rows = stats.http_rows
        label = "all requests"
    else:
        row = stats.get(request_name)
        rows = (row,) if row is not None else ()
        label = request_name
        if row is None:
            return Outcome.inconclusive(
                f"no request named {request_name!r} in {stats.source} "
                f"(names: {', '.join(stats.names)})", evidence=(stats.source,))
    requests = sum(r.request_count for r in rows)
    failures = sum(r.failure_count for r in rows)
    if requests == 0:
        return Outcome.inconclusive(f"no {label} were made: nothing to judge",
                                    evidence=(stats.source,), n=0)
    blame = _whose_failures(stats, failures)
    if blame is not None:
        return Outcome.inconclusive(blame, evidence=(stats.source,), n=requests,
                                    details={"client_failures": dict(stats.client_failures
                                                                     or {})})
    ratio = failures / requests
    ok = Comparator.LE.holds(ratio, max_ratio)
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        message=(f"error ratio of {label} was {ratio:.4%} ({failures:,} of {requests:,}) "
                 f"(threshold {max_ratio:.4%})"),
        observed=ratio, threshold=max_ratio, comparator=Comparator.LE, unit="ratio",
        n=requests, evidence=(stats.source,),
        details={"failures": {r.name: r.failure_count for r in rows if r.failure_count}})


def _whose_failures(stats: LocustStats, failures: int) -> str | None:
    """Why the failures cannot be held against the store, or None: some were the generator's
    own (it ran out of ports or file descriptors, so those requests never reached the store),
    or there is no failures.csv to tell."""
    if stats.client_failures:
        listed = ", ".join(f"{k} x{n:,}" for k, n in sorted(stats.client_failures.items()))
        return (f"{sum(stats.client_failures.values()):,} failure(s) in failures.csv are the "
                f"load generator's own ({listed}): those requests never reached the store, so "
                "the error ratio measures the generator; give it more ports or file "
                "descriptors, or more workers, and run again")
    if failures and stats.client_failures is None:
        return (f"{failures:,} request(s) failed but there is no failures.csv beside "
                f"{stats.source} to tell the store's failures from the generator's")
    return None


def percentile_gate(stats: LocustStats, request_name: str, percentile: float,
                    max_ms: float) -> Outcome:
    """The `percentile` (in percent, one of Locust's columns: 50 ... 99.99) response time of
    `request_name` <= max_ms, over the stats given: the whole run (`read_locust_stats`) or
    chosen phases only, warm-up excluded (`read_phase_stats(path, ["steady"])`)."""
    available = [float(c.rstrip("%")) for c in PERCENTILE_COLUMNS]
    if float(percentile) not in available:
        raise ConfigError(f"percentile {percentile} is not one Locust records; use one of "
                          f"{', '.join(c.rstrip('%') for c in PERCENTILE_COLUMNS)}")
    row = stats.get(request_name)
    if row is None:
        return Outcome.inconclusive(
            f"no request named {request_name!r} in {stats.source} "
            f"(names: {', '.join(stats.names)})", evidence=(stats.source,))
    value = row.percentiles_ms.get(float(percentile))
    label = f"p{percentile:g} of {request_name}"
    if value is None or row.request_count == 0:
        return Outcome.inconclusive(f"{label}: Locust recorded no response times (N/A)",
                                    evidence=(stats.source,), n=row.request_count)
    ok = Comparator.LE.holds(value, max_ms)
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        message=f"{label} was {value:,.0f} ms (threshold {max_ms:,.0f} ms); {ROUNDING_NOTE}",
        observed=value, threshold=max_ms, comparator=Comparator.LE, unit="ms",
        n=row.request_count, evidence=(stats.source,),
        details={"rounding_ms": _bucket_ms(value) / 2, "failures": row.failure_count})


def _bucket_ms(value_ms: float) -> float:
    """Width of Locust's response-time bucket around value_ms (stats.py round-off rules)."""
    if value_ms < 100:
        return 1.0
    if value_ms < 1000:
        return 10.0
    if value_ms < 10000:
        return 100.0
    return 1000.0


def concurrency_gate(health: GeneratorHealth, plan: LoadPlan, min_users: int) -> Outcome:
    """The users actually running throughout the steady phases (the lowest sample) >= min_users.

    "100,000 people buying at the same moment" is a count of simulated buyers held, not of
    requests; no steady sample is missing evidence."""
    samples = steady_samples(health, plan, kinds=("steady",), settle_s=0.0)
    evidence = (health.source, plan.source)
    if not samples:
        return Outcome.inconclusive("no generator sample fell in a steady phase",
                                    evidence=evidence)
    held = min(s.users_actual for s in samples)
    ok = Comparator.GE.holds(held, min_users)
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        message=f"concurrent users held in steady state were {held:,} (threshold {min_users:,})",
        observed=held, threshold=min_users, comparator=Comparator.GE, unit="users",
        n=len(samples), evidence=evidence, details={"planned_users": plan.peak_users})


# Errors that mean the generator ran out of ports or file descriptors: the load measured the
# generator. ECONNREFUSED/ECONNRESET/timeouts are the target's doing and stay in the error ratio.
GENERATOR_SOCKET_ERRORS = GENERATOR_LIMIT
JUDGED_KINDS = ("steady", "spike", "recovery")
RAMP_GRACE_S = 3.0


def steady_samples(health: GeneratorHealth, plan: LoadPlan,
                   kinds: Sequence[str] = JUDGED_KINDS,
                   settle_s: float = 0.0) -> tuple[GeneratorSample, ...]:
    """Samples inside the phases of `kinds`, minus `settle_s` after each phase starts (warm-up
    and the seconds it takes a new target to propagate to the workers are excluded)."""
    windows = [(p.start_s + settle_s, p.end_s) for p in plan.phases if p.kind in kinds]
    return tuple(s for s in health.samples
                 if not s.final and any(lo <= s.t_s <= hi for lo, hi in windows))


def generator_validity_gate(health: GeneratorHealth, plan: LoadPlan,
                            max_cpu_percent: float = 90.0, max_rate_shortfall: float = 0.05,
                            max_loop_lag_ms: float = 100.0, settle_s: float = 3.0,
                            kinds: Sequence[str] = JUDGED_KINDS) -> Outcome:
    """Was the load generator able to produce the planned load? PASSED or INCONCLUSIVE, never
    FAILED: an invalid generator says nothing about the target either way.

    INCONCLUSIVE, with every reason listed, when in the judged phases (warm-up excluded) a
    worker's CPU exceeded `max_cpu_percent`, the running users fell below the plan, the achieved
    request rate fell more than `max_rate_shortfall` (0-1) below the plan's closed-loop rate, a
    worker's event-loop lag (p95 of one sample interval) exceeded `max_loop_lag_ms`; or at any
    time a worker went missing or the generator hit a socket limit (EADDRNOTAVAIL, EMFILE...).
    No sample in the judged phases is missing evidence."""
    evidence = (health.source, plan.source)
    judged = steady_samples(health, plan, kinds, settle_s)
    if not judged:
        return Outcome.inconclusive(
            f"no generator sample in the {'/'.join(kinds)} phases: the run ended early or "
            "generator.jsonl was not written", evidence=evidence)
    reasons: list[str] = []
    details: dict[str, Any] = {}
    _cpu(judged, reasons, details, max_cpu_percent=max_cpu_percent)
    _users(judged, reasons, details, all_samples=health.samples)
    _loop_lag(judged, reasons, details, max_loop_lag_ms=max_loop_lag_ms)
    _rate(judged, plan, max_rate_shortfall, reasons, details)
    _workers_missing(health, plan, reasons, details)
    _socket_errors(health, reasons, details)
    _client_failures(health, reasons, details)
    down = store_down(health)
    details["reasons"] = reasons
    if down is not None:
        details["store_down"] = down.details()
    if reasons:
        message = ("the load generator did not produce the planned load, so this run measured "
                   "the generator, not the target: " + "; ".join(reasons))
        if down is not None:  # the store, not the generator: it is named first
            message = (f"{down.sentence()}; the generator's own checks failed too (as they do "
                       f"when the store's answers stop): {'; '.join(reasons)}")
        return Outcome.inconclusive(
            message,
            observed=len(reasons), threshold=0, comparator=Comparator.EQ, unit="problems",
            n=len(judged), evidence=evidence, details=details)
    rate = (f"{details['rps_achieved']:,.1f} requests/s of {details['rps_planned']:,.1f} "
            "planned" if details["rate_judged"] else
            "request rate not judged (steady window shorter than two purchase cycles)")
    return Outcome(
        status=Status.PASSED,
        message=(f"the generator produced the planned load: {details['users_min']:,} users held, "
                 f"{rate}, CPU at most {details['cpu_percent_max']:.0f}% per worker, loop lag "
                 f"p95 at most {details['loop_lag_ms_p95_max']:.0f} ms, no missing worker, no "
                 "socket limit hit" + (f"; {down.counted()}, counted in its error ratio"
                                       if down is not None else "")),
        observed=0, threshold=0, comparator=Comparator.EQ, unit="problems", n=len(judged),
        evidence=evidence, details=details)


def _cpu(judged: Sequence[GeneratorSample], reasons: list[str], details: dict[str, Any],
         max_cpu_percent: float, **_: float) -> None:
    worst: dict[str, float] = {}
    for s in judged:
        for w in s.workers:
            if w.cpu_percent is not None:
                worst[w.id] = max(worst.get(w.id, 0.0), w.cpu_percent)
    details["cpu_percent_max"] = max(worst.values(), default=float("nan"))
    hot = {k: v for k, v in worst.items() if v > max_cpu_percent}
    if not worst:
        reasons.append("no worker reported its CPU")
    elif hot:
        reasons.append(f"{len(hot)} worker(s) above {max_cpu_percent:g}% CPU (max "
                       f"{max(hot.values()):.0f}%)")


def _users(judged: Sequence[GeneratorSample], reasons: list[str], details: dict[str, Any],
           all_samples: Sequence[GeneratorSample] = (), **_: float) -> None:
    """Short = fewer users than the plan wanted RAMP_GRACE_S earlier: while a ramp is judged (a
    spike), the master dispatches users once a second and the workers report their counts with
    their heartbeat, so the count seen trails the plan by a second or two without any fault."""
    def allowed(s: GeneratorSample) -> int:
        recent = [o.users_planned for o in all_samples
                  if s.t_s - RAMP_GRACE_S <= o.t_s <= s.t_s]
        return min([s.users_planned, *recent])

    short = [s for s in judged if s.users_actual < allowed(s)]
    details["users_min"] = min(s.users_actual for s in judged)
    details["users_planned_max"] = max(s.users_planned for s in judged)
    if short:
        worst = min(short, key=lambda s: s.users_actual / max(s.users_planned, 1))
        reasons.append(f"planned users not reached and held: {worst.users_actual:,} of "
                       f"{worst.users_planned:,} at {worst.t_s:.0f} s "
                       f"({len(short)} of {len(judged)} samples short)")


def _loop_lag(judged: Sequence[GeneratorSample], reasons: list[str], details: dict[str, Any],
              max_loop_lag_ms: float, **_: float) -> None:
    lags = [w.loop_lag_ms_p95 for s in judged for w in s.workers if w.loop_lag_ms_p95 is not None]
    details["loop_lag_ms_p95_max"] = max(lags, default=float("nan"))
    if lags and max(lags) > max_loop_lag_ms:
        reasons.append(f"event-loop lag p95 reached {max(lags):,.0f} ms (limit "
                       f"{max_loop_lag_ms:g} ms): users waited for the generator")


def _rate(judged: Sequence[GeneratorSample], plan: LoadPlan, max_shortfall: float,
          reasons: list[str], details: dict[str, Any]) -> None:
    """Achieved = each worker's own request count over its own clock, summed; planned = the
    plan's closed-loop rate at the planned users and the response time actually seen."""
    achieved = requests = 0.0
    response_ms = 0.0
    by_worker: dict[str, list[tuple[float, int, float]]] = {}
    for s in judged:
        for w in s.workers:
            if w.sampled_at is not None and w.requests_total is not None:
                by_worker.setdefault(w.id, []).append(
                    (w.sampled_at, w.requests_total, w.response_ms_total or 0.0))
    for points in by_worker.values():
        first, last = min(points), max(points)
        if last[0] > first[0]:
            achieved += (last[1] - first[1]) / (last[0] - first[0])
            requests += last[1] - first[1]
            response_ms += last[2] - first[2]
    if not by_worker or requests == 0:
        mean = sum(s.rps_achieved for s in judged) / len(judged)
        achieved, avg_s = mean, 0.0
    else:
        avg_s = response_ms / requests / 1000.0
    users = sum(s.users_planned for s in judged) / len(judged)
    planned = plan.planned_rps(users, avg_s)
    shortfall = 1.0 - achieved / planned if planned > 0 else float("nan")
    allowance = _count_noise(planned, judged, plan)
    window_s = max(s.t_s for s in judged) - min(s.t_s for s in judged)
    cycle_s = plan.think_per_purchase_s + plan.requests_per_purchase * avg_s
    # Users start with a request and then pause for minutes: over less than two purchase
    # cycles the rate follows the journey's shape, not the plan's long-run average.
    judged_rate = window_s >= 2 * cycle_s
    details.update(rps_achieved=achieved, rps_planned=planned, rate_shortfall=shortfall,
                   rate_noise_allowance=allowance, rate_judged=judged_rate)
    if judged_rate and not shortfall <= max_shortfall + allowance:
        reasons.append(f"achieved {achieved:,.1f} requests/s, {shortfall:.1%} below the "
                       f"planned {planned:,.1f} (limit {max_shortfall:.0%} + {allowance:.1%} "
                       "for the randomness of think times in a window this short)")


def _count_noise(planned_rps: float, judged: Sequence[GeneratorSample], plan: LoadPlan) -> float:
    """Two standard deviations of the relative count of purchase cycles in the window.

    Think times are random, so even a perfect generator completes a random number of cycles:
    relative SD = CV / sqrt(cycles) for a renewal process, with CV <= 0.5 for the sum of the
    journey's uniform pauses. Negligible at scale (5,000 users for 5 minutes: ~1 %), it keeps
    a 20-second smoke run from being called invalid for chance alone."""
    window_s = max(s.t_s for s in judged) - min(s.t_s for s in judged)
    cycles = planned_rps * window_s / plan.requests_per_purchase
    return 2 * 0.5 / math.sqrt(cycles) if cycles > 1 else 1.0


def _workers_missing(health: GeneratorHealth, plan: LoadPlan, reasons: list[str],
                     details: dict[str, Any]) -> None:
    expected = plan.workers_expected
    missing = [s for s in health.samples if s.workers_missing
               or (expected and len(s.workers) < expected)]
    details["workers_missing_samples"] = len(missing)
    lost = _lost_workers(health)
    details["workers_lost"] = lost
    if missing:
        first = missing[0]
        named = ("; lost: " + ", ".join(f"worker {w} on host {_host_of(w)}" for w in lost)
                 if lost else "")
        reasons.append(f"a worker went missing (heartbeat lost) from {first.t_s:.0f} s: "
                       f"{len(first.workers) - first.workers_missing} of "
                       f"{expected or len(first.workers)} reporting{named}")


def _lost_workers(health: GeneratorHealth) -> list[str]:
    """Ids of workers the master marked missing, or that reported and then vanished."""
    lost: list[str] = []
    seen: set[str] = set()
    for s in health.samples:
        present = {w.id for w in s.workers}
        for w in s.workers:
            if w.state == "missing" and w.id not in lost:
                lost.append(w.id)
        lost.extend(sorted(i for i in seen - present if i not in lost))
        seen |= present
    return lost


def _host_of(worker_id: str) -> str:
    """Locust names a worker `<host name>_<32 hex digits>`."""
    host, _, suffix = worker_id.rpartition("_")
    return host if host and len(suffix) == 32 else "unknown"


def _socket_errors(health: GeneratorHealth, reasons: list[str],
                   details: dict[str, Any]) -> None:
    """Counts are cumulative per worker; the largest seen per worker and errno is the total."""
    worst: dict[tuple[str, str], int] = {}
    for s in health.samples:
        for w in s.workers:
            for kind, n in w.socket_errors.items():
                worst[(w.id, kind)] = max(worst.get((w.id, kind), 0), n)
    totals: dict[str, int] = {}
    for (_, kind), n in worst.items():
        totals[kind] = totals.get(kind, 0) + n
    details["socket_errors"] = totals
    limit = {k: n for k, n in totals.items() if k in GENERATOR_SOCKET_ERRORS and n}
    if limit:
        reasons.append("the generator hit socket limits: " + ", ".join(
            f"{k} x{n:,}" for k, n in sorted(limit.items())))


def _client_failures(health: GeneratorHealth, reasons: list[str],
                     details: dict[str, Any]) -> None:
    """Failures Locust recorded (failures.csv) that were the generator's own limits, even
    when its socket-error counters missed them (a user class of the user's own, say)."""
    if health.client_failures is None:
        details["client_failures"] = None
        reasons.append("no failures.csv beside stats.csv: the generator's own client-side "
                       "failures cannot be ruled out")
        return
    found = dict(health.client_failures)
    details["client_failures"] = found
    if found:
        reasons.append("failures.csv shows the generator's own client-side failures: "
                       + ", ".join(f"{k} x{n:,}" for k, n in sorted(found.items())))


def only_if_valid(outcome: Outcome, validity: Outcome | None) -> Outcome:
    """A latency or error criterion counts only when `generator_validity_gate` passed: a
    saturated generator measured itself, not the store. Otherwise INCONCLUSIVE, naming why."""
    if validity is not None and validity.status is Status.PASSED:
        return outcome
    why = validity.message if validity is not None else "validity was not judged"
    return replace(outcome, status=Status.INCONCLUSIVE,
                   message=f"not trusted, the load test was not valid ({why}); "
                           f"measured: {outcome.message}")
