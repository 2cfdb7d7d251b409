"""Strict reading of one JSON object: every accessor checks type, range and presence, and a
defect raises EvidenceInvalid naming file, line and the field's full path (`workers[1].users`).

Strict means: a boolean is `true`/`false` (not "false", not 0); a count is a JSON integer >= 0;
a number is finite and inside its plausible range (no NaN, no infinity, no 1e308 milliseconds);
text is a string; a required key is present. JSON itself is read without NaN/Infinity and
without duplicate keys (a second `"passed"` in one object is ambiguous, not "the last wins").
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from harness_contract.errors import EvidenceInvalid

T = TypeVar("T")

# Plausibility caps: far above anything real, far below what a corrupted file can hold.
MAX_MS = 86_400_000.0          # a day, in milliseconds: no response time or lag is longer
MAX_COUNT = 10**12             # requests, users, bytes ... in one run
MAX_FEN = 10**11               # a premium of a billion yuan
MAX_SECONDS = 10**7            # ~4 months: durations and offsets
MAX_EPOCH_S = 4_102_444_800.0  # 2100-01-01: timestamps
MIN_EPOCH_S = 946_684_800.0    # 2000-01-01


def loads(text: str, file: str, line: int | None = None) -> Any:
    """JSON without NaN/Infinity and without duplicate keys; errors name file and line."""

    def constant(name: str) -> Any:
        raise EvidenceInvalid(file, "", f"{name} is not a number the harness accepts", line)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise EvidenceInvalid(file, key, "appears twice in one object: ambiguous", line)
            out[key] = value
        return out

    try:
        return json.loads(text, parse_constant=constant, object_pairs_hook=pairs)
    except EvidenceInvalid:
        raise
    except (ValueError, RecursionError) as exc:
        raise EvidenceInvalid(file, "", f"not valid JSON ({exc}); the file is cut or "
                              "corrupt", line) from None


def json_lines(text: str, file: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each line; a blank line inside the file is a defect too."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise EvidenceInvalid(file, "", "is empty")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise EvidenceInvalid(file, "", "has a blank line: lines were lost", number)
        yield number, loads(line, file, number)
    if not text.endswith("\n"):
        raise EvidenceInvalid(file, "", "the last line has no line end: the file is truncated",
                              len(lines))


class Obj:
    """One JSON object inside `file` (at `line`), its fields read with `path` as prefix."""

    def __init__(self, data: Any, file: str, line: int | None = None, path: str = "") -> None:
        if not isinstance(data, dict):
            raise EvidenceInvalid(file, path.rstrip(".") or "", "is not a JSON object", line)
        self.data: dict[str, Any] = data
        self.file, self.line, self.path = file, line, path

    def fail(self, name: str, problem: str) -> EvidenceInvalid:
        return EvidenceInvalid(self.file, self.path + name, problem, self.line)

    def has(self, name: str) -> bool:
        return name in self.data

    def _get(self, name: str, optional: bool, absent_ok: bool = False) -> Any:
        """The value; `optional` allows null, `absent_ok` also a missing key (producers write
        every key they know, null when there is no value: a missing key is a lost one)."""
        if name not in self.data:
            if optional and absent_ok:
                return None
            raise self.fail(name, "is missing" + (" (null is allowed, absence is not)"
                                                  if optional else ""))
        return self.data[name]

    def present(self, name: str) -> Any:
        """The raw value of a key that must be there (null allowed)."""
        return self._get(name, True)

    def boolean(self, name: str) -> bool:
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise self.fail(name, f"is {value!r}, not true or false")
        return value

    def opt_boolean(self, name: str, absent_ok: bool = False) -> bool | None:
        value = self._get(name, True, absent_ok)
        return None if value is None else self.boolean(name)

    def number(self, name: str, lo: float = 0.0, hi: float = MAX_MS) -> float:
        value = self._get(name, False)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"is {value!r}, not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(name, f"is {value!r}, not a finite number")
        if not lo <= value <= hi:
            raise self.fail(name, f"is {value!r}, outside the plausible range {lo:g} to {hi:g}")
        return float(value)

    def opt_number(self, name: str, lo: float = 0.0, hi: float = MAX_MS,
                   absent_ok: bool = False) -> float | None:
        return None if self._get(name, True, absent_ok) is None else self.number(name, lo, hi)

    def integer(self, name: str, lo: int = 0, hi: int = MAX_COUNT) -> int:
        value = self._get(name, False)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"is {value!r}, not a whole number")
        if not lo <= value <= hi:
            raise self.fail(name, f"is {value!r}, outside the plausible range {lo} to {hi}")
        return value

    def opt_integer(self, name: str, lo: int = 0, hi: int = MAX_COUNT,
                    absent_ok: bool = False) -> int | None:
        return None if self._get(name, True, absent_ok) is None else self.integer(name, lo, hi)

    def text(self, name: str, empty_ok: bool = False) -> str:
        value = self._get(name, False)
        if not isinstance(value, str):
            raise self.fail(name, f"is {value!r}, not text")
        if not empty_ok and not value.strip():
            raise self.fail(name, "is empty")
        return value

    def opt_text(self, name: str, empty_ok: bool = True, absent_ok: bool = False) -> str | None:
        return None if self._get(name, True, absent_ok) is None else self.text(name, empty_ok)

    def choice(self, name: str, allowed: Sequence[str]) -> str:
        value = self.text(name)
        if value not in allowed:
            raise self.fail(name, f"is {value!r}, not one of {', '.join(allowed)}")
        return value

    def array(self, name: str, optional: bool = False) -> list[Any]:
        """A list; `optional`: a missing key or null is an empty list."""
        value = self._get(name, optional, absent_ok=optional)
        if value is None and optional:
            return []
        if not isinstance(value, list):
            raise self.fail(name, f"is {_short(value)}, not a list")
        return value

    def texts(self, name: str, optional: bool = False) -> tuple[str, ...]:
        items = self.array(name, optional)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise self.fail(f"{name}[{i}]", f"is {_short(item)}, not text")
        return tuple(items)

    def obj(self, name: str) -> Obj:
        return Obj(self._get(name, False), self.file, self.line, f"{self.path}{name}.")

    def opt_obj(self, name: str, absent_ok: bool = False) -> Obj | None:
        return None if self._get(name, True, absent_ok) is None else self.obj(name)

    def objs(self, name: str, optional: bool = False) -> list[Obj]:
        return [Obj(item, self.file, self.line, f"{self.path}{name}[{i}].")
                for i, item in enumerate(self.array(name, optional))]

    def counts(self, name: str, key_ok: Callable[[str], bool] = lambda _: True,
               key_rule: str = "", absent_ok: bool = False) -> dict[str, int]:
        """An object of non-negative whole numbers (null, or absent where allowed: empty)."""
        if self._get(name, True, absent_ok) is None:
            return {}
        sub = self.obj(name)
        for key in sub.data:
            if not key_ok(key):
                raise sub.fail(key, f"is not a valid key here{': ' + key_rule if key_rule else ''}")
        return {key: sub.integer(key) for key in sub.data}


def mapping_of_texts(o: Obj, name: str) -> dict[str, str]:
    """An object of texts; absent or null: empty."""
    sub = o.opt_obj(name, absent_ok=True)
    return {} if sub is None else {key: sub.text(key, empty_ok=True) for key in sub.data}


def ordered(o: Obj, names: Sequence[str], values: Sequence[float | None]) -> None:
    """Percentile-like values must not decrease (p50 <= p90 <= p95 ...); None is skipped."""
    last: tuple[str, float] | None = None
    for name, value in zip(names, values, strict=True):
        if value is None:
            continue
        if last is not None and value < last[1]:
            raise o.fail(name, f"is {value:g}, below {last[0]} ({last[1]:g}): percentiles "
                               "must not decrease")
        last = (name, value)


def plain(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
