"""Benchmark: the whole browser gate on the demo shop against bare page loads, in the same run.

    .venv/bin/python bench/bench_browser.py [--workers 2,3] [--areas disclosures,...]

For each worker count: `harness run`'s browser phase (every product x viewport journey the
selected features name, with the first-screen notice check, the regulation measurements and
the health-declaration form checks, spread over that many Chromium processes), then the
features judging that evidence (pytest-bdd, no browser), timed as wall time and per check.
The baseline: the same pages (every screen of every journey, by URL, at its viewport) loaded
bare, `goto` + `load` in a fresh context, by the same number of processes each with its own
Chromium. Ratios are gate / bare loads. Loopback only, about a minute per worker count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.cli.acceptance import run_features  # noqa: E402
from harness.cli.browser_phase import browser_phase, needed_evidence, share_out  # noqa: E402
from harness.rundir import new_run_dir  # noqa: E402

AREAS = ("disclosures", "purchase_flow", "health_declaration", "regulation")
TARGET_S = 30.0


def bare_worker(spec_file: str) -> None:
    """Child process: load each (viewport, url) bare, print the seconds spent loading."""
    from playwright.sync_api import sync_playwright

    from harness_browser.browser import launch_browser, new_context

    pages = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        started = time.monotonic()
        for viewport, urls in pages:
            context = new_context(browser, viewport)
            page = context.new_page()
            for url in urls:
                page.goto(url, wait_until="load")
            context.close()
        print(json.dumps({"seconds": time.monotonic() - started}))
        browser.close()


def pages_of(run_path: Path, base_url: str) -> list[tuple[str, list[str]]]:
    """Every screen every journey reached, as (viewport, [absolute URLs])."""
    pages = []
    for record in sorted((run_path / "raw" / "browser").glob("*/*/journey.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        urls = [base_url + step["url_path"] for step in data["steps"]]
        pages.append((str(data["viewport"]), urls))
    return pages


def bare_loads(pages: list[tuple[str, list[str]]], workers: int, tmp: Path) -> float:
    """Wall time of loading `pages` bare with `workers` processes (same split as the gate)."""
    shares: list[list[tuple[str, list[str]]]] = [[] for _ in range(workers)]
    for i, item in enumerate(sorted(pages, key=lambda p: -len(p[1]))):
        shares[i % workers].append(item)
    started = time.monotonic()
    procs = []
    for i, share in enumerate(shares):
        spec = tmp / f"bare-{i}.json"
        spec.write_text(json.dumps(share), encoding="utf-8")
        procs.append(subprocess.Popen([sys.executable, __file__, "--bare-worker", str(spec)],
                                      cwd=ROOT, stdout=subprocess.PIPE, text=True))
    for proc in procs:
        proc.communicate(timeout=600)
    return time.monotonic() - started


def demo_project(tmp: Path) -> Path:
    """The demo shop's gate project, made as a user makes it (`harness init --example demo`)."""
    project = tmp / "project"
    if not project.is_dir():
        subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo",
                        str(project)], cwd=ROOT, capture_output=True, check=True, timeout=120)
    return project


def bench_once(base_url: str, workers: int, areas: tuple[str, ...], tmp: Path) -> dict[str, Any]:
    run = new_run_dir(tmp / f"w{workers}", "bench-browser")
    project = demo_project(tmp)
    features, journeys = project / "features", project / "journeys"
    items = needed_evidence(features, areas)
    started = time.monotonic()
    browser_phase(base_url, run, features, areas, workers, journeys)
    phase_s = time.monotonic() - started
    started = time.monotonic()
    code = run_features(run, features, target=base_url, offline=False, selected=areas,
                        journeys=journeys)
    features_s = time.monotonic() - started
    marker = json.loads((run.raw / "browser" / ".produced").read_text(encoding="utf-8"))
    per_check = [float(p["seconds"]) for p in marker["produced"]]
    criteria = len((run.path / "criteria.jsonl").read_text(encoding="utf-8").splitlines())
    pages = pages_of(run.path, base_url)
    bare_s = bare_loads(pages, workers, tmp)
    return {"workers": workers, "checks": len(items), "criteria": criteria,
            "features_exit": code, "phase_s": phase_s, "features_s": features_s,
            "gate_s": phase_s + features_s, "check_mean_s": sum(per_check) / len(per_check),
            "check_max_s": max(per_check), "pages": sum(len(u) for _, u in pages),
            "bare_s": bare_s, "plan": [len(p) for p in share_out(items, workers)]}


def report(r: dict[str, Any]) -> None:
    print(f"\n{r['workers']} worker(s): {r['checks']} checks (journeys + form checks) -> "
          f"{r['criteria']} criteria, features exit {r['features_exit']}")
    print(f"  browser phase      {r['phase_s']:6.1f} s   (items per worker {r['plan']})")
    print(f"  features (judge)   {r['features_s']:6.1f} s")
    print(f"  whole browser gate {r['gate_s']:6.1f} s   = {r['gate_s'] / TARGET_S:.2f} of the "
          f"{TARGET_S:g} s target; {r['gate_s'] / r['checks']:.2f} s wall per check")
    print(f"  per check (in its worker): mean {r['check_mean_s']:.2f} s, max "
          f"{r['check_max_s']:.2f} s")
    print(f"  baseline: {r['pages']} bare page loads at the same viewports, {r['workers']} "
          f"process(es): {r['bare_s']:.1f} s")
    print(f"  ratio gate / bare loads: {r['gate_s'] / r['bare_s']:.1f}x; browser phase / bare "
          f"loads: {r['phase_s'] / r['bare_s']:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2,3", help="worker counts to measure, e.g. 1,2,3")
    parser.add_argument("--areas", default=",".join(AREAS))
    parser.add_argument("--bare-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        bare_worker(args.bare_worker)
        return 0
    from harness_demo_shop.server import start_in_background

    areas = tuple(a for a in args.areas.split(",") if a)
    shop = start_in_background(variant="good", port=0, workers=2)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
            for workers in (int(w) for w in args.workers.split(",")):
                report(bench_once(str(shop.url).rstrip("/"), workers, areas, Path(tmp)))
    finally:
        shop.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
