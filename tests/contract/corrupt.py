"""Mutations of a real GO run directory, for the corruption suite and its benchmark.

A mutation corrupts one evidence file at one site: a field the contract reads (found by
watching the contract's own readers parse the GO files, so the sites follow the contract), a
line or row, a list element, or the whole file. The kinds are those issue 11 tried and more:

    type_flip  delete_key  negative  nan  huge  flip_bool          one field or CSV cell
    swap_columns                                                   two cells of one CSV row
    duplicate_row  drop_row  empty_list                            a line, row or list element
    truncate_lines  truncate_bytes  empty_file  delete_file        the file

Every mutation makes the evidence wrong (not merely different): a flipped boolean changes what
the record says about itself and must show in its consistency. Consistent forgery across files
is not attempted: that is the release record's hashes' business (README-evidence).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_contract import (
    FormErrorsRecord,
    GeneratorLog,
    JourneyRecord,
    LoadPlanRecord,
    PurchaseLog,
    ReconciliationRecord,
)
from harness_contract.fields import Obj

KINDS = ("type_flip", "delete_key", "negative", "nan", "huge", "flip_bool", "swap_columns",
         "duplicate_row", "drop_row", "empty_list", "truncate_lines", "truncate_bytes",
         "empty_file", "delete_file")
# lists whose elements each stand for something (a step, a screen, a paid journey...)
ELEMENT_LISTS = frozenset({"steps", "notice_checks", "screens", "journeys", "fields", "workers",
                           "phases", "payments", "policy_numbers"})
EMPTIABLE = ELEMENT_LISTS | {"runs", "expected_invalid"}
# free-form mappings the contract types but no gate judges (what the journey captured on the
# way, e.g. the policy number): an entry may come and go without changing a judgement
FREE_FORM = frozenset({"captured"})
STATS_NUMERIC = ("Request Count", "Failure Count", "Median Response Time",
                 "Average Response Time", "Min Response Time", "Max Response Time",
                 "Requests/s", "Failures/s", "50%", "66%", "75%", "80%", "90%", "95%", "98%",
                 "99%", "99.9%", "99.99%", "100%")
PARSERS: dict[str, Callable[[str, str], object]] = {
    "journey.json": JourneyRecord.from_json, "form-errors.json": FormErrorsRecord.from_json,
    "phases.json": LoadPlanRecord.from_json, "reconciliation.json": ReconciliationRecord.from_json,
    "generator.jsonl": GeneratorLog.from_text, "purchases.jsonl": PurchaseLog.from_text,
}


@dataclass(frozen=True)
class Site:
    kind: str
    file: str                     # relative to the run directory
    line: int | None = None       # 0-based line (JSONL) or row (CSV, header is 0)
    path: tuple[str | int, ...] = ()
    columns: tuple[int, ...] = ()  # CSV cells
    spread: int = 1               # how many values `apply`'s parameter chooses among


def judged_files(run_dir: Path) -> list[str]:
    """The evidence files the judged criteria read (the gray phase's are not in this run)."""
    names = [str(p.relative_to(run_dir)) for p in sorted(run_dir.glob("raw/browser/*/*/*.json"))
             if not (p.name == "journey.json" and p.parent.parent.name.startswith("health-"))]
    return [*names, "raw/load/phases.json", "raw/load/generator.jsonl",
            "raw/load/purchases.jsonl", "raw/store/reconciliation.json", "raw/load/stats.csv",
            "raw/load/failures.csv"]


Sites = dict[str, dict[str, list[Site]]]


def all_sites(run_dir: Path) -> Sites:
    """Every mutation site of a run directory, by kind and then by file; a case draws a kind,
    a file, then a site, so the small files are corrupted as often as the big ones."""
    out: Sites = {k: {} for k in KINDS}
    for name in judged_files(run_dir):
        text = (run_dir / name).read_text(encoding="utf-8")
        for site in _file_sites(name, text) + _content_sites(name, text):
            out[site.kind].setdefault(name, []).append(site)
    return out


def _file_sites(name: str, text: str) -> list[Site]:
    lines = text.splitlines()
    sites = [Site("empty_file", name), Site("delete_file", name),
             Site("truncate_bytes", name, spread=len(text.encode()) - 1)]
    if len(lines) > 1:
        sites.append(Site("truncate_lines", name, spread=len(lines) - 1))
    if name.endswith((".jsonl", ".csv")):
        sites += [Site(k, name, line=i) for i in range(1 if name.endswith(".csv") else 0,
                                                        len(lines)) for k in ("duplicate_row",)]
        sites += [Site("drop_row", name, line=i) for i in range(len(lines))]
    return sites


def _content_sites(name: str, text: str) -> list[Site]:
    base = name.rsplit("/", 1)[-1]
    if base == "stats.csv":
        return _csv_sites(name, text)
    if base not in PARSERS:
        return []
    sites = []
    documents: dict[int | None, Any] = {}
    for line, path, absent_ok in contract_fields(PARSERS[base], text, name):
        if line not in documents:
            documents[line] = _document(text, line)
        value = _get(documents[line], path)
        sites += [Site(kind, name, line, path) for kind in _leaf_kinds(value, path, absent_ok)]
    return sites


def _leaf_kinds(value: Any, path: tuple[str | int, ...], absent_ok: bool) -> list[str]:
    deletable = not absent_ok and not FREE_FORM & set(map(str, path[:-1]))
    kinds = ["type_flip"] + (["delete_key"] if deletable else [])
    if isinstance(value, bool):
        kinds.append("flip_bool")
    elif isinstance(value, int | float):
        kinds += ["negative", "nan", "huge"]
    elif isinstance(value, list) and path[-1] in EMPTIABLE and value:
        kinds.append("empty_list")
        if path[-1] in ELEMENT_LISTS:
            kinds += ["duplicate_row"] + (["drop_row"] if len(value) > 1 else [])
    return kinds


def contract_fields(parse: Callable[[str, str], object], text: str,
                    file: str) -> list[tuple[int | None, tuple[str | int, ...], bool]]:
    """(0-based line or None, key path, absent allowed) of each field the contract reads."""
    seen: dict[tuple[int | None, tuple[str | int, ...]], bool] = {}
    original = Obj._get

    def spy(self: Obj, name: str, optional: bool, absent_ok: bool = False) -> Any:
        line = None if self.line is None else self.line - 1
        seen.setdefault((line, _split(self.path + name)), absent_ok)
        return original(self, name, optional, absent_ok)

    Obj._get = spy  # type: ignore[method-assign]
    try:
        parse(text, file)
    finally:
        Obj._get = original  # type: ignore[method-assign]
    return [(line, path, absent_ok) for (line, path), absent_ok in seen.items()]


def _split(dotted: str) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for part in dotted.split("."):
        match = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", part)
        assert match is not None
        if match.group(1):
            out.append(match.group(1))
        out += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return tuple(out)


def _csv_sites(name: str, text: str) -> list[Site]:
    lines = text.splitlines()
    header = lines[0].split(",")
    numeric = [header.index(c) for c in STATS_NUMERIC]
    sites = []
    for row in range(1, len(lines)):
        cells = lines[row].split(",")
        for col in numeric:
            sites += [Site(k, name, row, columns=(col,))
                      for k in ("type_flip", "delete_key", "negative", "nan", "huge")]
        sites += [Site("swap_columns", name, row, columns=(a, b)) for a in numeric
                  for b in numeric if a < b and float(cells[a]) != float(cells[b])]
    return sites


def apply(run_dir: Path, site: Site, choice: int = 0) -> None:
    """Corrupt the site's file in place; `choice` (0 <= choice < site.spread) picks where a
    truncation cuts."""
    path = run_dir / site.file
    text = path.read_text(encoding="utf-8")
    if site.kind == "delete_file":
        path.unlink()
        return
    path.write_text(_mutated(site, text, choice), encoding="utf-8")


def _mutated(site: Site, text: str, choice: int) -> str:
    if site.kind == "empty_file":
        return ""
    if site.kind == "truncate_bytes":
        data = text.encode()
        cut = 1 + choice % (len(data) - 1)
        return data[:cut].decode("utf-8", errors="ignore")
    lines = text.splitlines(keepends=True)
    if site.kind == "truncate_lines":
        return "".join(lines[:1 + choice % (len(lines) - 1)])
    if site.file.endswith(".csv"):
        return _mutated_csv(site, lines)
    if site.line is not None and not site.path:  # a whole JSONL line
        if site.kind == "duplicate_row":
            lines.insert(site.line, lines[site.line])
        else:
            del lines[site.line]
        return "".join(lines)
    document = _document(text, site.line)
    _mutate_value(document, site)
    dumped = json.dumps(document, ensure_ascii=False, allow_nan=True)
    if site.line is None:
        return dumped
    lines[site.line] = dumped + "\n"
    return "".join(lines)


def _mutate_value(document: Any, site: Site) -> None:
    parent = _get(document, site.path[:-1])
    key = site.path[-1]
    value = parent[key]
    if site.kind == "delete_key":
        del parent[key]
    elif site.kind == "type_flip":
        parent[key] = _other_type(value)
    elif site.kind == "negative":
        parent[key] = -abs(value) - 1
    elif site.kind == "nan":
        parent[key] = math.nan
    elif site.kind == "huge":
        parent[key] = 1e308
    elif site.kind == "flip_bool":
        parent[key] = not value
    elif site.kind == "empty_list":
        parent[key] = []
    elif site.kind == "duplicate_row":
        value.insert(0, json.loads(json.dumps(value[0])))
    elif site.kind == "drop_row":
        del value[len(value) // 2]


def _other_type(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()   # "false": the case
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {}
    return []                       # a dict or null becomes a list


def _mutated_csv(site: Site, lines: list[str]) -> str:
    assert site.line is not None
    row = lines[site.line].rstrip("\n").split(",")
    if site.kind == "duplicate_row":
        lines.insert(site.line, lines[site.line])
        return "".join(lines)
    if site.kind == "drop_row":
        del lines[site.line]
        return "".join(lines)
    if site.kind == "swap_columns":
        a, b = site.columns
        row[a], row[b] = row[b], row[a]
    else:
        col = site.columns[0]
        if site.kind == "delete_key":
            del row[col]
        else:
            row[col] = {"type_flip": "fast", "negative": f"-{row[col]}", "nan": "nan",
                        "huge": "1e308"}[site.kind]
    lines[site.line] = ",".join(row) + "\n"
    return "".join(lines)


def _document(text: str, line: int | None) -> Any:
    return json.loads(text if line is None else text.splitlines()[line])


def _get(document: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        document = document[key]
    return document
