"""verdict.md: the verdict for people, read in ten seconds, short enough for a CI job summary.

Order: the decision; one line per area (passed / failed / inconclusive / waived); what decided
it; what changed since the last GO (when the record knows it); warnings; requirements; the
compliance view (criteria citing an article, by regulation and article: harness.writers.
compliance); then every criterion, grouped by area, named by its scenario (the feature title
is the group, not repeated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.model import Criterion, Decision, Severity, Status, Verdict
from harness.writers.compliance import cited_as, compliance_lines
from harness.writers.sentence import describe

_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.INCONCLUSIVE: "❔",
         Status.WAIVED: "⚠️", Status.SKIPPED: "⏭️", Status.NOT_APPLICABLE: "➖"}
_HEADLINE = {
    Decision.GO: "GO: every required criterion passed",
    Decision.NO_GO: "NO-GO: a required criterion failed",
    Decision.INCONCLUSIVE: "INCONCLUSIVE: the evidence cannot show this release is ready",
}
_SEVERITIES = frozenset(s.value for s in Severity)
_NOT_AREAS = frozenset({"on_request"})
_COLUMNS = (Status.PASSED, Status.FAILED, Status.INCONCLUSIVE, Status.WAIVED)
_ORDER = {Status.FAILED: 0, Status.INCONCLUSIVE: 1, Status.WAIVED: 2, Status.SKIPPED: 3,
          Status.PASSED: 4, Status.NOT_APPLICABLE: 5}


def render_markdown(verdict: Verdict, since: Sequence[str] = (),
                    pages: Sequence[str] = ()) -> str:
    """`since`: the lines of the "Since the last GO" section (harness.record renders them from
    the history; empty: no section); `pages`: the "Page versions" section (harness.record)."""
    lines = [f"# Launch verdict: {_HEADLINE[verdict.decision]}", "", _facts(verdict.run), ""]
    lines += [*_areas(verdict), ""]
    lines += [*_decided(verdict), ""]
    if since:
        lines += [*since, ""]
    if verdict.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in verdict.warnings] + [""]
    lines += _requirements(verdict)
    lines += pages
    lines += compliance_lines(verdict.criteria)
    lines += _table(verdict)
    if verdict.sources:
        lines += ["", "## Evidence producers", ""]
        lines += [f"- {s.name}: exit {s.exit_code}" + (f" — {s.detail}" if s.detail else "")
                  for s in verdict.sources]
    return "\n".join(lines) + "\n"


def area_of(record: Mapping[str, Any]) -> str:
    """The criterion's area: its area tag (the features sub-folder's tag, e.g. `disclosures`),
    else its feature title."""
    for tag in record.get("tags") or ():
        text = str(tag)
        if text.islower() and text not in _SEVERITIES and text not in _NOT_AREAS \
                and not text.startswith("req-"):
            return text
    return str(record.get("feature") or "other")



def _facts(run: Mapping[str, Any]) -> str:
    facts = [("target", run.get("target")), ("version", run.get("target_version")),
             ("variant", run.get("variant")), ("run", run.get("run_id")),
             ("commit", run.get("git_commit"))]
    return " · ".join(f"{k} `{v}`" for k, v in facts if v)


def _by_area(verdict: Verdict) -> dict[str, list[Criterion]]:
    groups: dict[str, list[Criterion]] = {}
    for c in verdict.criteria:
        groups.setdefault(area_of(c.to_record()), []).append(c)
    return dict(sorted(groups.items()))


def _areas(verdict: Verdict) -> list[str]:
    columns = _COLUMNS + tuple(s for s in (Status.SKIPPED, Status.NOT_APPLICABLE)
                               if any(c.status is s for c in verdict.criteria))
    lines = ["| area | " + " | ".join(s.value for s in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for area, group in _by_area(verdict).items():
        counts = [sum(1 for c in group if c.status is s) for s in columns]
        worst = min((c.status for c in group), key=lambda s: _ORDER[s])
        cells = " | ".join(str(n) if n else "·" for n in counts)
        lines.append(f"| {_ICON[worst]} {area} | {cells} |")
    return lines


def _decided(verdict: Verdict) -> list[str]:
    by_id = {c.id: c for c in verdict.criteria}
    lines = ["## Why: what decided it", ""]
    if not verdict.reasons:
        total = len(verdict.criteria)
        text = (f"every required criterion passed ({total} criteria judged)" if total
                else "no criteria were judged")
        return [*lines, f"- {text}"]
    for cid in verdict.reasons:
        c = by_id[cid]
        cites = f", {cited}" if (cited := cited_as(c.tags)) else ""
        lines.append(f"- {_ICON[c.status]} **{c.scenario}** ({area_of(c.to_record())}, "
                     f"{c.severity.value}{cites}) — {describe(c)}  \n  `{c.id}`")
    return lines


def _requirements(verdict: Verdict) -> list[str]:
    """Every requirement (`@REQ-*` tag) with the status of its criteria."""
    by_req: dict[str, list[Criterion]] = {}
    for c in verdict.criteria:
        for tag in c.tags:
            if tag.startswith("REQ-"):
                by_req.setdefault(tag, []).append(c)
    if not by_req:
        return []
    lines = ["## Requirements", ""]
    for req, group in sorted(by_req.items()):
        worst = min((c.status for c in group), key=lambda s: _ORDER[s])
        counts = ", ".join(f"{n} {s.value}" for s in _ORDER
                           if (n := sum(1 for c in group if c.status is s)))
        lines.append(f"- {_ICON[worst]} {req}: {counts}")
    return [*lines, ""]


def _table(verdict: Verdict) -> list[str]:
    lines = ["## Criteria"]
    for area, group in _by_area(verdict).items():
        lines += ["", f"### {area}", "", "| | criterion | severity | result |",
                  "|---|---|---|---|"]
        for c in sorted(group, key=lambda c: (_ORDER[c.status], c.feature, c.id)):
            text = describe(c).replace("|", "\\|").replace("\n", " ")
            name = c.scenario.replace("|", "\\|")
            lines.append(f"| {_ICON[c.status]} | {name} | {c.severity.value} | {text} |")
    return lines


def write_markdown(verdict: Verdict, path: Path, since: Sequence[str] = (),
                   pages: Sequence[str] = ()) -> None:
    path.write_text(render_markdown(verdict, since, pages), encoding="utf-8")
