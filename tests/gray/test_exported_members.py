"""The curated surface of harness.gray: every exported name exists, nothing public is missed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import harness.gray


def test_all_names_resolve_and_are_sorted_by_kind() -> None:
    for name in harness.gray.__all__:
        assert hasattr(harness.gray, name), name
    public = {n for n in vars(harness.gray) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(harness.gray, n)).__name__ == "module"}
    assert public - modules == set(harness.gray.__all__)


def test_the_judge_imports_no_evidence_tool() -> None:
    """In a fresh interpreter: pytest's own plugins (pytest-playwright) load playwright here."""
    code = ("import sys, harness.cli.gray, harness.gates.gray, harness.readers.cohort; "
            "print(sorted({'locust', 'playwright', 'gevent'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]"
