"""Reads the browser evidence written by e2e/ (journey.json, form-errors.json) into frozen
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
            notice=notices[0] if notices else None, captured=dict(data.get("captured") or {}))
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
    """One viewport of a `harness check notice` spot check (e2e.spot's output)."""

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
