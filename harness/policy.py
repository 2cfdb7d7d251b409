"""Release policy: which severities block, and waivers (signed, dated exceptions).

Waivers live in a TOML file:

    [[waiver]]
    criterion = "capacity/load::p95 of each journey step"
    approver = "Li Wei (release manager)"
    reason = "known slow pay provider, fixed in 2.4.1"
    expires = "2026-12-31"
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError
from harness.model import Severity, Waiver


@dataclass(frozen=True)
class Policy:
    blocking: frozenset[Severity] = frozenset(
        {Severity.BLOCKER, Severity.CRITICAL, Severity.NORMAL})
    waivers: tuple[Waiver, ...] = ()
    today: dt.date | None = None

    def active_waiver(self, criterion_id: str) -> Waiver | None:
        today = self.today or dt.date.today()
        for waiver in self.waivers:
            expires = dt.date.fromisoformat(waiver.expires)
            if waiver.criterion_id == criterion_id and expires >= today:
                return waiver
        return None

    def expired_waivers(self) -> list[Waiver]:
        today = self.today or dt.date.today()
        return [w for w in self.waivers if dt.date.fromisoformat(w.expires) < today]


def read_waivers(path: Path) -> tuple[Waiver, ...]:
    """Parse a waivers TOML file; every field is required and the expiry must be a date."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the waivers file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    waivers = []
    for index, entry in enumerate(data.get("waiver", []), start=1):
        missing = [k for k in ("criterion", "approver", "reason", "expires") if not entry.get(k)]
        if missing:
            raise ConfigError(f"{path}: waiver #{index} lacks {', '.join(missing)}: a waiver "
                              "names the criterion, an approver, a reason and an expiry date")
        expires = str(entry["expires"])
        try:
            dt.date.fromisoformat(expires)
        except ValueError as exc:
            raise ConfigError(f"{path}: waiver #{index}: expires={expires!r} is not a date "
                              "(YYYY-MM-DD)") from exc
        waivers.append(Waiver(criterion_id=str(entry["criterion"]), approver=str(entry["approver"]),
                              reason=str(entry["reason"]), expires=expires))
    return tuple(waivers)
