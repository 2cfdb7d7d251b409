"""The wheel installed outside the checkout does what the checkout does: init, run, judge."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.project.installed import ROOT, Installed, build_wheel, install

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    wheel = build_wheel(tmp_path_factory.mktemp("dist"))
    return install(wheel, tmp_path_factory.mktemp("venv") / "venv")


def test_the_wheel_brings_every_part_and_nothing_of_the_checkout(installed: Installed,
                                                                   tmp_path: Path) -> None:
    code = ("import harness, harness_steps, harness_browser, harness_load, harness_demo_shop;"
            "from importlib import resources as r;"
            "print([m.__file__ for m in (harness, harness_steps, harness_browser, harness_load,"
            " harness_demo_shop)]);"
            "print((r.files('harness_browser') / 'js' / 'first_screen.js').is_file(),"
            " (r.files('harness') / 'templates' / 'features' / 'en').is_dir())")
    done = subprocess.run([str(installed.python), "-c", code], cwd=tmp_path,
                          env=installed.env(), capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    files, data = done.stdout.splitlines()
    assert str(installed.venv) in files and str(ROOT) not in files
    assert data == "True True"


def test_from_an_empty_folder_to_a_verdict(installed: Installed, tmp_path: Path) -> None:
    project = tmp_path / "my-gate"
    done = installed.run("init", "--example", "demo", str(project), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = installed.run("run", "--areas", "purchase_flow", "--no-report", cwd=project)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run = (project / "reports" / "latest").resolve()
    verdict = json.loads((run / "verdict.json").read_text(encoding="utf-8"))
    assert verdict["decision"] == "GO"
    assert len(verdict["criteria"]) == 3
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["project"] == str(project.resolve())
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert info["features"] == str((project / "features").resolve())
