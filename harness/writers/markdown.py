"""verdict.md: the verdict for people, short enough for a CI job summary or a PR comment."""

from __future__ import annotations

from pathlib import Path

from harness.model import Decision, Status, Verdict
from harness.writers.sentence import describe

_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.INCONCLUSIVE: "❔",
         Status.WAIVED: "⚠️", Status.SKIPPED: "⏭️"}
_HEADLINE = {
    Decision.GO: "GO: every required criterion passed",
    Decision.NO_GO: "NO-GO: a required criterion failed",
    Decision.INCONCLUSIVE: "INCONCLUSIVE: the evidence cannot show this release is ready",
}


def render_markdown(verdict: Verdict) -> str:
    by_id = {c.id: c for c in verdict.criteria}
    run = verdict.run
    lines = [f"# Launch verdict: {_HEADLINE[verdict.decision]}", ""]
    facts = [("target", run.get("target")), ("variant", run.get("variant")),
             ("run", run.get("run_id")), ("commit", run.get("git_commit"))]
    lines.append(" · ".join(f"{k} `{v}`" for k, v in facts if v))
    lines.append("")
    if verdict.reasons:
        lines += ["## Why", ""]
        for cid in verdict.reasons:
            c = by_id[cid]
            lines.append(f"- {_ICON[c.status]} **{c.scenario}** ({c.severity.value}) — "
                         f"{describe(c)}  \n  `{c.id}`")
        lines.append("")
    if verdict.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in verdict.warnings] + [""]
    lines += ["## Criteria", "", "| | criterion | severity | result |", "|---|---|---|---|"]
    order = {Status.FAILED: 0, Status.INCONCLUSIVE: 1, Status.WAIVED: 2, Status.SKIPPED: 3,
             Status.PASSED: 4}
    for c in sorted(verdict.criteria, key=lambda c: (order[c.status], c.feature, c.id)):
        text = describe(c).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {_ICON[c.status]} | {c.feature}: {c.scenario} | {c.severity.value} "
                     f"| {text} |")
    if verdict.sources:
        lines += ["", "## Evidence producers", ""]
        lines += [f"- {s.name}: exit {s.exit_code}" + (f" — {s.detail}" if s.detail else "")
                  for s in verdict.sources]
    return "\n".join(lines) + "\n"


def write_markdown(verdict: Verdict, path: Path) -> None:
    path.write_text(render_markdown(verdict), encoding="utf-8")
