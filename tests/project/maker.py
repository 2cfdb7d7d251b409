"""Gate projects for the tests, made the way a user makes them: `harness init`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def make_demo_project(where: Path) -> Path:
    """`harness init --example demo WHERE`: the project that gates the bundled demo shop."""
    done = subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo",
                           str(where)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return where
