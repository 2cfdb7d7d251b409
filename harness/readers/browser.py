"""Reads the browser evidence written by harness_browser/ (journey.json, form-errors.json) into
frozen
values. A missing, unreadable or malformed file raises EvidenceError naming file and field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.readers.evidence_file import as_evidence_error, contract_record
from harness_contract.fields import Obj
from harness_contract.form_errors import FormErrorsRecord
from harness_contract.journey import JourneyRecord, RegulationRecord
from harness_contract.sales_rules import RulePatterns, SalesScreenRecord


@dataclass(frozen=True)
class StepEvidence:
    index: int
    description: str
    screen_id: str
    counted: bool
    fields_filled: tuple[str, ...]
    screenshot: str | None


@dataclass(frozen=True)
class ScreenRules:
    """One screen on arrival: input fields by kind, boxes already ticked, a 可回溯 prompt."""

    step: int
    screen_id: str
    description: str
    fields: Mapping[str, int]
    preselected: tuple[Mapping[str, Any], ...]
    prompt: str | None
    prompt_buttons: tuple[str, ...]
    sales: SalesScreenRecord | None = None  # None: from before the disclosure rules

    @property
    def collects_input(self) -> bool:
        """Text fields, checkboxes or radios (a <select> on a product page picks a plan)."""
        return any(self.fields.get(k, 0) for k in ("text", "checkbox", "radio"))


@dataclass(frozen=True)
class TextRun:
    text: str
    weight: float
    font_px: float
    color: tuple[int, int, int]
    contrast: float | None


@dataclass(frozen=True)
class ExclusionsEvidence:
    screen_id: str
    runs: tuple[TextRun, ...]
    body_font_px: float | None
    body_color: tuple[int, int, int] | None
    text: str


@dataclass(frozen=True)
class RegulationEvidence:
    """journey.json "regulation" (harness_browser.regulation): what the sales-page rules are judged
    on."""

    screens: tuple[ScreenRules, ...]
    exclusions: ExclusionsEvidence | None
    prompt_dwell_ms: float | None
    prompt_still_shown: bool | None
    surrender: Mapping[str, Any] | None
    rules: RulePatterns | None = None  # what the disclosure rules looked for


@dataclass(frozen=True)
class JourneyEvidence:
    source: str
    journey: str
    viewport: str
    completed: bool
    error: str | None
    step_count: int
    steps: tuple[StepEvidence, ...]
    notice: Mapping[str, Any] | None = None
    captured: Mapping[str, str] = field(default_factory=dict)
    regulation: RegulationEvidence | None = None  # None: evidence from before it was measured

    @property
    def counted_steps(self) -> tuple[StepEvidence, ...]:
        return tuple(s for s in self.steps if s.counted and s.index > 0)


@dataclass(frozen=True)
class FormErrorEvidence:
    source: str
    form_found: bool
    expected_invalid: tuple[str, ...]
    problems: tuple[str, ...]
    screenshot: str | None


def read_journey(path: Path) -> JourneyEvidence:
    """journey.json through the contract's strict JourneyRecord (harness_contract.journey):
    any defect is an EvidenceError naming the file, the field and what was wrong."""
    record = contract_record(path, JourneyRecord.from_json,
                             "the browser journey did not run: run the features live")
    steps = tuple(StepEvidence(index=s.index, description=s.description,
                               screen_id=s.screen_id, counted=s.counted,
                               fields_filled=s.fields_filled, screenshot=s.screenshot)
                  for s in record.steps)
    return JourneyEvidence(
        source=str(path), journey=record.journey, viewport=record.viewport,
        completed=record.completed, error=record.error, step_count=record.step_count,
        steps=steps, notice=record.notice_checks[0] if record.notice_checks else None,
        captured=dict(record.captured), regulation=_regulation(record.regulation, steps))


def read_form_errors(path: Path) -> FormErrorEvidence:
    """form-errors.json through the contract's FormErrorsRecord, which refuses a record whose
    `problems` leave out what its own measurements show."""
    record = contract_record(path, FormErrorsRecord.from_json,
                             "the health-declaration check did not run")
    return FormErrorEvidence(source=str(path), form_found=record.form_found,
                             expected_invalid=record.expected_invalid,
                             problems=record.problems, screenshot=record.screenshot)


@dataclass(frozen=True)
class NoticeSpotEvidence:
    """One viewport of a `harness check notice` spot check (harness_browser.spot's output)."""

    viewport: str
    width: int
    height: int
    http_status: int | None
    error: str | None
    found: bool
    reasons: tuple[str, ...]
    text: str
    measurements: Mapping[str, Any]
    screenshot: str | None


_SPOT_MEASUREMENTS = ("lines", "lines_in_viewport", "min_font_px", "min_contrast",
                      "effective_opacity", "covered_by", "bbox", "cooling_off_days",
                      "in_shadow_dom", "frame_depth", "selector")


def read_notice_spots(data: Mapping[str, Any], source: str) -> tuple[NoticeSpotEvidence, ...]:
    """The per-viewport entries of a spot check; malformed output raises EvidenceError (a
    boolean that is not a boolean, a missing size, a reason that is not text)."""
    with as_evidence_error():
        spots = []
        for entry in Obj(dict(data), source).objs("viewports"):
            check = entry.opt_obj("check", absent_ok=True) or \
                Obj({}, source, None, f"{entry.path}check.")
            found = check.opt_boolean("found", absent_ok=True) or False
            spots.append(NoticeSpotEvidence(
                viewport=entry.text("viewport"), width=entry.integer("width", lo=1),
                height=entry.integer("height", lo=1),
                http_status=entry.opt_integer("http_status", lo=100, hi=999, absent_ok=True),
                error=entry.opt_text("error", absent_ok=True), found=found,
                reasons=check.texts("reasons", optional=True),
                text=check.opt_text("text", absent_ok=True) or "",
                measurements={k: check.data.get(k) for k in _SPOT_MEASUREMENTS
                              if k in check.data},
                screenshot=check.opt_text("screenshot", absent_ok=True)))
        return tuple(spots)


def _regulation(data: RegulationRecord | None,
                steps: tuple[StepEvidence, ...]) -> RegulationEvidence | None:
    """The regulation part of journey.json; absent (older evidence) is None."""
    if data is None:
        return None
    described = {s.index: s.description for s in steps}
    screens = tuple(ScreenRules(
        step=s.step, screen_id=s.screen_id, description=described.get(s.step, ""),
        fields=dict(s.fields), preselected=s.preselected, prompt=s.prompt,
        prompt_buttons=s.prompt_buttons, sales=s.sales) for s in data.screens)
    found = data.exclusions
    exclusions = None if found is None else ExclusionsEvidence(
        screen_id=found.screen_id, text=found.text,
        runs=tuple(TextRun(text=r.text, weight=r.weight, font_px=r.font_px, color=r.color,
                           contrast=r.contrast) for r in found.runs),
        body_font_px=found.body_font_px, body_color=found.body_color)
    return RegulationEvidence(
        screens=screens, exclusions=exclusions, prompt_dwell_ms=data.prompt_dwell_ms,
        prompt_still_shown=data.prompt_still_shown, surrender=data.surrender, rules=data.rules)
