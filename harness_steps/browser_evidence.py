"""Browser evidence for the features: produce it (live) or find it (offline) in raw/browser.

Live, each (journey, viewport) is driven once per pytest session and its journey.json reused by
every scenario that needs it; offline (`harness verdict`), nothing is driven and whatever is on
disk is judged. When `harness run`'s browser phase already produced a folder for this target in
this run directory (listed in raw/browser/.produced), it is judged as it is, not driven again.
The journey for a product is `<journeys dir>/<product>.toml` (or `.py`) of the project, else
the demo shop's own `demo-<product>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import allure

from harness.errors import ConfigError
from harness.readers.browser import JourneyEvidence, read_journey


class BrowserEvidence:
    def __init__(self, run_dir: Path, offline: bool, store_url: Callable[[], str],
                 browser: Callable[[], Any], journeys_dir: Path | None,
                 target: str | None = None) -> None:
        self.root = run_dir / "raw" / "browser"
        self.offline = offline
        self._store_url = store_url
        self._browser = browser
        self._journeys_dir = journeys_dir
        self._produced: set[Path] = _produced_by_phase(self.root, target, journeys_dir)

    def journey(self, product: str, viewport: str) -> JourneyEvidence:
        out = self.root / product / viewport
        if not self.offline and out not in self._produced:
            self._produced.add(out)
            self._drive_journey(product, viewport, out)
        evidence = read_journey(out / "journey.json")
        _attach_screens(evidence)
        return evidence

    def form_errors(self, product: str, viewport: str) -> Path:
        out = self.root / f"health-{product}" / viewport
        if not self.offline and out not in self._produced:
            self._produced.add(out)
            self._drive_form_check(product, viewport, out)
        return out / "form-errors.json"

    def _journey_spec(self, product: str) -> Any:
        from harness_browser.journey import builtin_journey, load_journey

        if self._journeys_dir is None:
            return builtin_journey(f"demo-{product}")
        for suffix in (".toml", ".py"):
            path = self._journeys_dir / f"{product}{suffix}"
            if path.is_file():
                return load_journey(path)
        raise ConfigError(f"no journey for the product {product!r} named in the features: "
                          f"write {self._journeys_dir / (product + '.toml')} (see `harness "
                          "init` and the README, \"Gate your own store\")")

    def _drive_journey(self, product: str, viewport: str, out: Path) -> None:
        from harness_browser.evidence import record_journey

        record_journey(self._browser(), run_dir=self.root.parent.parent,
                       journey=self._journey_spec(product), viewport_name=viewport,
                       base_url=self._store_url(), folder=product)

    def _drive_form_check(self, product: str, viewport: str, out: Path) -> None:
        from harness_browser.evidence import record_form_errors

        record_form_errors(self._browser(), run_dir=self.root.parent.parent,
                           viewport_name=viewport, base_url=self._store_url(), product=product,
                           journey=self._journey_spec(product))


def _produced_by_phase(root: Path, target: str | None,
                       journeys_dir: Path | None) -> set[Path]:
    """Folders the browser phase produced for this very target and journeys (else none)."""
    marker = root / ".produced"
    if target is None or not marker.is_file():
        return set()
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # unreadable: drive live rather than judge unknown evidence
    journeys = str(journeys_dir.resolve()) if journeys_dir else None
    if data.get("target") != target.rstrip("/") or data.get("journeys") != journeys:
        return set()
    return {root / str(item["folder"]) for item in data.get("produced", [])}


def _attach_screens(evidence: JourneyEvidence) -> None:
    for step in evidence.steps:
        if step.screenshot and Path(step.screenshot).is_file():
            allure.attach.file(step.screenshot, name=f"step {step.index}: {step.description}",
                               attachment_type=allure.attachment_type.PNG)
    notice = evidence.notice or {}
    shot = notice.get("screenshot")
    if shot and Path(str(shot)).is_file():
        allure.attach.file(str(shot), name="cooling-off notice (outlined)",
                           attachment_type=allure.attachment_type.PNG)
