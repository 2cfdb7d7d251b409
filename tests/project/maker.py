"""Gate projects for the tests, made the way a user makes them: `harness init`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def make_demo_project(where: Path) -> Path:
    """`harness init --example demo WHERE`: the project that gates the bundled demo shop."""
    done = subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo",
                           str(where)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return where


def tool_paths() -> dict[str, str]:
    """HARNESS_ALLURE and HARNESS_AXE of this checkout's npm packages, for projects made in a
    temporary folder (a user's project finds them in its own node_modules)."""
    root = Path(__file__).resolve().parents[2] / "node_modules"
    paths = {"HARNESS_ALLURE": root / ".bin" / "allure",
             "HARNESS_AXE": root / "axe-core" / "axe.min.js"}
    return {k: str(v) for k, v in paths.items() if v.exists() and k not in os.environ}
