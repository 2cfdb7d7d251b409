"""Reads the browser evidence written by e2e/ (journey.json, form-errors.json) into frozen
values. A missing, unreadable or malformed file raises EvidenceError naming file and field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError


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
    if not path.is_file():
        raise EvidenceError(f"missing ({hint})", path=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvidenceError(f"unreadable or truncated JSON: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise EvidenceError("expected a JSON object", path=str(path))
    return data
