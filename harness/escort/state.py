"""escort-state.json: where a watch is, so one killed (even by SIGKILL) and started again with
the same run directory resumes at its next check, losing none and repeating no rollback hook.

Written atomically (a temporary file, fsync, rename, fsync of the folder) after every check:
a reader sees the state before the check or after it, never half of one. The schedule is fixed
at the start: check i judges the interval ending at `started + (i + 1) * interval_s`, so a
watch resumed late asks Prometheus about the intervals it missed, at their own times.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.escort.decide import CheckResult

STATE_FILE = "escort-state.json"
VERSION = 1


@dataclass(frozen=True)
class HookState:
    """The rollback hook: "idle" until a ROLLBACK, "calling" while it runs (a watch killed
    then does not call it again: at most once), "called" with what it answered."""

    status: str = "idle"
    check: int | None = None
    result: Mapping[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {"status": self.status, "check": self.check, "result": dict(self.result)}


@dataclass(frozen=True)
class EscortState:
    run_id: str
    started: float        # UNIX seconds the watch's first interval began
    window_s: float
    interval_s: float
    settings: Mapping[str, Any]  # what the watch was started with (secrets masked)
    checks: tuple[CheckResult, ...] = ()
    hook: HookState = HookState()
    finished: Mapping[str, Any] | None = None
    resumed: tuple[float, ...] = ()  # UNIX seconds of each resumption

    @property
    def planned(self) -> int:
        return max(1, round(self.window_s / self.interval_s))

    @property
    def next_check(self) -> int:
        return len(self.checks)

    def due(self, check: int) -> float:
        """When check `check` may be judged: the end of its interval."""
        return self.started + (check + 1) * self.interval_s

    def with_check(self, result: CheckResult) -> EscortState:
        if result.check != self.next_check:
            raise ValueError(f"check {result.check} out of order (next: {self.next_check})")
        return replace(self, checks=(*self.checks, result))

    def to_record(self) -> dict[str, Any]:
        return {"version": VERSION, "run_id": self.run_id, "started": self.started,
                "window_s": self.window_s, "interval_s": self.interval_s,
                "planned_checks": self.planned, "settings": dict(self.settings),
                "checks": [c.to_record() for c in self.checks],
                "hook": self.hook.to_record(), "finished": self.finished,
                "resumed": list(self.resumed)}

    @classmethod
    def from_record(cls, rec: Mapping[str, Any], source: str) -> EscortState:
        hook = rec.get("hook") or {}
        return cls(run_id=str(rec["run_id"]), started=float(rec["started"]),
                   window_s=float(rec["window_s"]), interval_s=float(rec["interval_s"]),
                   settings=dict(rec.get("settings") or {}),
                   checks=tuple(CheckResult.from_record(c, source) for c in rec["checks"]),
                   hook=HookState(str(hook.get("status", "idle")), hook.get("check"),
                                  dict(hook.get("result") or {})),
                   finished=rec.get("finished"),
                   resumed=tuple(float(t) for t in rec.get("resumed") or ()))


def save_state(run_dir: Path, state: EscortState) -> None:
    path = run_dir / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    data = json.dumps(state.to_record(), ensure_ascii=False, indent=1, allow_nan=False)
    with tmp.open("w", encoding="utf-8") as out:
        out.write(data + "\n")
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    folder = os.open(run_dir, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def load_state(run_dir: Path) -> EscortState | None:
    """The saved state, None when the run directory has none; a corrupt one is exit 2."""
    path = run_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        return EscortState.from_record(json.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a watch state this harness can resume ({exc}); start "
                          "a new watch with another run directory") from exc


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str, what: str) -> float:
    """Seconds of "72h", "15m", "30s", "1h30m" or a plain number of seconds."""
    import re

    value = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise ConfigError(f"{what} = {text!r}: expected a duration such as 72h, 15m, 30s "
                              "or 1h30m")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ConfigError(f"{what} = {text!r}: must be longer than zero")
    return seconds
