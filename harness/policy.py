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
import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


WAIVER_KEYS = ("criterion", "approver", "reason", "expires")


def read_waivers(path: Path) -> tuple[Waiver, ...]:
    """Parse a waivers TOML file (UTF-8): only `[[waiver]]` tables, each with exactly the
    keys criterion, approver, reason and expires (a date). Anything else is a ConfigError
    naming the file and line (FILE:LINE:), the waiver and the key, and what to write instead."""
    data, text = _load_toml(path)
    unknown = [k for k in data if k != "waiver"]
    if unknown:
        raise ConfigError(f"{path}{_line_of(text, unknown[0])}: unknown table or key "
                          f"{unknown[0]!r}{_did_you_mean(unknown[0], ('waiver',))}: each "
                          "waiver is a [[waiver]] table")
    entries = data.get("waiver", [])
    if isinstance(entries, dict):
        raise ConfigError(f"{path}{_line_of(text, 'waiver')}: [waiver] is written with single "
                          "brackets; write each waiver as [[waiver]] (double brackets: a list "
                          "of waivers)")
    if not isinstance(entries, list):
        raise ConfigError(f"{path}{_line_of(text, 'waiver')}: waiver = {entries!r} is not a "
                          "table; write each waiver as a [[waiver]] table")
    lines = _table_lines(text, "waiver")
    lines += [_line_of(text, "waiver")] * (len(entries) - len(lines))  # waiver = [...] inline
    return tuple(_waiver(f"{path}{lines[index - 1]}", index, entry)
                 for index, entry in enumerate(entries, start=1))


def _load_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the waivers file: {exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 (byte {exc.start}); save the waivers file "
                          "as UTF-8 (from GBK: iconv -f GBK -t UTF-8)") from exc
    try:
        return tomllib.loads(text.removeprefix("\ufeff")), text
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f":{found.group(1)}" if found else ""
        raise ConfigError(f"{path}{where}: not valid TOML: {exc}") from exc


def _table_lines(text: str, name: str) -> list[str]:
    """':LINE' of each `[[name]]` header, in order."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
    return [f":{n}" for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _line_of(text: str, key: str) -> str:
    """':LINE' where the table or key `key` is first written, else ''."""
    written = re.compile(rf"^\s*(\[+\s*{re.escape(key)}\s*\]+|\"?{re.escape(key)}\"?\s*=)")
    for n, line in enumerate(text.splitlines(), start=1):
        if written.match(line):
            return f":{n}"
    return ""


def _waiver(where_file: str, index: int, entry: object) -> Waiver:
    where = f"{where_file}: waiver #{index}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is {entry!r}, not a table; write it as a [[waiver]] table")
    unknown = [k for k in entry if k not in WAIVER_KEYS]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}"
                          f"{_did_you_mean(unknown[0], WAIVER_KEYS)}; the keys are "
                          f"{', '.join(WAIVER_KEYS)}")
    missing = [k for k in WAIVER_KEYS if entry.get(k) in (None, "")]
    if missing:
        raise ConfigError(f"{where} lacks {', '.join(missing)}: a waiver names the criterion, "
                          "an approver, a reason and an expiry date")
    for key in ("criterion", "approver", "reason"):
        if not isinstance(entry[key], str):
            raise ConfigError(f"{where}: {key} = {entry[key]!r} must be a string in quotes")
    expires = entry["expires"]
    if isinstance(expires, dt.datetime) or not isinstance(expires, dt.date | str):
        raise ConfigError(f"{where}: expires = {expires!r} must be a date (YYYY-MM-DD)")
    try:
        dt.date.fromisoformat(str(expires))
    except ValueError as exc:
        raise ConfigError(f"{where}: expires={str(expires)!r} is not a date "
                          "(YYYY-MM-DD)") from exc
    return Waiver(criterion_id=entry["criterion"], approver=entry["approver"],
                  reason=entry["reason"], expires=str(expires))


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unmatched_waivers(policy: Policy, criterion_ids: set[str]) -> list[str]:
    """A warning for each waiver that names no criterion of the run (a typo waives nothing)."""
    warnings = []
    for waiver in policy.waivers:
        if waiver.criterion_id not in criterion_ids:
            close = difflib.get_close_matches(waiver.criterion_id, sorted(criterion_ids), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(f"waiver matches no criterion of this run: {waiver.criterion_id!r}"
                            f"{hint}; it waives nothing")
    return warnings
