"""Shared fixtures of the load tests: the captured evidence folders and a way to derive
broken evidence from them (edit one copy, never the captured files)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "load"


@pytest.fixture
def evidence(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a captured evidence folder (good, missing-worker, emfile, lost-policies)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(DATA / name, target)
        return target

    return copy
