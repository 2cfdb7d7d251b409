"""The harness as a user has it: the built wheel installed into a fresh virtual environment
outside this checkout. Its dependencies come from the development environment (a .pth file
pointing at its site-packages) so that the test needs no network; launch-harness itself comes
only from the wheel, and the checkout is not on the path."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Installed:
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def harness(self) -> Path:
        return self.venv / "bin" / "harness"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.venv / 'bin'}:{env.get('PATH', '')}"
        allure = ROOT / "node_modules" / ".bin" / "allure"
        if allure.exists():
            env["HARNESS_ALLURE"] = str(allure)
        axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
        if axe.exists():
            env["HARNESS_AXE"] = str(axe)
        return env

    def run(self, *args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.harness), *args], cwd=cwd, env=self.env(), text=True,
                              capture_output=True, timeout=timeout, check=False)


def build_wheel(out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(out), str(ROOT)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return next(out.glob("launch_harness-*.whl"))


def install(wheel: Path, venv: Path) -> Installed:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    target = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    packages = target / "site-packages"
    (packages / "_dev_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    # without PYTHONPATH: a checkout on it (a worktree run as PYTHONPATH=$PWD) holds the
    # launch_harness.egg-info that `pip wheel` leaves, and pip would then find the same version
    # "already installed" and install nothing (no bin/harness)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                           "install", "-q", "--no-deps", str(wheel)], capture_output=True,
                          text=True, timeout=600, check=False, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (venv / "bin" / "harness").is_file(), f"pip installed no harness: {done.stdout}"
    return Installed(venv)
