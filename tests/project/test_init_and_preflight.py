"""`harness init` makes a gate project; `harness run` checks all of it before any phase starts:
a typo costs seconds (exit 2, naming the file and key), and no run directory is made."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness.settings import SCHEMA, load_settings


def harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=180, check=False)


@pytest.fixture
def project(tmp_path: Path, demo_project: Path) -> Path:
    copy = tmp_path / "gate"
    shutil.copytree(demo_project, copy)
    return copy


def test_the_demo_example_is_a_complete_project(demo_project: Path) -> None:
    for name in ("harness.toml", "features/conftest.py", "features/test_features.py",
                 "journeys/travel.toml", "journeys/medical.toml", "journeys/accident.toml",
                 "features/disclosures/cooling_off_notice.feature"):
        assert (demo_project / name).is_file(), name
    text = (demo_project / "harness.toml").read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"{key} = " in text, key
    settings = load_settings(demo_project, environ={})
    assert settings.get("demo.variant") == "good"
    feature = (demo_project / "features/disclosures/cooling_off_notice.feature").read_text()
    assert "| medical | phone-small |" in feature and "| accident | 10 |" in feature


def test_init_keeps_what_exists_unless_forced(project: Path) -> None:
    journey = project / "journeys" / "travel.toml"
    journey.write_text("# mine\n", encoding="utf-8")
    done = harness("init", "--example", "demo", str(project), cwd=project)
    assert done.returncode == 0 and "kept" in done.stdout
    assert journey.read_text(encoding="utf-8") == "# mine\n"
    harness("init", "--example", "demo", "--force", str(project), cwd=project)
    assert journey.read_text(encoding="utf-8") != "# mine\n"


@pytest.mark.parametrize(("edit", "named"), [
    (("harness.toml", "[load]\nworkerz = 2\n"), "unknown key 'workerz'"),
    (("harness.toml", "[project]\nskip = ['laod']\n"), "unknown phase(s) laod"),
    (("journeys/medical.toml", "actions = 'click'\nname='x'\nstart='/'\n"), "medical.toml"),
])
def test_a_typo_stops_the_run_in_seconds(project: Path, edit: tuple[str, str],
                                          named: str) -> None:
    (project / edit[0]).write_text(edit[1], encoding="utf-8")
    done = harness("run", cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert named in done.stderr
    assert not (project / "reports").exists()  # nothing started, nothing half-made


def test_a_product_without_a_journey_is_named(project: Path) -> None:
    (project / "journeys" / "accident.toml").unlink()
    done = harness("run", "--areas", "purchase_flow", cwd=project)
    assert done.returncode == 2
    assert "no journey for accident" in done.stderr
    assert "accident.toml" in done.stderr


def test_a_store_of_ones_own_needs_its_load_user_before_the_load_areas(project: Path) -> None:
    done = harness("run", "--target", "http://127.0.0.1:9", "--areas", "capacity", cwd=project)
    assert done.returncode == 2
    assert "[load] locustfile" in done.stderr
    done = harness("run", "--target", "http://127.0.0.1:9", "--areas", "gray_release",
                   cwd=project)
    assert done.returncode == 2 and "[gray] source" in done.stderr


def test_steps_lists_the_library_and_the_projects_own(project: Path) -> None:
    (project / "features" / "my_steps.py").write_text(
        'from pytest_bdd import then\nEVIDENCE = "raw/mine.json"\n\n\n'
        '@then("the premium is shown in yuan")\ndef premium_in_yuan():\n    pass\n',
        encoding="utf-8")
    done = harness("steps", cwd=project)
    assert done.returncode == 0
    assert "the journey takes at most {max_steps:d} steps" in done.stdout
    assert "the premium is shown in yuan" in done.stdout and "raw/mine.json" in done.stdout


def test_version_and_help_are_for_users(tmp_path: Path) -> None:
    assert harness("--version", cwd=tmp_path).stdout.startswith("launch-harness ")
    text = harness("--help", cwd=tmp_path).stdout
    assert "harness init" in text and "exit codes" in text


def test_demo_harness_toml_is_valid_toml(demo_project: Path) -> None:
    tomllib.loads((demo_project / "harness.toml").read_text(encoding="utf-8"))
