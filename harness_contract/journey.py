"""journey.json (raw/browser/<product>/<viewport>/): the steps of one purchase journey, the
cooling-off notice checks and the per-screen regulation measurements.

`JourneyRecord.from_json` is strict: a completed journey has counted steps and no error, an
unfinished one says why; `step_count` is the number of counted steps after the opening one;
booleans are booleans; every notice check agrees with its own measurement (notice.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness_contract._record import dumps
from harness_contract.fields import MAX_SECONDS, Obj, loads, mapping_of_texts
from harness_contract.notice import MAX_PX, check_notice
from harness_contract.sales_rules import (
    RulePatterns,
    SalesScreenRecord,
    check_ticked,
    read_patterns,
    read_sales,
)
from harness_contract.viewports import VIEWPORT_NAMES

_SIZE = re.compile(r"\d{2,5}x\d{2,5}")
FIELD_KINDS = ("text", "checkbox", "radio", "select")


@dataclass(frozen=True)
class StepRecord:
    index: int
    description: str
    screen_id: str
    counted: bool
    fields_filled: tuple[str, ...] = ()
    screenshot: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**self.extra, "index": self.index, "description": self.description,
                "screen_id": self.screen_id, "counted": self.counted,
                "fields_filled": list(self.fields_filled), "screenshot": self.screenshot}


@dataclass(frozen=True)
class ScreenRecord:
    step: int
    screen_id: str
    fields: Mapping[str, int]
    preselected: tuple[Mapping[str, Any], ...]
    prompt: str | None
    prompt_buttons: tuple[str, ...]
    sales: SalesScreenRecord | None = None  # None: measured before the disclosure rules


@dataclass(frozen=True)
class TextRunRecord:
    text: str
    weight: float
    font_px: float
    color: tuple[int, int, int]
    contrast: float | None


@dataclass(frozen=True)
class ExclusionsRecord:
    screen_id: str
    text: str
    runs: tuple[TextRunRecord, ...]
    body_font_px: float | None
    body_color: tuple[int, int, int] | None


@dataclass(frozen=True)
class RegulationRecord:
    screens: tuple[ScreenRecord, ...]
    exclusions: ExclusionsRecord | None
    prompt_dwell_ms: float | None
    prompt_still_shown: bool | None
    surrender: Mapping[str, Any] | None
    raw: Mapping[str, Any] = field(default_factory=dict)
    rules: RulePatterns | None = None  # None: measured before the disclosure rules


@dataclass(frozen=True)
class JourneyRecord:
    journey: str
    viewport: str
    completed: bool
    error: str | None
    step_count: int
    steps: tuple[StepRecord, ...]
    notice_checks: tuple[Mapping[str, Any], ...] = ()
    captured: Mapping[str, str] = field(default_factory=dict)
    regulation: RegulationRecord | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {**self.extra, "journey": self.journey, "viewport": self.viewport,
                "step_count": self.step_count, "steps": [s.to_dict() for s in self.steps],
                "notice_checks": [dict(n) for n in self.notice_checks],
                "captured": dict(self.captured), "completed": self.completed,
                "error": self.error,
                "regulation": dict(self.regulation.raw) if self.regulation else None}
        text = dumps(data)
        JourneyRecord.from_json(text, "journey.json (to_json)")  # a producer bug fails here
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> JourneyRecord:
        return cls.from_obj(Obj(loads(text, file), file))

    @classmethod
    def from_obj(cls, o: Obj) -> JourneyRecord:
        viewport = o.text("viewport")
        if viewport not in VIEWPORT_NAMES and not _SIZE.fullmatch(viewport):
            raise o.fail("viewport", f"is {viewport!r}, not one of {', '.join(VIEWPORT_NAMES)} "
                                     "or WIDTHxHEIGHT")
        steps = tuple(_step(s) for s in o.objs("steps"))
        for position, step in enumerate(steps):
            if step.index != position:
                raise o.fail(f"steps[{position}].index", f"is {step.index}, expected {position}: "
                                                          "steps are missing or out of order")
        if steps and steps[0].counted:
            raise o.fail("steps[0].counted", "is true: the opening screen is not a step")
        completed = o.boolean("completed")
        error = o.opt_text("error", empty_ok=False)
        step_count = o.integer("step_count", hi=10_000)
        counted = sum(1 for s in steps if s.counted and s.index > 0)
        if step_count != counted:
            raise o.fail("step_count", f"is {step_count} but {counted} counted step(s) are "
                                       "listed")
        if completed and (error is not None or counted == 0):
            why = f"an error ({error[:60]!r})" if error else "no counted step"
            raise o.fail("completed", f"is true with {why}: a completed journey has steps and "
                                      "no error")
        if not completed and error is None:
            raise o.fail("error", "is missing: an unfinished journey must say why")
        indices = {s.index for s in steps}
        notices = tuple(check_notice(n, indices) for n in o.objs("notice_checks", True))
        _unique(o, "notice_checks", [n["step"] for n in notices])
        regulation = o.opt_obj("regulation", absent_ok=True)  # absent: older evidence
        known = {"journey", "viewport", "step_count", "steps", "notice_checks", "captured",
                 "completed", "error", "regulation"}
        return cls(journey=o.text("journey"), viewport=viewport, completed=completed,
                   error=error, step_count=step_count, steps=steps, notice_checks=notices,
                   captured=mapping_of_texts(o, "captured"),
                   regulation=_regulation(regulation, indices, completed) if regulation
                   else None,
                   extra={k: v for k, v in o.data.items() if k not in known})


def _unique(o: Obj, name: str, steps: list[int]) -> None:
    """One entry per step, in step order (a repeated entry is ambiguous)."""
    for i, (a, b) in enumerate(itertools.pairwise(steps), start=1):
        if b <= a:
            raise o.fail(f"{name}[{i}].step", f"is {b}, not after the entry before ({a}): "
                                              "entries are repeated or out of order")


def _step(o: Obj) -> StepRecord:
    known = {"index", "description", "screen_id", "counted", "fields_filled", "screenshot"}
    o.opt_number("settle_ms", hi=MAX_SECONDS * 1000.0, absent_ok=True)
    return StepRecord(index=o.integer("index", hi=10_000), description=o.text("description"),
                      screen_id=o.text("screen_id"), counted=o.boolean("counted"),
                      fields_filled=o.texts("fields_filled", True),
                      screenshot=o.opt_text("screenshot", absent_ok=True),
                      extra={k: v for k, v in o.data.items() if k not in known})


def _regulation(o: Obj, indices: set[int], completed: bool = True) -> RegulationRecord:
    """Every screen is measured; a journey that stopped (the browser crashed while its last
    screen was being measured) may lack that last screen's measurement."""
    screens = tuple(_screen(s, indices) for s in o.objs("screens"))
    _unique(o, "screens", [s.step for s in screens])
    measured = {s.step for s in screens}
    cut_short = not completed and indices and measured == indices - {max(indices)}
    if measured != indices and not cut_short:
        raise o.fail("screens", f"measures steps {sorted(s.step for s in screens)} but the "
                                f"journey has steps {sorted(indices)}: every screen is measured")
    excl = o.opt_obj("exclusions")
    dwell = o.opt_obj("prompt_dwell")
    dwell_ms = dwell.number("dwell_ms", hi=MAX_SECONDS * 1000.0) if dwell else None
    still = dwell.boolean("still_shown") if dwell else None
    if dwell is not None and dwell.integer("step") not in indices:
        raise dwell.fail("step", f"is {dwell.data['step']}, not a step of this journey")
    surrender = o.opt_obj("surrender")
    rules = read_patterns(o)
    with_sales = [s.step for s in screens if s.sales is not None]
    if (rules is None and with_sales) or (rules is not None and len(with_sales) != len(screens)):
        raise o.fail("screens", f"the disclosure rules were measured on steps {with_sales} of "
                                f"{sorted(s.step for s in screens)}, with"
                                f"{'out' if rules is None else ''} their patterns: every screen "
                                "is measured, with what was looked for")
    return RegulationRecord(screens=screens, exclusions=_exclusions(excl) if excl else None,
                            prompt_dwell_ms=dwell_ms, prompt_still_shown=still,
                            surrender=_surrender(surrender) if surrender else None, raw=o.data,
                            rules=rules)


