"""The harness pytest plugin (entry point `pytest11: harness`): records criteria.

Thin on purpose: options, the `record_criterion` fixture and the hooks live here; the record
format lives in `harness.model`, writing in `harness.writers.criteria`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.model import Criterion, Outcome
from harness.writers.criteria import append_criterion

RecordCriterion = Callable[..., Criterion]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "launch-harness")
    group.addoption(
        "--harness-run-dir",
        default=os.environ.get("HARNESS_RUN_DIR"),
        help="run directory that receives criteria.jsonl (default: $HARNESS_RUN_DIR)",
    )


@pytest.fixture
def harness_run_dir(request: pytest.FixtureRequest) -> Path:
    """The run directory of this gate run; made when missing."""
    value = request.config.getoption("--harness-run-dir")
    if not value:
        value = str(request.config.rootpath / "reports" / "adhoc")
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def record_criterion(request: pytest.FixtureRequest, harness_run_dir: Path) -> RecordCriterion:
    """Record one criterion for the current test: `record_criterion(outcome, id=..., tags=...)`."""

    def record(outcome: Outcome, *, id: str | None = None, feature: str | None = None,
               scenario: str | None = None, tags: tuple[str, ...] | None = None) -> Criterion:
        node = request.node
        marker_tags = tuple(m.name for m in node.iter_markers())
        criterion = Criterion(
            id=id or node.nodeid,
            feature=feature or str(node.path.name),
            scenario=scenario or node.name,
            tags=tags if tags is not None else marker_tags,
            outcome=outcome,
        )
        append_criterion(harness_run_dir / "criteria.jsonl", criterion)
        return criterion

    return record
