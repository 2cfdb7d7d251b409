"""Exit codes are kept whatever happens inside a command: a crash is 4 with one line and a
traceback log (never the 1 of a NO-GO), a cancellation is 3, and `--help` / `doctor` work with
the heavy libraries missing."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.cli import COMMANDS, main
from harness.model import ExitCode

ROOT = Path(__file__).resolve().parents[2]
# the smallest command line each command parses
ARGV = {"doctor": [], "demo-shop": [], "load": [], "run": [], "verdict": ["some-run"],
        "report": ["some-run"], "gray": ["events.csv"], "check": ["steps", "journey.toml"],
        "init": [], "steps": [], "history": [], "diff": ["run-a", "run-b"], "verify": ["run"],
        "record": ["http://127.0.0.1:1/", "-o", "journeys/x.py"], "watch": []}


def _inject(monkeypatch: pytest.MonkeyPatch, command: str, error: BaseException) -> None:
    module = importlib.import_module(f"harness.cli.{COMMANDS[command][0]}")

    def failing_run(_args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(module, "run", failing_run)


def test_every_command_is_listed_with_arguments() -> None:
    assert set(ARGV) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unexpected_exception_in_any_command_is_exit_4_with_a_traceback_log(
        command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HARNESS_RUN_DIR", str(tmp_path))
    _inject(monkeypatch, command, ValueError("boom in the middle\nsecond line"))
    code = main([command, *ARGV[command]])
    err = capsys.readouterr().err
    assert code == ExitCode.HARNESS_FAILURE
    assert err.count("\n") == 1, err  # one line, not a traceback
    assert "unexpected ValueError: boom in the middle" in err
    assert "Traceback" not in err and "second line" not in err
    log = tmp_path / "harness-crash.log"
    assert str(log) in err
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "failing_run" in text and "second line" in text


def test_without_a_run_directory_the_traceback_goes_to_a_temporary_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HARNESS_RUN_DIR", raising=False)
    _inject(monkeypatch, "gray", RuntimeError("no run dir here"))
    assert main(["gray", "events.csv"]) == ExitCode.HARNESS_FAILURE
    err = capsys.readouterr().err
    path = Path(err.rsplit("traceback: ", 1)[1].rstrip(")\n"))
    try:
        assert path.name.startswith("harness-crash-") and path.parent != ROOT
        assert "RuntimeError: no run dir here" in path.read_text(encoding="utf-8")
    finally:
        path.unlink()


def test_a_crash_message_and_log_never_show_a_password(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HARNESS_RUN_DIR", str(tmp_path))
    _inject(monkeypatch, "gray", OSError("cannot reach postgresql://app:hunter2@db/shop"))
    assert main(["gray", "events.csv"]) == ExitCode.HARNESS_FAILURE
    err = capsys.readouterr().err
    assert "hunter2" not in err and "postgresql://app:***@db/shop" in err
    assert "hunter2" not in (tmp_path / "harness-crash.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["verdict", "gray", "doctor"])
def test_a_keyboard_interrupt_is_a_cancelled_command_exit_3(
        command: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _inject(monkeypatch, command, KeyboardInterrupt())
    assert main([command, *ARGV[command]]) == ExitCode.INCONCLUSIVE
    assert "cancelled by SIGINT; nothing was decided" in capsys.readouterr().err


def test_a_command_whose_module_cannot_import_fails_alone(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "harness.cli.gray", None)
    assert main(["gray", "events.csv", "--json"]) == ExitCode.HARNESS_FAILURE
    assert "`harness gray` cannot run here" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "verdict" in capsys.readouterr().out


def test_gray_help_defaults_are_the_gates_defaults() -> None:
    from harness.cli.gray import DEFAULTS
    from harness.gates.gray import GrayThresholds

    assert asdict(GrayThresholds()) == DEFAULTS


def _without(modules: tuple[str, ...], argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = ("import sys\n"
            f"for name in {modules!r}: sys.modules[name] = None\n"
            "from harness.cli import main\n"
            f"sys.exit(main({argv!r}))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, env=env, check=False)


HEAVY = ("matplotlib", "pandas", "scipy")


@pytest.mark.parametrize("argv", [["--help"], ["gray", "--help"], ["run", "--help"],
                                  ["load", "--help"], ["verdict", "--help"]])
def test_help_works_with_matplotlib_pandas_and_scipy_missing(argv: list[str]) -> None:
    done = _without(HEAVY, argv)
    assert done.returncode == 0, done.stderr
    assert "usage: harness" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.slow
def test_doctor_names_each_missing_library_and_exits_4() -> None:
    done = _without(HEAVY, ["doctor"])
    assert done.returncode == ExitCode.HARNESS_FAILURE, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    for name in HEAVY:
        assert f"FAIL package {name}: " in done.stdout and f"`import {name}` fails" in done.stdout
    assert "ok   package locust" in done.stdout and "ok   package psutil" in done.stdout


def test_doctor_checks_every_declared_runtime_dependency() -> None:
    from harness.cli.doctor import _split_requirement, check_packages, runtime_requirements

    wanted = {_split_requirement(r)[0].lower() for r in runtime_requirements()}
    assert {"matplotlib", "psutil", "httpx", "python-multipart", "numpy"} <= wanted
    checked = {c.name.removeprefix("package ").lower() for c in check_packages()}
    assert wanted == checked
    assert _split_requirement("uvicorn[standard]>=0.32") == ("uvicorn", ">=0.32")
