"""The page versions a run kept (可回溯): every raw/browser/<folder>/<viewport>/pages.json, read
through the contract (harness_contract.pages), for verdict.md's "Page versions" section and for
`harness verify`, which recomputes each kept page's hash against its index (the manifest covers
the files too)."""

from __future__ import annotations

from pathlib import Path

from harness.errors import EvidenceError
from harness.readers.evidence_file import contract_record
from harness.record.manifest import Problem
from harness_contract.layout import BROWSER
from harness_contract.pages import PAGES_JSON, PageIndex, check_pages


def _indexes(run: Path) -> list[Path]:
    return sorted((run / BROWSER).glob(f"*/*/{PAGES_JSON}"))


def page_lines(run: Path) -> list[str]:
    """verdict.md's "Page versions (可回溯)" section: one line per journey folder, linked
    (relative to the run directory); nothing when the run kept none."""
    lines = []
    for path in _indexes(run):
        rel = path.relative_to(run).as_posix()
        where = " / ".join(path.parent.relative_to(run / BROWSER).parts)
        try:
            index = contract_record(path, PageIndex.from_json)
        except EvidenceError as exc:
            lines.append(f"- {where}: [{rel}]({rel}) is unreadable: {exc}")
            continue
        stored = sum(p.stored_bytes for p in index.pages)
        cut = sum(1 for p in index.pages if p.truncated)
        lines.append(f"- {where}: [{len(index.pages)} pages]({rel}), {stored / 1024:,.1f} kB "
                     "gzip, each with its SHA-256" + (f" ({cut} cut at "
                                                     f"{index.max_bytes:,} bytes)" if cut else ""))
    if not lines:
        return []
    return ["## Page versions (可回溯)", "",
            "The HTML of every screen the browser measured, as it was once the screen settled:",
            "", *lines, ""]


def page_problems(run: Path) -> list[Problem]:
    """Kept pages whose HTML no longer has the hash their index recorded."""
    problems = []
    for path in _indexes(run):
        rel = path.relative_to(run).as_posix()
        try:
            index = contract_record(path, PageIndex.from_json)
        except EvidenceError as exc:
            problems.append(Problem(rel, "changed", str(exc)))
            continue
        for text in check_pages(path.parent, index):
            name, _, detail = text.partition(": ")
            problems.append(Problem(Path(name).relative_to(run).as_posix(), "changed", detail))
    return problems
