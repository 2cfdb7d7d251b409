"""Where each evidence file lives under a run directory (docs/contracts.md, "Run directory").

Producers write to these paths and the judge reads from them; a user's own producer that
writes the same files in the same places is judged like the bundled ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RAW = "raw"
LOAD = "raw/load"
STORE = "raw/store"
GRAY = "raw/gray"
BROWSER = "raw/browser"

STATS_CSV = "stats.csv"
STATS_HISTORY_CSV = "stats_history.csv"
FAILURES_CSV = "failures.csv"
EXCEPTIONS_CSV = "exceptions.csv"
STATS_JSON = "stats.json"
GENERATOR_JSONL = "generator.jsonl"
PHASES_JSON = "phases.json"
PHASE_STATS_JSONL = "phase_stats.jsonl"
PURCHASES_JSONL = "purchases.jsonl"
LAUNCH_JSON = "launch.json"
RECONCILIATION_JSON = "reconciliation.json"
JOURNEY_JSON = "journey.json"
FORM_ERRORS_JSON = "form-errors.json"
PRODUCED_MARKER = ".produced"
HEALTH_PREFIX = "health-"


@dataclass(frozen=True)
class RunLayout:
    """The evidence paths of one run directory."""

    run_dir: Path

    @property
    def load_dir(self) -> Path:
        return self.run_dir / LOAD

    @property
    def store_dir(self) -> Path:
        return self.run_dir / STORE

    @property
    def gray_dir(self) -> Path:
        return self.run_dir / GRAY

    @property
    def browser_dir(self) -> Path:
        return self.run_dir / BROWSER

    def load(self, name: str) -> Path:
        """A file of raw/load, e.g. `layout.load(STATS_CSV)`."""
        return self.load_dir / name

    @property
    def reconciliation(self) -> Path:
        return self.store_dir / RECONCILIATION_JSON

    def journey_dir(self, folder: str, viewport: str) -> Path:
        return self.browser_dir / folder / viewport

    def journey(self, folder: str, viewport: str) -> Path:
        return self.journey_dir(folder, viewport) / JOURNEY_JSON

    def form_errors_dir(self, product: str, viewport: str) -> Path:
        return self.browser_dir / f"{HEALTH_PREFIX}{product}" / viewport

    def form_errors(self, product: str, viewport: str) -> Path:
        return self.form_errors_dir(product, viewport) / FORM_ERRORS_JSON
