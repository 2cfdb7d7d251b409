"""`harness doctor`: is this machine ready? One line per check, a fix line for each problem,
exit 4 when something required is missing. The browser is probed in a child process
(`python -m harness_browser.probe`) so Playwright never loads into the judge."""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import importlib.util
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.model import ExitCode

DISTRIBUTION = "launch-harness"
# the runtime dependencies when launch-harness itself is not installed (a bare checkout);
# an installed harness checks the `Requires-Dist` of its own metadata instead
PACKAGES = ("pytest>=8.3", "pytest-bdd>=8.1", "allure-pytest-bdd>=2.15", "playwright>=1.50",
            "pytest-playwright>=0.7", "locust>=2.40", "psutil>=6", "pandas>=2.2", "pyarrow>=17",
            "scipy>=1.13", "statsmodels>=0.14.4", "matplotlib>=3.9", "fastapi>=0.115",
            "uvicorn>=0.32", "python-multipart>=0.0.18", "jinja2>=3.1", "sqlalchemy>=2.0.36",
            "httpx>=0.27")
# imported by the harness directly although only a dependency of a dependency
INDIRECT = ("numpy", "geventhttpclient")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    value: str
    fix: str = ""
    required: bool = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")


def run(args: argparse.Namespace) -> int:
    checks = [check_python(), *check_packages(), check_allure_pytest_conflict(),
              check_browser(), check_allure(), check_cjk_font(), check_open_files(),
              check_port_range()]
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], ensure_ascii=False, indent=2))
    else:
        for c in checks:
            mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
            print(f"{mark} {c.name}: {c.value}")
            if not c.ok and c.fix:
                print(f"     fix: {c.fix}")
    failed = [c for c in checks if c.required and not c.ok]
    if not args.json:
        print("all required checks passed" if not failed
              else f"{len(failed)} required check(s) failed")
    return ExitCode.HARNESS_FAILURE if failed else ExitCode.GO


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, f"{platform.python_version()} at {sys.executable}",
                 "use Python 3.11 or newer")


def runtime_requirements() -> list[str]:
    """Every runtime requirement (extras left out): the installed metadata's, else PACKAGES."""
    try:
        declared = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        declared = []
    wanted = [r for r in declared if "extra ==" not in r] or list(PACKAGES)
    names = {_normal(_split_requirement(r)[0]) for r in wanted}
    return wanted + [name for name in INDIRECT if name not in names]


def check_packages() -> list[Check]:
    """Each requirement is installed, new enough, and importable in this interpreter."""
    modules = _modules_by_distribution()
    return [_check_requirement(text, modules) for text in runtime_requirements()]


def _check_requirement(text: str, modules: dict[str, list[str]]) -> Check:
    name, specifier = _split_requirement(text)
    label = f"package {name}"
    fix = f"run `make setup` (or pip install '{name}{specifier}')"
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return Check(label, False, "missing", fix)
    if specifier and not _satisfies(version, specifier):
        return Check(label, False, f"{version} installed, {specifier} needed", fix)
    module = _module_of(name, modules)
    try:
        importable = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        importable = False
    if not importable:
        return Check(label, False, f"{version} installed but `import {module}` fails", fix)
    return Check(label, True, version)


def _split_requirement(text: str) -> tuple[str, str]:
    """"uvicorn[standard]>=0.32; python_version>'3'" -> ("uvicorn", ">=0.32")."""
    text = text.split(";")[0].strip()
    cut = min([i for i in (text.find(c) for c in "[<>=!~ (") if i > 0] or [len(text)])
    name, rest = text[:cut], text[cut:]
    if rest.startswith("["):
        rest = rest[rest.index("]") + 1:]
    return name.strip(), rest.strip(" ()")


def _satisfies(version: str, specifier: str) -> bool:
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # no `packaging` to compare with: being installed has to do
        return True
    try:
        return version in SpecifierSet(specifier)
    except InvalidSpecifier:
        return True


def _modules_by_distribution() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            out.setdefault(_normal(dist), []).append(module)
    return out


def _module_of(distribution: str, modules: dict[str, list[str]]) -> str:
    """The import name of a distribution: its own name when it provides that module."""
    own = _normal(distribution).replace("-", "_")
    candidates = modules.get(_normal(distribution), [])
    return own if own in candidates or not candidates else sorted(candidates)[0]


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def check_allure_pytest_conflict() -> Check:
    try:
        version = metadata.version("allure-pytest")
    except metadata.PackageNotFoundError:
        return Check("allure-pytest absent", True, "only allure-pytest-bdd registers --alluredir")
    return Check("allure-pytest absent", True,
                 f"allure-pytest {version} is installed too; the harness loads it with "
                 "`-p no:allure_pytest`", required=False)


def check_browser() -> Check:
    try:
        done = subprocess.run([sys.executable, "-m", "harness_browser.probe"], capture_output=True,
                              text=True, timeout=90, check=False)
        probe = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        return Check("browser", False, f"the probe did not answer: {exc}",
                     "run `make setup`, then `python -m harness_browser.probe` to see the error")
    if probe.get("launches"):
        return Check("browser", True, f"{probe.get('executable')} (Chromium "
                     f"{probe.get('version')}), launches headless")
    return Check("browser", False, f"{probe.get('executable')}: {probe.get('error')}",
                 "run `make setup` (installs Debian's chromium as root where Playwright "
                 "cannot download its own), or set HARNESS_CHROMIUM=/path/to/chromium")


def check_allure() -> Check:
    from harness.writers.allure import find_allure

    executable = find_allure(Path.cwd(), os.environ.get("HARNESS_ALLURE"))
    if executable is None:
        return Check("allure", False, "not installed", "run `make setup` (npm ci)")
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("allure", False, str(exc), "install Node.js 20+, then `make setup`")
    version = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "?"
    ok = done.returncode == 0 and version.startswith("3.")
    return Check("allure", ok, f"Allure {version} ({executable})",
                 "Allure 3 is needed: `npm ci` installs the pinned version")


def check_cjk_font() -> Check:
    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                              timeout=30, check=False)
        found = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return Check("CJK font", bool(found), found or "none: Chinese renders as boxes",
                 "apt-get install fonts-noto-cjk (make setup does it as root)")


def check_open_files() -> Check:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return Check("open files", hard >= 4096,
                 f"soft {soft}, hard {hard} (load workers raise soft to hard; each worker "
                 f"holds at most ~{max(hard - 1000, 0):,} users)",
                 "raise the hard limit (ulimit -Hn / limits.conf) for large load tests",
                 required=False)


def check_port_range() -> Check:
    path = Path("/proc/sys/net/ipv4/ip_local_port_range")
    try:
        low, high = (int(x) for x in path.read_text().split())
    except (OSError, ValueError):
        return Check("ephemeral ports", True, "unknown on this system", required=False)
    count = high - low + 1
    return Check("ephemeral ports", count >= 10_000,
                 f"{low}-{high}: {count:,} connections per address pair",
                 "spread load over several loopback addresses (the load launcher does)",
                 required=False)
