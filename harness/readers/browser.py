"""Reads the browser evidence written by harness_browser/ (journey.json, form-errors.json) into
frozen
values. A missing, unreadable or malformed file raises EvidenceError naming file and field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.readers.evidence_file import read_json_object


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
    data = _read_object(path, "the browser journey did not run: run the features live")
    try:
        steps = tuple(StepEvidence(index=int(s["index"]), description=str(s["description"]),
                                   screen_id=str(s["screen_id"]), counted=bool(s["counted"]),
                                   fields_filled=tuple(s.get("fields_filled") or ()),
                                   screenshot=s.get("screenshot")) for s in data["steps"])
        notices = data.get("notice_checks") or []
        return JourneyEvidence(
            source=str(path), journey=str(data["journey"]), viewport=str(data["viewport"]),
            completed=bool(data["completed"]), error=data.get("error"),
            step_count=int(data["step_count"]), steps=steps,
            notice=notices[0] if notices else None, captured=dict(data.get("captured") or {}),
            regulation=_regulation(data.get("regulation"), steps))
    except (KeyError, TypeError, ValueError) as exc:
        raise EvidenceError(f"malformed journey record: field {exc} is missing or invalid",
                            path=str(path)) from exc


def read_form_errors(path: Path) -> FormErrorEvidence:
    data = _read_object(path, "the health-declaration check did not run")
    if data.get("reached") is False:  # the journey never got to the form
        return FormErrorEvidence(source=str(path), form_found=False, expected_invalid=(),
                                 problems=(str(data.get("error") or "form not reached"),),
                                 screenshot=None)
    try:
        return FormErrorEvidence(source=str(path), form_found=bool(data["form_found"]),
                                 expected_invalid=tuple(data["expected_invalid"]),
                                 problems=tuple(data["problems"]),
                                 screenshot=data.get("screenshot"))
    except (KeyError, TypeError) as exc:
        raise EvidenceError(f"malformed form-error record: field {exc} is missing",
                            path=str(path)) from exc


def _read_object(path: Path, hint: str) -> dict[str, Any]:
    return read_json_object(path, hint)


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
    """The per-viewport entries of a spot check; malformed output raises EvidenceError."""
    try:
        spots = []
        for entry in data["viewports"]:
            check = entry.get("check") or {}
            spots.append(NoticeSpotEvidence(
                viewport=str(entry["viewport"]), width=int(entry["width"]),
                height=int(entry["height"]), http_status=entry.get("http_status"),
                error=entry.get("error"), found=bool(check.get("found")),
                reasons=tuple(str(r) for r in check.get("reasons") or ()),
                text=str(check.get("text") or ""),
                measurements={k: check.get(k) for k in _SPOT_MEASUREMENTS if k in check},
                screenshot=check.get("screenshot")))
        return tuple(spots)
    except (KeyError, TypeError, ValueError) as exc:
        raise EvidenceError(f"malformed spot-check output: field {exc} is missing or invalid",
                            path=source) from exc


def _rgb(value: Any) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in value[:3])
    return (r, g, b)


def _regulation(data: Any, steps: tuple[StepEvidence, ...]) -> RegulationEvidence | None:
    """The regulation part of journey.json; absent (older evidence) is None."""
    if not data:
        return None
    described = {s.index: s.description for s in steps}
    screens = tuple(ScreenRules(
        step=int(s["step"]), screen_id=str(s["screen_id"]),
        description=described.get(int(s["step"]), ""),
        fields={str(k): int(v) for k, v in dict(s["fields"]).items()},
        preselected=tuple(dict(p) for p in s["preselected"]),
        prompt=(s.get("prompt") or {}).get("matched"),
        prompt_buttons=tuple(str(b) for b in (s.get("prompt") or {}).get("buttons") or ()))
        for s in data["screens"])
    raw = data.get("exclusions")
    exclusions = None
    if raw:
        body = raw.get("body") or {}
        exclusions = ExclusionsEvidence(
            screen_id=str(raw["screen_id"]), text=str(raw.get("text") or ""),
            runs=tuple(TextRun(text=str(r["text"]), weight=float(r["weight"]),
                               font_px=float(r["font_px"]), color=_rgb(r["color"]),
                               contrast=r.get("contrast")) for r in raw["runs"]),
            body_font_px=body.get("font_px"),
            body_color=_rgb(body["color"]) if body.get("color") else None)
    dwell = data.get("prompt_dwell") or {}
    return RegulationEvidence(
        screens=screens, exclusions=exclusions, prompt_dwell_ms=dwell.get("dwell_ms"),
        prompt_still_shown=dwell.get("still_shown"), surrender=data.get("surrender"))
