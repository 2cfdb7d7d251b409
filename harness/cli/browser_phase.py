"""The browser evidence phase of `harness run`: every journey and form check the selected
features will read, produced before they run, by a few Chromium workers side by side.

The features would drive the same journeys one after another; here they are spread over
worker processes (`python -m harness_browser.produce`, each with its own browser, so the judge never
loads Playwright), and `raw/browser/.produced` lists what was produced for which target. The
features' BrowserEvidence reuses those folders and drives anything missing itself, so a
worker that failed costs time, not evidence, and `pytest features/` alone still works live.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.model import Source
from harness.rundir import RunDir
from harness_contract.journey_plan import JOURNEYS_JSON, JourneyPlan

MARKER = ".produced"
PHASE_TIMEOUT_S = 900.0
_JOURNEY = (
    re.compile(r'the buyer completes the (?P<product>\S+) purchase journey at the '
               r'"(?P<viewport>[^"]+)" viewport'),
    re.compile(r'用户在“(?P<viewport>[^”]+)”视口下完成(?P<product>\S+?)的投保流程'),
    re.compile(r'the buyer completes the (?P<product>\S+) purchase journey at its main '
               r'viewport \(default "(?P<main>[^"]+)"\)'),
    re.compile(r'用户在主视口（默认“(?P<main>[^”]+)”）下完成(?P<product>\S+?)的投保流程'))
_FORM = (
    re.compile(r'the buyer submits the (?P<product>\S+) health declaration with no answers at '
               r'the "(?P<viewport>[^"]+)" viewport'),
    re.compile(r'用户在“(?P<viewport>[^”]+)”视口下提交(?P<product>\S+?)的健康告知'))
# rough relative cost, to share the work out evenly (medical has a health declaration; the
# desktop journeys watch the traceability prompt)
_COST = {"medical": 5.0}
_NO_PLAN = JourneyPlan()


def needed_evidence(features_dir: Path, areas: Iterable[str],
                    journeys: JourneyPlan = _NO_PLAN) -> list[tuple[str, str, str]]:
    """(kind, product, viewport) that the selected areas' Given steps will ask for, as the
    journeys declare: "at its main viewport" is the journey's first viewport, and nothing is
    produced for a criterion that does not apply to the product (its tag in the journey's
    [not_applicable], or a viewport its journey is not driven at)."""
    needed: dict[tuple[str, str, str], None] = {}
    for area in areas:
        for feature in sorted((features_dir / area).rglob("*.feature")):
            for tags, steps in scenarios(feature.read_text(encoding="utf-8")):
                for step in steps:
                    for item in _items(step, tags, journeys):
                        needed[item] = None
    return list(needed)


def asked_viewports(features_dir: Path, areas: Iterable[str]) -> dict[str, dict[str, int]]:
    """product -> {viewport: scenarios naming it}, for the steps that name a viewport (not
    "at its main viewport"): what the features ask for whatever the journeys declare."""
    asked: dict[str, dict[str, int]] = {}
    for area in areas:
        for feature in sorted((features_dir / area).rglob("*.feature")):
            for _, steps in scenarios(feature.read_text(encoding="utf-8")):
                named = {(m["product"], m["viewport"]) for step in steps if "<" not in step
                         for pattern in (*_JOURNEY, *_FORM)
                         if (m := pattern.search(step)) and m.groupdict().get("viewport")}
                for product, viewport in named:
                    counts = asked.setdefault(product, {})
                    counts[viewport] = counts.get(viewport, 0) + 1
    return asked


def _items(step: str, tags: frozenset[str],
           journeys: JourneyPlan) -> Iterator[tuple[str, str, str]]:
    if "<" in step:
        return
    for kind, patterns in (("journey", _JOURNEY), ("form-errors", _FORM)):
        for found in filter(None, (p.search(step) for p in patterns)):
            declared = journeys.product(found["product"])
            groups = found.groupdict()
            viewport = (declared.main_viewport(groups["main"]) if groups.get("main")
                        else groups["viewport"])
            if declared.why_not_applicable(viewport, tags) is None:
                yield kind, found["product"], viewport


def feature_tags(features_dir: Path) -> set[str]:
    """Every tag of every feature and scenario under `features_dir` (without the @)."""
    return {tag for feature in features_dir.rglob("*.feature")
            for tags, _ in scenarios(feature.read_text(encoding="utf-8")) for tag in tags}


def _expanded_steps(text: str) -> list[str]:
    """Every step line of a feature, with Scenario Outline placeholders filled per example."""
    return [step for _, steps in scenarios(text) for step in steps]


def scenarios(text: str) -> list[tuple[frozenset[str], list[str]]]:
    """(tags, step lines) of every scenario of a feature (the feature's tags included), with
    Scenario Outline placeholders filled per example."""
    found: list[tuple[frozenset[str], list[str]]] = []
    feature_tags: set[str] = set()
    pending: set[str] = set()
    tags: frozenset[str] = frozenset()
    templates: list[str] = []
    header: list[str] | None = None
    rows: list[dict[str, str]] = []

    def flush() -> None:
        steps = []
        for template in templates:
            if not rows:
                steps.append(template)
            for row in rows:
                filled = template
                for name, value in row.items():
                    filled = filled.replace(f"<{name}>", value)
                steps.append(filled)
        if steps:
            found.append((tags, steps))

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("@"):
            pending.update(t.lstrip("@") for t in line.split() if t.startswith("@"))
        elif line.startswith(("Feature", "功能")):
            flush()
            feature_tags, pending = set(pending), set()
            templates, header, rows, tags = [], None, [], frozenset(feature_tags)
        elif line.startswith(("Scenario", "Background", "场景", "背景")):
            flush()
            tags, pending = frozenset(feature_tags | pending), set()
            templates, header, rows = [], None, []
        elif line.startswith(("Examples", "例子")):
            header, pending = [], set()
        elif line.startswith("|") and header is not None:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not header:
                header.extend(cells)
            else:
                rows.append(dict(zip(header, cells, strict=False)))
        elif line and not line.startswith("#"):
            templates.append(line)
    flush()
    return found


def share_out(items: list[tuple[str, str, str]], workers: int) -> list[list[tuple[str, str, str]]]:
    """Longest first onto the least loaded worker (enough for a dozen-odd items)."""
    plans: list[list[tuple[str, str, str]]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(plans)

    def cost(item: tuple[str, str, str]) -> float:
        return _COST.get(item[1], 4.0) + (1.5 if item[2] == "desktop" else 0.0)

    for item in sorted(items, key=cost, reverse=True):
        i = loads.index(min(loads))
        plans[i].append(item)
        loads[i] += cost(item)
    return [p for p in plans if p]


def browser_phase(target_url: str, run_dir: RunDir, features_dir: Path, areas: Iterable[str],
                  workers: int, journeys: Path | None = None, *,
                  declared: JourneyPlan = _NO_PLAN,
                  allow_non_local: bool = False) -> Source | None:
    """Produce the browser evidence of `areas` with `workers` processes; None if none is needed.
    `declared` (what the journey files say, kept as raw/browser/journeys.json) decides the
    viewports and what is not applicable."""
    root = run_dir.raw / "browser"
    root.mkdir(parents=True, exist_ok=True)
    (root / JOURNEYS_JSON).write_text(declared.to_json(), encoding="utf-8")
    items = needed_evidence(features_dir, areas, declared)
    if not items:
        return None
    started = time.monotonic()
    procs = [_start(plan, target_url, run_dir, journeys, allow_non_local)
             for plan in share_out(items, workers)]
    produced: list[dict[str, Any]] = []
    problems: list[str] = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=PHASE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            problems.append(f"a worker did not finish within {PHASE_TIMEOUT_S:g} s")
            continue
        if proc.returncode == 0:
            produced.extend(json.loads(out))
        else:
            problems.append(f"a worker exited {proc.returncode}: {err.strip()[-500:]}")
    wall_s = round(time.monotonic() - started, 1)
    marker = {"target": target_url, "journeys": str(journeys.resolve()) if journeys else None,
              "workers": len(procs), "wall_s": wall_s, "produced": produced}
    (root / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2), encoding="utf-8")
    detail = (f"{len(produced)} of {len(items)} journeys/form checks by {len(procs)} "
              f"browser worker(s) in {wall_s} s" + ("; " + "; ".join(problems) if problems else ""))
    return Source("browser evidence", 4 if problems else 0,
                  f"python -m harness_browser.produce (x{len(procs)})", detail)


def default_workers() -> int:
    """One Chromium more than there are cores, at most 3: a journey spends much of its time
    waiting for screens to settle, so on 2 cores 3 workers beat 2 (bench/bench_browser.py:
    27.9 s against 35.7 s for the same 17 checks, same run); 4 were slower again."""
    return max(1, min(3, (os.cpu_count() or 1) + 1))


def _start(plan: list[tuple[str, str, str]], target_url: str, run_dir: RunDir,
           journeys: Path | None, allow_non_local: bool) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "harness_browser.produce", "--run-dir", str(run_dir.path),
               "--base-url", target_url] + (["--allow-non-local"] if allow_non_local else [])
    for kind, product, viewport in plan:
        command += [f"--{kind}", f"{product}:{viewport}"]
    if journeys is not None:
        command += ["--journeys", str(journeys.resolve())]
    return subprocess.Popen(command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
