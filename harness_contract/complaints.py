"""The voice of the customer during the escort: one complaint or feedback event as the store
records it, and raw/escort/complaints.jsonl, one `ComplaintWindow` line per check (how many
complaints, by category, arrived in that check's interval), which the watch's producer
(harness_watch/complaints.py) writes and the escort judge (harness/escort/complaints.py) reads.

An event is a `complaint` (counted in the complaint ratio) or other `feedback` (kept apart:
praise or a suggestion is not a complaint). A window with no complaint has `total: 0` and
empty `counts`: a measured zero. A window whose source could not be read is not written as a
zero: it carries `error` and no counts, and the judge reads it as no data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from harness_contract._record import dumps
from harness_contract.fields import MAX_COUNT, MAX_EPOCH_S, MIN_EPOCH_S, Obj, json_lines, loads

__all__ = ["COMPLAINT", "FEEDBACK", "KINDS", "ComplaintEvent", "ComplaintWindow",
           "read_windows"]

COMPLAINT, FEEDBACK = "complaint", "feedback"
KINDS = (COMPLAINT, FEEDBACK)
MAX_TEXT = 10_000  # characters kept of an event's text
MAX_CATEGORY = 100


def _category_ok(name: str) -> bool:
    return bool(name.strip()) and name == name.strip() and len(name) <= MAX_CATEGORY


@dataclass(frozen=True)
class ComplaintEvent:
    """One complaint or feedback event: when (UNIX s), its category ("payment", "policy",
    "premium", ... as the store names them), the order or policy it is about (if any), what
    the customer wrote, and whether it is a complaint or other feedback."""

    at: float
    category: str
    order_or_policy_id: str | None
    text: str
    kind: str = COMPLAINT

    def __post_init__(self) -> None:
        if isinstance(self.at, bool) or not isinstance(self.at, int | float) \
                or not math.isfinite(self.at) or not MIN_EPOCH_S <= self.at <= MAX_EPOCH_S:
            raise ValueError(f"time {self.at!r} is not a UNIX time in seconds (2000-2100)")
        if not isinstance(self.category, str) or not _category_ok(self.category):
            raise ValueError(f"category {self.category!r} must be non-empty text without "
                             f"surrounding spaces, at most {MAX_CATEGORY} characters")
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.order_or_policy_id is not None and (
                not isinstance(self.order_or_policy_id, str)
                or not self.order_or_policy_id.strip()):
            raise ValueError(f"order_or_policy_id {self.order_or_policy_id!r} must be "
                             "non-empty text or null")
        if not isinstance(self.text, str) or len(self.text) > MAX_TEXT:
            raise ValueError(f"text must be text of at most {MAX_TEXT} characters")

    def to_json(self) -> str:
        return dumps({"at": self.at, "category": self.category,
                      "order_or_policy_id": self.order_or_policy_id, "text": self.text,
                      "kind": self.kind}, indent=None)

    @classmethod
    def from_obj(cls, o: Obj) -> ComplaintEvent:
        category = o.text("category")
        if not _category_ok(category):
            raise o.fail("category", f"is {category!r}: no surrounding spaces, at most "
                                     f"{MAX_CATEGORY} characters")
        text = o.text("text", empty_ok=True)
        if len(text) > MAX_TEXT:
            raise o.fail("text", f"is longer than {MAX_TEXT} characters")
        return cls(at=o.number("at", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S), category=category,
                   order_or_policy_id=o.opt_text("order_or_policy_id", empty_ok=False),
                   text=text, kind=o.choice("kind", KINDS))

    @classmethod
    def from_json(cls, text: str, file: str, line: int | None = None) -> ComplaintEvent:
        return cls.from_obj(Obj(loads(text, file, line), file, line))


@dataclass(frozen=True)
class ComplaintWindow:
    """The complaints of one check's interval (start, end]: counts by category, their total,
    how many other feedback events came, and where they were read from (password masked).

    `error` set: the source could not be read for this window; then `counts` is empty and
    `total` and `feedback` are null (no data, never zero)."""

    check: int
    start: float
    end: float
    counts: dict[str, int] = field(default_factory=dict)
    total: int | None = 0
    feedback: int | None = 0
    source: str = ""
    error: str | None = None

    def to_json(self) -> str:
        text = dumps({"check": self.check, "start": self.start, "end": self.end,
                      "counts": dict(sorted(self.counts.items())), "total": self.total,
                      "feedback": self.feedback, "source": self.source, "error": self.error},
                     indent=None)
        ComplaintWindow.from_json(text, "complaints.jsonl (to_json)")
        return text

    @classmethod
    def from_obj(cls, o: Obj) -> ComplaintWindow:
        window = cls(check=o.integer("check"),
                     start=o.number("start", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S),
                     end=o.number("end", lo=MIN_EPOCH_S, hi=MAX_EPOCH_S),
                     counts=o.counts("counts", key_ok=_category_ok,
                                     key_rule="a category: non-empty, no surrounding spaces"),
                     total=o.opt_integer("total", hi=MAX_COUNT),
                     feedback=o.opt_integer("feedback", hi=MAX_COUNT),
                     source=o.text("source", empty_ok=True),
                     error=o.opt_text("error", empty_ok=False))
        if window.end <= window.start:
            raise o.fail("end", f"is {window.end:g}, not after start {window.start:g}")
        if window.error is not None:
            if window.counts or window.total is not None or window.feedback is not None:
                raise o.fail("error", "a window whose source failed has no counts, and null "
                                      "total and feedback")
            return window
        if window.total is None or window.feedback is None:
            raise o.fail("total" if window.total is None else "feedback",
                         "is null but no error says why")
        if any(v == 0 for v in window.counts.values()):
            raise o.fail("counts", "lists a category with 0 complaints: leave it out")
        if sum(window.counts.values()) != window.total:
            raise o.fail("total", f"is {window.total}, but the counts by category add up to "
                                  f"{sum(window.counts.values())}")
        return window

    @classmethod
    def from_json(cls, text: str, file: str, line: int | None = None) -> ComplaintWindow:
        return cls.from_obj(Obj(loads(text, file, line), file, line))


def read_windows(text: str, file: str) -> list[ComplaintWindow]:
    """Every line of complaints.jsonl, strictly: checks strictly increasing, windows in time
    order and not overlapping; a defect raises EvidenceInvalid naming the line."""
    windows: list[ComplaintWindow] = []
    for line, data in json_lines(text, file):
        o = Obj(data, file, line)
        window = ComplaintWindow.from_obj(o)
        if windows and window.check <= windows[-1].check:
            raise o.fail("check", f"is {window.check}, not after the previous line's "
                                  f"{windows[-1].check}")
        if windows and window.start < windows[-1].end:
            raise o.fail("start", f"is {window.start:g}, before the previous window's end "
                                  f"{windows[-1].end:g}: windows overlap")
        windows.append(window)
    return windows
