"""The launcher and `harness load` refuse a bad user's-own-locustfile request before anything
starts, and build the Locust command from the harness's part and the user's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import ConfigError
from harness_load.launcher import HARNESS_PART, LoadRequest, _master_command, run_load

USER_FILE = Path(__file__).with_name("user_locustfile.py")


@pytest.mark.parametrize(("changes", "message"), [
    ({"locustfile": Path("nowhere/locustfile.py")}, r"locustfile nowhere/locustfile.py: no "
                                                    r"such \.py file"),
    ({"user_classes": ("Buyer",)}, r"user classes were given without a locustfile"),
    ({"locustfile": USER_FILE, "user_classes": ("Buyer; rm",)}, r"is not a Python class name"),
    ({"locustfile": USER_FILE, "extra_targets": ("http://127.0.0.2:9",)},
     r"with your own locustfile give one target"),
])
def test_bad_requests_are_config_errors_before_anything_starts(
        tmp_path: Path, changes: dict[str, object], message: str) -> None:
    request = LoadRequest("smoke", "http://127.0.0.1:9", tmp_path, **changes)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=message):
        run_load(request)
    assert not (tmp_path / "raw").exists()


def test_the_command_runs_the_harness_part_and_the_users_file(tmp_path: Path) -> None:
    request = LoadRequest("smoke", "http://127.0.0.1:9", tmp_path, locustfile=USER_FILE,
                          user_classes=("PolicyBuyer",))
    cmd = _master_command(request, tmp_path, 5557, 30)
    assert cmd[cmd.index("-f") + 1] == f"{HARNESS_PART},{USER_FILE.resolve()}"


@pytest.mark.parametrize(("args", "message"), [
    (["--locustfile", str(USER_FILE)], "--locustfile needs --target"),
    (["--target", "http://127.0.0.1:9", "--integrity-sql", "sqlite://"],
     "--integrity-sql needs --integrity-query"),
    (["--target", "http://127.0.0.1:9", "--integrity-csv", "a.csv", "--integrity-sql",
      "sqlite://", "--integrity-query", "SELECT 1"], "choose one integrity source"),
])
def test_the_cli_maps_bad_flags_to_exit_2(tmp_path: Path, args: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--run-dir", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_locustfile_that_cannot_load_says_why(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Real Locust: an import error in the user's file, and a class the file lacks."""
    broken = tmp_path / "broken.py"
    broken.write_text("from locust import HttpUser\nimport no_such_module_here\n", "utf-8")
    short = ["--target", "http://127.0.0.1:9", "--users", "2", "--ramp-s", "1", "--hold-s", "2",
             "--workers", "1"]
    assert main(["load", "--locustfile", str(broken), "--run-dir", str(tmp_path / "a"),
                 *short]) == 4
    assert "Locust stopped: ModuleNotFoundError: No module named 'no_such_module_here'" in \
        capsys.readouterr().out
    assert main(["load", "--locustfile", str(USER_FILE), "--user-class", "Nobody",
                 "--run-dir", str(tmp_path / "b"), *short]) == 4
    assert "Locust stopped: Unknown User(s): Nobody" in capsys.readouterr().out
