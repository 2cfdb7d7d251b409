"""The compliance view: criteria grouped by the regulation and article they implement, so a
compliance officer can sign off from verdict.md and the Allure report.

A criterion cites an article with a Gherkin tag `@ART-<CODE>-<article>` (or `@ART-<CODE>` for a
text without numbered articles): `@ART-IIB-13` is article 13 of 《互联网保险业务监管办法》.
Codes this harness knows are named in full; an unknown code is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness.model import Criterion, Status
from harness.writers.sentence import describe

REGULATIONS: dict[str, tuple[str, str]] = {
    # code: (full title, short name used in the feature files)
    "IIB": ("《互联网保险业务监管办法》 (2021)", "监管办法"),
    "ISB": ("《保险销售行为管理办法》 (2024)", "销售办法"),
    "TRACE": ("《关于规范互联网保险销售行为可回溯管理的通知》 (2020)", "可回溯"),
    "HIM": ("《健康保险管理办法》 (2019)", "健康险办法"),
    "ILAW": ("《中华人民共和国保险法》", "保险法"),
}
_TAG = re.compile(r"ART-([A-Z][A-Z0-9]*)(?:-(\d+))?")
_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.INCONCLUSIVE: "❔",
         Status.WAIVED: "⚠️", Status.SKIPPED: "⏭️", Status.NOT_APPLICABLE: "➖"}


@dataclass(frozen=True, order=True)
class Citation:
    regulation: str  # the code, e.g. "IIB"
    article: int | None

    @property
    def title(self) -> str:
        return REGULATIONS.get(self.regulation, (self.regulation, self.regulation))[0]

    @property
    def short(self) -> str:
        return REGULATIONS.get(self.regulation, (self.regulation, self.regulation))[1]

    @property
    def article_label(self) -> str:
        return f"art. {self.article}" if self.article is not None else "whole text"


def citations(tags: Iterable[str]) -> list[Citation]:
    """The articles a criterion's tags cite, in order."""
    found = []
    for tag in tags:
        match = _TAG.fullmatch(str(tag))
        if match:
            found.append(Citation(match[1], int(match[2]) if match[2] else None))
    return sorted(set(found))


def cited_as(tags: Iterable[str]) -> str:
    """The articles a criterion cites in one phrase ("销售办法 art. 27, 监管办法 art. 14";
    empty when it cites none), for the reasons of a verdict."""
    return ", ".join(f"{c.short} {c.article_label}" for c in citations(tags))


def compliance_lines(criteria: Sequence[Criterion]) -> list[str]:
    """verdict.md's "Compliance" section: per regulation, every article with each criterion
    citing it and its result (a criterion citing two articles is listed under both). Empty
    when no criterion cites an article."""
    rows: dict[str, list[tuple[Citation, Criterion]]] = {}
    for c in criteria:
        for cite in citations(c.tags):
            rows.setdefault(cite.regulation, []).append((cite, c))
    if not rows:
        return []
    cited = {c.id for group in rows.values() for _, c in group}
    passed = sum(1 for c in criteria if c.id in cited and c.status is Status.PASSED)
    not_applicable = sum(1 for c in criteria
                         if c.id in cited and c.status is Status.NOT_APPLICABLE)
    applicable = len(cited) - not_applicable
    lines = ["## Compliance", "",
             f"{passed} of {applicable} criteria citing an article passed"
             + (f" ({not_applicable} not applicable, with the journey's reason)"
                if not_applicable else "")
             + ". Sign-off needs every applicable row passed (a waived row carries its "
             "approver).", ""]
    for code in sorted(rows, key=lambda k: (k not in REGULATIONS, k)):
        group = sorted(rows[code], key=lambda r: (r[0].article or 0, r[1].scenario))
        lines += [f"### {group[0][0].title}", "", "| article | | criterion | result |",
                  "|---|---|---|---|"]
        for cite, c in group:
            text = describe(c).replace("|", "\\|").replace("\n", " ")
            name = c.scenario.replace("|", "\\|")
            lines.append(f"| {cite.article_label} | {_ICON[c.status]} | {name} | "
                         f"{c.status.value}: {text} |")
        lines.append("")
    return lines