def _screen(o: Obj, indices: set[int]) -> ScreenRecord:
    step = o.integer("step")
    if step not in indices:
        raise o.fail("step", f"is {step}, not a step of this journey")
    kinds = o.counts("fields")
    for kind in FIELD_KINDS:
        if kind not in kinds:
            raise o.fail(f"fields.{kind}", "is missing")
    preselected = tuple(p.data for p in o.objs("preselected"))
    prompt = o.opt_obj("prompt")
    raw_sales = o.obj("sales") if o.has("sales") else None  # absent: older evidence
    sales = read_sales(raw_sales) if raw_sales else None
    if sales is not None:
        check_ticked(o, sales, len(preselected))
    return ScreenRecord(step=step, screen_id=o.text("screen_id"), fields=kinds,
                        preselected=preselected,
                        prompt=prompt.text("matched") if prompt else None,
                        prompt_buttons=prompt.texts("buttons") if prompt else (),
                        sales=sales)


def _rgb(o: Obj, name: str) -> tuple[int, int, int]:
    values = o.array(name)
    if len(values) < 3 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                  and 0 <= v <= 255 for v in values[:3]):
        raise o.fail(name, f"is {values!r}, not an RGB triple of 0-255")
    r, g, b = (int(v) for v in values[:3])
    return (r, g, b)


def _exclusions(o: Obj) -> ExclusionsRecord:
    runs = tuple(TextRunRecord(text=r.text("text", empty_ok=True),
                               weight=r.number("weight", lo=1.0, hi=1000.0),
                               font_px=r.number("font_px", hi=MAX_PX), color=_rgb(r, "color"),
                               contrast=r.opt_number("contrast", lo=1.0, hi=21.0))
                 for r in o.objs("runs"))
    if not runs:
        raise o.fail("runs", "is empty: exclusions were found but no text run was measured")
    body = o.opt_obj("body")
    return ExclusionsRecord(
        screen_id=o.text("screen_id"), text=o.opt_text("text") or "", runs=runs,
        body_font_px=body.opt_number("font_px", hi=MAX_PX) if body else None,
        body_color=_rgb(body, "color") if body and body.present("color") is not None else None)


def _surrender(o: Obj) -> Mapping[str, Any]:
    found = o.boolean("found")
    searched_depth = o.integer("max_clicks_searched", hi=100)
    clicks = o.opt_integer("clicks", hi=searched_depth)
    if found != (clicks is not None):
        raise o.fail("found", f"is {found} while clicks is {clicks!r}")
    o.integer("hidden_entries", hi=100_000)
    o.texts("searched")
    if found:
        o.obj("entry")
    return o.data
