"""harness.toml, HARNESS_* variables and flags: one configuration, later wins, every mistake
named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.project import open_project
from harness.secret import mask_url
from harness.settings import load_settings


def write(project: Path, text: str, name: str = "harness.toml") -> Path:
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.source == "defaults"
    assert settings.get("load.profile") == "smoke"
    assert settings.origin["target.url"] == "default"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    config = write(tmp_path, '[target]\nurl = "http://127.0.0.1:9000"\n[load]\nworkers = 3\n')
    settings = load_settings(tmp_path, environ={"HARNESS_TARGET_URL": "http://127.0.0.1:9100"})
    assert settings.get("target.url") == "http://127.0.0.1:9100"
    assert settings.origin["target.url"] == "$HARNESS_TARGET_URL"
    assert settings.get("load.workers") == 3 and settings.origin["load.workers"] == str(config)
    flagged = settings.with_flags({"load.workers": 5, "target.url": None})
    assert flagged.get("load.workers") == 5 and flagged.origin["load.workers"] == "flag"
    assert flagged.get("target.url") == "http://127.0.0.1:9100"


def test_pyproject_tool_harness_table(tmp_path: Path) -> None:
    write(tmp_path, '[tool.harness.project]\nareas = ["disclosures"]\n', "pyproject.toml")
    settings = load_settings(tmp_path, environ={})
    assert settings.get("project.areas") == ["disclosures"]
    assert "[tool.harness]" in settings.source


@pytest.mark.parametrize(("text", "named"), [
    ("[taget]\nurl = 'x'\n", "unknown section [taget]"),
    ("[target]\nulr = 'x'\n", "unknown key 'ulr'"),
    ("[load]\nworkers = 'two'\n", "load.workers = 'two': expected a whole number"),
    ("[load]\nworkers = true\n", "load.workers = True: expected a whole number"),
    ("[project]\nareas = 'disclosures'\n", "project.areas = 'disclosures': expected a list"),
    ("[project]\nareas = [1]\n", "expected a list"),
    ("[target]\nallow_non_local = 'yes'\n", "expected true or false"),
    ("[target]\nurl = \n", "not valid TOML"),
    ("target = 3\n", "[target] must be a table"),
])
def test_every_mistake_names_the_file_and_the_key(tmp_path: Path, text: str,
                                                  named: str) -> None:
    config = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    assert named in str(error.value)
    assert str(config) in str(error.value)


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    (tmp_path / "harness.toml").write_bytes('[target]\nurl = "犹豫期"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(tmp_path, environ={})


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$HARNESS_ALLOW_NON_LOCAL='maybe'"):
        load_settings(tmp_path, environ={"HARNESS_ALLOW_NON_LOCAL": "maybe"})


def test_lists_from_the_environment_are_comma_separated(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={"HARNESS_SKIP": "load, gray"})
    assert settings.get("project.skip") == ["load", "gray"]


def test_paths_resolve_against_the_project_not_the_harness(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nreports = "out/runs"\n')
    project = open_project(tmp_path, environ={})
    assert project.reports_dir == (tmp_path / "out" / "runs").resolve()
    assert project.features_dir == (tmp_path / "features").resolve()


def test_secrets_are_masked_in_the_saved_configuration(tmp_path: Path) -> None:
    write(tmp_path, '[gray]\nsource = "postgresql://ro:s3cret@127.0.0.1/shop"\n'
                    '[integrity]\nkind = "sql"\nurl = "mysql://u:pw@h/db?token=abc"\n')
    saved = str(open_project(tmp_path, environ={}).effective_config())
    assert "s3cret" not in saved and "pw@" not in saved and "abc" not in saved
    assert "postgresql://ro:***@127.0.0.1/shop" in saved
    assert mask_url("https://h/x?password=p&y=1") == "https://h/x?password=***&y=1"


def test_a_missing_project_folder_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="harness init"):
        open_project(tmp_path / "nope")
