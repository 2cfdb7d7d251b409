"""generator.jsonl (raw/load/): one line per sample interval from the Locust master, the
generator's own health, and phases.json, the plan it was asked to produce.

A line (`GeneratorSample.from_json`) is checked on its own: counts are whole and >= 0, worker
states are Locust's (a `lost` worker is not a state Locust knows), errno names are upper case,
the line's totals are the sums of its workers'. The file (`GeneratorLog.from_text`) is checked
as a whole: time only moves forward, exactly one `final` line and it is the last (a file cut
before it is incomplete), the same number of workers expected throughout and more than none,
and each line's `rps_achieved` accounts for the requests since the line before it, so lines
taken out of the middle (half the samples, say) show.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from harness_contract._record import dumps
from harness_contract.errors import EvidenceInvalid
from harness_contract.fields import (
    MAX_EPOCH_S,
    MAX_SECONDS,
    MIN_EPOCH_S,
    Obj,
    json_lines,
    loads,
)

# locust.runners STATE_* values: a worker in any other state is not evidence Locust wrote
WORKER_STATES = ("ready", "spawning", "running", "cleanup", "stopping", "stopped", "missing")
ERRNO_NAME = re.compile(r"E[A-Z0-9]{2,15}")
MAX_RPS = 10_000_000.0
MAX_CPU_PERCENT = 100_000.0  # one process on many cores can exceed 100 %


SAMPLE_KEYS = ("requests_total", "response_ms_total", "cpu_percent", "socket_errors",
               "loop_lag_ms_p95", "loop_lag_ms_max")


def _errno_key(key: str) -> bool:
    return bool(ERRNO_NAME.fullmatch(key))


@dataclass(frozen=True)
class WorkerSample:
    id: str
    state: str
    users: int
    cpu_percent: float | None = None
    loop_lag_ms_p95: float | None = None
    loop_lag_ms_max: float | None = None
    requests_total: int | None = None
    response_ms_total: float | None = None
    sampled_at: float | None = None
    socket_errors: Mapping[str, int] = field(default_factory=dict)
    cpu_s_total: float | None = None
    rss_bytes: int | None = None

    @classmethod
    def from_obj(cls, o: Obj) -> WorkerSample:
        # a worker the master has no sample from yet has only id, state and users; once
        # `sampled_at` is there, every key of the sample is (null where psutil could not tell)
        absent = not o.has("sampled_at")
        for key in SAMPLE_KEYS:
            if o.has(key) == absent:
                raise o.fail(key if absent else "sampled_at",
                             "is missing: a worker's sample has sampled_at and every measure, "
                             "or none of them (no sample received yet)")
        p95 = o.opt_number("loop_lag_ms_p95", absent_ok=absent)
        worst = o.opt_number("loop_lag_ms_max", absent_ok=absent)
        if p95 is not None and worst is not None and p95 > worst:
            raise o.fail("loop_lag_ms_p95", f"is {p95:g}, above loop_lag_ms_max ({worst:g})")
        return cls(id=o.text("id"), state=o.choice("state", WORKER_STATES),
                   users=o.integer("users"),
                   cpu_percent=o.opt_number("cpu_percent", hi=MAX_CPU_PERCENT, absent_ok=absent),
                   loop_lag_ms_p95=p95, loop_lag_ms_max=worst,
                   requests_total=o.opt_integer("requests_total", absent_ok=absent),
                   response_ms_total=o.opt_number("response_ms_total", hi=1e15,
                                                  absent_ok=absent),
                   sampled_at=o.opt_number("sampled_at", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S,
                                           absent_ok=True),
                   socket_errors=o.counts("socket_errors", _errno_key,
                                          "an errno name in upper case, such as EADDRNOTAVAIL",
                                          absent_ok=absent),
                   cpu_s_total=o.opt_number("cpu_s_total", hi=1e9, absent_ok=True),
                   rss_bytes=o.opt_integer("rss_bytes", absent_ok=True))


@dataclass(frozen=True)
class GeneratorSample:
    """One line of generator.jsonl."""

    ts: float
    t_s: float
    final: bool
    phase: str | None
    phase_kind: str | None
    users_planned: int
    users_actual: int
    requests_total: int
    failures_total: int
    rps_planned: float
    rps_achieved: float
    workers_expected: int
    workers: tuple[WorkerSample, ...]
    socket_errors: Mapping[str, int]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def workers_missing(self) -> int:
        return sum(1 for w in self.workers if w.state == "missing")

    def to_json(self) -> str:
        data = {**self.extra, **{k: v for k, v in asdict(self).items() if k != "extra"},
                "workers_missing": self.workers_missing}
        text = dumps(data, indent=None)
        GeneratorSample.from_json(text, "generator.jsonl (to_json)")
        return text

    @classmethod
    def from_json(cls, text: str, file: str, line: int | None = None) -> GeneratorSample:
        return cls.from_obj(Obj(loads(text, file, line), file, line))

    @classmethod
    def from_obj(cls, o: Obj) -> GeneratorSample:
        workers = tuple(WorkerSample.from_obj(w) for w in o.objs("workers"))
        if len({w.id for w in workers}) != len(workers):
            raise o.fail("workers", "lists a worker twice: ambiguous")
        s = cls(ts=o.number("ts", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S),
                t_s=o.number("t_s", hi=MAX_SECONDS), final=o.boolean("final"),
                phase=o.opt_text("phase", empty_ok=False),
                phase_kind=o.opt_text("phase_kind", empty_ok=False),
                users_planned=o.integer("users_planned"), users_actual=o.integer("users_actual"),
                requests_total=o.integer("requests_total"),
                failures_total=o.integer("failures_total"),
                rps_planned=o.number("rps_planned", hi=MAX_RPS),
                rps_achieved=o.number("rps_achieved", hi=MAX_RPS),
                workers_expected=o.integer("workers_expected", lo=1, hi=100_000),
                workers=workers,
                socket_errors=o.counts("socket_errors", _errno_key,
                                       "an errno name in upper case, such as EADDRNOTAVAIL"),
                extra={k: v for k, v in o.data.items() if k not in _KNOWN})
        _consistent(o, s)
        return s


_KNOWN = {"ts", "t_s", "final", "phase", "phase_kind", "users_planned", "users_actual",
          "requests_total", "failures_total", "rps_planned", "rps_achieved",
          "workers_expected", "workers", "socket_errors", "workers_missing"}


def _consistent(o: Obj, s: GeneratorSample) -> None:
    if o.integer("workers_missing") != s.workers_missing:
        raise o.fail("workers_missing", f"is {o.data['workers_missing']} but "
                                        f"{s.workers_missing} worker(s) are in state missing")
    summed: dict[str, int] = {}
    for w in s.workers:
        for kind, n in w.socket_errors.items():
            summed[kind] = summed.get(kind, 0) + n
    if summed != dict(s.socket_errors):
        raise o.fail("socket_errors", f"is {dict(s.socket_errors)} but the workers' sum to "
                                      f"{summed}")
    by_worker = sum(w.requests_total or 0 for w in s.workers)
    if s.workers and by_worker > s.requests_total:
        raise o.fail("requests_total", f"is {s.requests_total}, fewer than the "
                                       f"{by_worker} its workers report")
    if s.failures_total > max(s.requests_total, by_worker) and s.requests_total:
        raise o.fail("failures_total", f"is {s.failures_total}, more than the "
                                       f"{s.requests_total} requests")
    if s.workers and not s.final and s.users_actual != sum(w.users for w in s.workers):
        raise o.fail("users_actual", f"is {s.users_actual} but its workers run "
                                     f"{sum(w.users for w in s.workers)}")
    if s.final and (s.phase is not None):
        raise o.fail("phase", "is set on the final line (the test had stopped)")


@dataclass(frozen=True)
class GeneratorLog:
    """The whole generator.jsonl."""

    samples: tuple[GeneratorSample, ...]
    file: str

    @property
    def final(self) -> GeneratorSample:
        return self.samples[-1]

    @classmethod
    def from_text(cls, text: str, file: str) -> GeneratorLog:
        samples = []
        for line, data in json_lines(text, file):
            samples.append((line, GeneratorSample.from_obj(Obj(data, file, line))))
        _whole_file(samples, file)
        return cls(tuple(s for _, s in samples), file)


def _whole_file(samples: list[tuple[int, GeneratorSample]], file: str) -> None:
    last_line, last = samples[-1]
    if not last.final:
        raise EvidenceInvalid(file, "final", "is false on the last line: the file was cut "
                              "before the final record (the run stopped, or lines were lost)",
                              last_line)
    expected = samples[0][1].workers_expected
    _regular(samples, file)
    for (_, before), (line, s) in itertools.pairwise(samples):
        if s.t_s <= before.t_s or s.ts <= before.ts:
            raise EvidenceInvalid(file, "t_s", f"is {s.t_s:g}, not after the line before "
                                  f"({before.t_s:g}): lines are out of order or repeated", line)
        if before.final:
            raise EvidenceInvalid(file, "final", "is true on a line that is not the last",
                                  line - 1)
        if s.workers_expected != expected:
            raise EvidenceInvalid(file, "workers_expected", f"is {s.workers_expected}, it was "
                                  f"{expected} on line 1", line)
        if s.requests_total < before.requests_total:
            raise EvidenceInvalid(file, "requests_total", f"fell from {before.requests_total}"
                                  f" to {s.requests_total}: totals only grow", line)
        _rate_accounts(before, s, file, line)


def _regular(samples: list[tuple[int, GeneratorSample]], file: str) -> None:
    """The master writes a line every sample interval: a gap of one and a half intervals
    means a line is missing (the final line may come sooner, never later)."""
    gaps = sorted(b.ts - a.ts for (_, a), (_, b) in itertools.pairwise(samples[:-1]))
    if not gaps:
        return
    interval = gaps[len(gaps) // 2]
    limit = 1.5 * interval + 0.25
    if samples[0][1].t_s > limit:
        raise EvidenceInvalid(file, "t_s", f"is {samples[0][1].t_s:g} on the first line, more "
                              f"than one sample interval ({interval:.1f} s): lines before it "
                              "are missing", samples[0][0])
    for (_, a), (line, b) in itertools.pairwise(samples):
        if b.ts - a.ts > limit:
            raise EvidenceInvalid(file, "ts", f"is {b.ts - a.ts:.1f} s after the line before, "
                                  f"the sample interval is {interval:.1f} s: a line between "
                                  "them is missing", line)


def _rate_accounts(before: GeneratorSample, s: GeneratorSample, file: str, line: int) -> None:
    """rps_achieved is (requests now - requests at the line before) / seconds between them."""
    dt = s.ts - before.ts
    delta = s.requests_total - before.requests_total
    expected = s.rps_achieved * dt
    if abs(expected - delta) > 2 + 0.02 * max(delta, expected):
        raise EvidenceInvalid(file, "rps_achieved", f"is {s.rps_achieved:g}/s over "
                              f"{dt:.1f} s = {expected:.0f} requests, but requests_total grew by "
                              f"{delta} since the line before: a line between them is missing",
                              line)


@dataclass(frozen=True)
class PlanPhase:
    name: str
    kind: str
    start_s: float
    end_s: float
    users: int




@dataclass(frozen=True)
class LoadPlanRecord:
    """phases.json: the profile the generator was asked to produce."""

    profile: str
    started_at: float
    duration_s: float
    peak_users: int
    phases: tuple[PlanPhase, ...]
    requests_per_purchase: float
    think_per_purchase_s: float
    workers_expected: int
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str, file: str) -> LoadPlanRecord:
        o = Obj(loads(text, file), file)
        phases = tuple(PlanPhase(p.text("name"), p.text("kind"),
                                 p.number("start_s", hi=MAX_SECONDS),
                                 p.number("end_s", hi=MAX_SECONDS), p.integer("users"))
                       for p in o.objs("phases"))
        if not phases:
            raise o.fail("phases", "is empty")
        if phases[0].start_s != 0:
            raise o.fail("phases[0].start_s", f"is {phases[0].start_s:g}: the plan starts at 0")
        for i, (a, b) in enumerate(itertools.pairwise(phases), start=1):
            if abs(b.start_s - a.end_s) > 1e-6:
                raise o.fail(f"phases[{i}].start_s", f"is {b.start_s:g}, not where the phase "
                                                     f"before ends ({a.end_s:g})")
        for i, p in enumerate(phases):
            if p.end_s <= p.start_s:
                raise o.fail(f"phases[{i}].end_s", f"is {p.end_s:g}, not after its start")
        duration = o.number("duration_s", hi=MAX_SECONDS)
        if abs(duration - phases[-1].end_s) > 1e-6:
            raise o.fail("duration_s", f"is {duration:g} but the phases end at "
                                       f"{phases[-1].end_s:g}")
        peak = o.integer("peak_users")
        if peak < max(p.users for p in phases):
            raise o.fail("peak_users", f"is {peak}, below a phase's users")
        return cls(profile=o.text("profile"),
                   started_at=o.number("started_at", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S),
                   duration_s=duration, peak_users=peak, phases=phases,
                   requests_per_purchase=o.number("requests_per_purchase", lo=1e-9, hi=10_000.0),
                   think_per_purchase_s=o.number("think_per_purchase_s", hi=MAX_SECONDS),
                   workers_expected=o.integer("workers_expected", lo=1, hi=100_000), raw=o.data)


def check_against_plan(log: GeneratorLog, plan: LoadPlanRecord) -> None:
    """The log belongs to this plan: the same workers expected, the first line's rate accounts
    for the requests since the test started, and it ends no earlier than the plan (less a
    sample interval or two: the shape stops the test the moment its last phase ends)."""
    first = log.samples[0]
    if first.workers_expected != plan.workers_expected:
        raise EvidenceInvalid(log.file, "workers_expected", f"is {first.workers_expected} but "
                              f"phases.json expects {plan.workers_expected}", 1)
    if abs(first.ts - first.t_s - plan.started_at) > 5.0:
        raise EvidenceInvalid(log.file, "ts", "does not match phases.json's started_at: the "
                              "files come from different runs", 1)
    dt = first.ts - plan.started_at
    expected = first.rps_achieved * dt
    if abs(expected - first.requests_total) > 2 + 0.02 * max(first.requests_total, expected):
        raise EvidenceInvalid(log.file, "rps_achieved", f"of the first line accounts for "
                              f"{expected:.0f} requests since the start but requests_total is "
                              f"{first.requests_total}: lines before it are missing", 1)
