"""Did the store stop answering during the load? Read from the generator's own socket-error
counters (generator.jsonl, cumulative per worker): connections refused (ECONNREFUSED) mean
nothing listened on the store's port any more, so the store was down (crashed, killed,
restarted) and the load test measured no capacity. The validity gate then names the store
first, instead of blaming the generator for the request rate that fell as journeys aborted.

A connection reset or a timeout alone is not taken as a dead store: an overloaded store resets
and times out too, and those failures stay in the store's error ratio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.readers.generator import GeneratorHealth, GeneratorSample

REFUSED = "ECONNREFUSED"
# other target-side errors that are listed beside the refusals when there are some
ALSO_LISTED = ("ECONNRESET", "ETIMEDOUT", "EPIPE")


@dataclass(frozen=True)
class StoreDown:
    """When the store began refusing connections, how often, and whether until the end."""

    first_t_s: float  # the first sample that counted a refusal (seconds into the load)
    first_ts: float  # the same sample's wall-clock time (epoch seconds)
    last_answer_t_s: float | None  # the sample before it, when none had been refused yet
    phase: str | None
    refused: int
    until_end: bool  # still refusing in the last interval sampled
    others: dict[str, int]

    def sentence(self) -> str:
        clock = dt.datetime.fromtimestamp(self.first_ts, dt.UTC).strftime("%H:%M:%S UTC")
        when = (f"between {self.last_answer_t_s:.0f} s and {self.first_t_s:.0f} s into the "
                f"load (by {clock}" if self.last_answer_t_s is not None else
                f"from the start of the load (by {clock}")
        when += f", {self.phase} phase)" if self.phase else ")"
        refused = self.counted()
        if self.until_end:
            return (f"the store stopped answering {when}: {refused} from then until the end "
                    "of the run; nothing listened on its port any more (it crashed, was killed "
                    "or restarted), so this run measured a dead store, not its capacity: find "
                    "out from the store's log why it stopped, then run again")
        return (f"the store stopped answering {when}: {refused}, then answered again (it "
                "restarted?); a store that goes down under load is not measured by this run: "
                "find out from the store's log why it stopped, then run again")

    def counted(self) -> str:
        others = ", ".join(f"{k} x{n:,}" for k, n in sorted(self.others.items()))
        also = f" (and {others})" if others else ""
        return f"the store refused {self.refused:,} connection(s) (ECONNREFUSED){also}"

    def details(self) -> dict[str, Any]:
        return {"first_refused_t_s": self.first_t_s, "first_refused_at": self.first_ts,
                "refused": self.refused, "until_end": self.until_end, "others": self.others}


def store_down(health: GeneratorHealth) -> StoreDown | None:
    """The store's refusals in generator.jsonl, or None when no connection was refused."""
    samples = [s for s in health.samples if not s.final] or list(health.samples)
    counts = _cumulative(samples, REFUSED)
    first = next((i for i, n in enumerate(counts) if n > 0), None)
    if first is None:
        return None
    until_end = _refused_last(samples, counts)
    others = {k: n for k in ALSO_LISTED if (n := _cumulative(samples, k)[-1])}
    s = samples[first]
    return StoreDown(first_t_s=s.t_s, first_ts=s.ts,
                     last_answer_t_s=samples[first - 1].t_s if first else None,
                     phase=s.phase, refused=counts[-1], until_end=until_end, others=others)


def _refused_last(samples: Sequence[GeneratorSample], counts: Sequence[int]) -> bool:
    """Were requests still refused in the last interval in which any request was made?"""
    for i in range(len(samples) - 1, 0, -1):
        if samples[i].requests_total > samples[i - 1].requests_total:
            return counts[i] > counts[i - 1]
    return True  # no interval with requests after the first refusal: nothing answered


def _cumulative(samples: Sequence[GeneratorSample], kind: str) -> list[int]:
    """Per sample, the errors of `kind` counted so far: each worker's counter is cumulative, so
    its largest value so far stands (a worker that stopped reporting keeps its count)."""
    seen: dict[str, int] = {}
    out = []
    for s in samples:
        for w in s.workers:
            seen[w.id] = max(seen.get(w.id, 0), int(w.socket_errors.get(kind, 0)))
        out.append(sum(seen.values()))
    return out
