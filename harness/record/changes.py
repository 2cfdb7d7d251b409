"""What changed between two verdicts: criteria whose status changed, and the biggest moves in
measured values (p95, error ratio, conversion, steps, ...), from each criterion's `observed`.

Pure: works on criterion records (the dicts of verdict.json's "criteria"), no files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.writers.markdown import area_of


@dataclass(frozen=True)
class StatusChange:
    id: str
    area: str
    name: str
    before: str  # "absent" when the criterion was not in the earlier verdict
    after: str   # "absent" when it is not in the later one


@dataclass(frozen=True)
class Move:
    id: str
    area: str
    name: str
    kind: str
    before: float
    after: float
    unit: str

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def relative(self) -> float:
        """|after - before| relative to the earlier value (inf from 0 to non-zero)."""
        if self.before == 0:
            return 0.0 if self.after == 0 else math.inf
        return abs(self.delta) / abs(self.before)


@dataclass(frozen=True)
class Changes:
    base_run: str
    status: tuple[StatusChange, ...]
    moves: tuple[Move, ...]

    @property
    def empty(self) -> bool:
        return not self.status and not self.moves


def kind_of(record: Mapping[str, Any]) -> str:
    """What a measured value is, in a release manager's words."""
    text = f"{record.get('scenario', '')} {record.get('feature', '')}".lower()
    unit = str(record.get("unit") or "")
    if unit in ("ms", "s") and ("95" in text or "percentile" in text):
        return "p95"
    if unit == "ratio" or ("error" in text and unit in ("%", "pp", "")):
        return "error ratio"
    if "conversion" in text or "转化" in text:
        return "conversion"
    if unit == "steps":
        return "steps"
    return unit or "value"


def compare(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]],
            base_run: str = "", top: int = 5) -> Changes:
    """Status changes (every one) and the `top` biggest relative moves of numeric values."""
    old = {str(r["id"]): r for r in before}
    new = {str(r["id"]): r for r in after}
    status = []
    for cid in sorted(old.keys() | new.keys()):
        a, b = old.get(cid), new.get(cid)
        was = str(a["status"]) if a else "absent"
        now = str(b["status"]) if b else "absent"
        if was != now:
            ref = b or a
            assert ref is not None
            status.append(StatusChange(cid, area_of(ref), str(ref.get("scenario", cid)), was, now))
    moves = [m for cid in sorted(old.keys() & new.keys())
             if (m := _move(cid, old[cid], new[cid])) is not None]
    moves.sort(key=lambda m: (-min(m.relative, 1e12), m.id))
    return Changes(base_run, tuple(status), tuple(moves[:top]))


def _move(cid: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Move | None:
    x, y = _number(a.get("observed")), _number(b.get("observed"))
    if x is None or y is None or x == y or (a.get("unit") or "") != (b.get("unit") or ""):
        return None
    return Move(cid, area_of(b), str(b.get("scenario", cid)), kind_of(b), x, y,
                str(b.get("unit") or ""))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def describe_move(move: Move) -> str:
    unit = f" {move.unit}" if move.unit and move.unit != "%" else move.unit
    sign = "+" if move.delta > 0 else "−"
    change = f"{sign}{_short(abs(move.delta))}{unit}"
    if move.before > 0 and move.after > 0 and move.relative >= 0.5:
        change += f", ×{_short(move.after / move.before)}"
    return f"{_short(move.before)}{unit} → {_short(move.after)}{unit} ({change})"


def _short(value: float) -> str:
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def render_since(since: Changes | None, note: str) -> list[str]:
    """The "Since the last GO" section of verdict.md."""
    lines = ["## Since the last GO" + (f" ({note})" if note else ""), ""]
    if since is None:
        return lines[:1]
    if since.empty:
        return [*lines, "- no criterion changed status and no measured value moved"]
    for change in since.status:
        lines.append(f"- {_ICON.get(change.after, '➖')} **{change.name}** ({change.area}): "
                     f"{change.before} → {change.after}")
    if since.moves:
        lines += ["", "Biggest moves in measured values:", ""]
        lines += [f"- {m.kind} · {m.name} ({m.area}): {describe_move(m)}" for m in since.moves]
    return lines


_ICON = {"passed": "✅", "failed": "❌", "inconclusive": "❔", "waived": "⚠️", "skipped": "⏭️",
         "not_applicable": "➖"}


def records(document: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The criterion records of a verdict.json document ([] when it has none)."""
    found = document.get("criteria")
    return [r for r in found if isinstance(r, Mapping) and "id" in r] if isinstance(found, list) \
        else []
