"""The installed wheel against the checkout: the same `harness run` in the same run.

Issue 10's benchmark: `harness run` from the wheel installed into a fresh virtual environment
outside the repository must cost no more than from the checkout (ratio <= 1.05). Both gate the
demo shop from a project made by `harness init --example demo`, alternately (the side that goes
first alternates each round), so that a busy machine slows both alike; the baseline is the
checkout's run. Run it from a checkout as `PYTHONPATH=$PWD ...` if you like: the install step
clears PYTHONPATH (tests/project/installed.py), which otherwise made pip skip the install.

    .venv/bin/python bench/bench_wheel.py [--rounds 2] [--areas purchase_flow,disclosures]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.project.installed import build_wheel, install  # noqa: E402


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)
    return time.perf_counter() - started, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--areas", default="purchase_flow,disclosures,regulation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-wheel-") as tmp_name:
        tmp = Path(tmp_name)
        installed = install(build_wheel(tmp / "dist"), tmp / "venv")
        project = tmp / "project"
        subprocess.run([str(installed.harness), "init", "--example", "demo", str(project)],
                       env=installed.env(), check=True, capture_output=True, timeout=120)
        checkout_env = dict(os.environ, PYTHONPATH=str(ROOT))
        run = ["run", "--areas", args.areas, "--no-report"]
        sides = {"wheel": ([str(installed.harness), *run], installed.env()),
                 "checkout": ([sys.executable, "-m", "harness", *run], checkout_env)}
        times: dict[str, list[float]] = {"wheel": [], "checkout": []}
        for index in range(args.rounds):
            # ABBA: the side that runs first alternates, so neither always follows the other
            order = ("wheel", "checkout") if index % 2 == 0 else ("checkout", "wheel")
            for side in order:
                command, env = sides[side]
                seconds, code = timed(command, project, env)
                times[side].append(seconds)
                print(f"round {index + 1}: {side:8} {seconds:6.1f} s (exit {code})", flush=True)
                if code not in (0, 1, 3):  # a crash or a usage error is not a timing
                    print(f"{side} run failed (exit {code})", file=sys.stderr)
                    return 1
    wheel_s, checkout_s = times["wheel"], times["checkout"]
    wheel, checkout = statistics.median(wheel_s), statistics.median(checkout_s)
    print(f"median: wheel {wheel:.1f} s, checkout {checkout:.1f} s (baseline), "
          f"ratio {wheel / checkout:.3f} (target <= 1.05), load average "
          f"{os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
