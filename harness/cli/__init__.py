"""`harness` command line: one module per command, this one only dispatches and maps errors to
exit codes (0 GO, 1 NO-GO, 2 usage/config, 3 INCONCLUSIVE, 4 harness failure).

Every way out of a command is mapped here, once: a ConfigError/TargetError is 2, any other
HarnessError is 4, a cancellation (SIGINT or SIGTERM, see harness.cancel) is 3, and any other
exception is a crash: 4 with one line on stderr and the traceback in a log file, never the 1
that CI would read as "judged and failed". Command modules import their heavy libraries
(matplotlib, pandas, scipy, Playwright, Locust) inside `run`, so `harness --help` and
`harness doctor` work on a machine where one of them is missing.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from harness import cancel
from harness.diskspace import is_disk_full
from harness.errors import ConfigError, HarnessError, TargetError
from harness.model import ExitCode
from harness.secret import mask_text

# command name -> module under harness.cli that defines `add_arguments(parser)` and `run(args)`
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "make a gate project for your store (or --example demo)"),
    "record": ("record", "write a journey from your clicks (Playwright's recorder underneath)"),
    "steps": ("steps", "list every step phrase the features can use, with the evidence it reads"),
    "doctor": ("doctor", "check this machine: Python, packages, browser, Allure, limits"),
    "demo-shop": ("demo_shop", "start the bundled demo insurance shop"),
    "load": ("load", "run a Locust load profile against the target"),
    "run": ("run", "take a release through every gate: GO / NO-GO / INCONCLUSIVE"),
    "watch": ("watch", "escort a launched release (72 h): CONTINUE / ROLLBACK / INCONCLUSIVE "
                       "at every check"),
    "verdict": ("verdict", "re-judge a run directory from the evidence on disk"),
    "report": ("report", "generate the Allure 3 report of a run directory"),
    "history": ("history", "list the releases of a project: decision, version, date, why"),
    "diff": ("diff", "what changed between two runs: status changes, measured moves"),
    "verify": ("verify", "check that a run's evidence is unchanged since its verdict"),
    "gray": ("gray", "compare gray-release cohorts"),
    "check": ("check", "spot-check a page: cooling-off notice or a journey's steps"),
}
CRASH_LOG = "harness-crash.log"


DESCRIPTION = """\
launch-harness: a release gate for internet-insurance stores. It answers GO or NO-GO
with evidence: acceptance criteria in Gherkin (features/), real Chromium walking the
purchase journeys, real Locust load, gray-release cohorts, judged into verdict.json,
verdict.md, JUnit XML and an Allure report."""

EPILOG = """\
examples:
  harness init my-gate --products medical:15:health,travel:1   # a gate project for your store
  cd my-gate && harness check steps journeys/medical.toml --base-url http://127.0.0.1:9000
  harness run                          # every gate; exit 0 GO, 1 NO-GO, 3 INCONCLUSIVE
  harness run --areas disclosures      # one area only (the verdict says so)
  harness verdict reports/latest       # re-judge the evidence on disk
  harness init --example demo demo && harness run --project demo   # the bundled demo shop
  harness steps                        # the phrases your features can use
  harness watch --demo --window 10m --interval 1m   # the escort after launch, on the demo

exit codes: 0 GO, 1 NO-GO, 2 usage or configuration error, 3 INCONCLUSIVE, 4 harness failure.
Settings: harness.toml in the project (harness init writes one, every key commented),
HARNESS_* variables, then flags."""


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import version

    parser = argparse.ArgumentParser(prog="harness", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"launch-harness {version('launch-harness')}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        try:
            module = importlib.import_module(f"harness.cli.{module_name}")
        except ImportError as exc:  # the other commands (and --help, doctor) still work
            command_parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
            command_parser.set_defaults(_run=_unavailable(name, exc))
            continue
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def _unavailable(name: str, exc: ImportError) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        raise HarnessError(f"`harness {name}` cannot run here: {exc}; run `harness doctor` "
                           "to see what is missing and how to install it")
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with cancel.signals():
        try:
            return int(args._run(args))
        except (ConfigError, TargetError) as exc:
            print(f"harness: error: {mask_text(str(exc))}", file=sys.stderr)
            return ExitCode.USAGE
        except HarnessError as exc:
            print(f"harness: failure: {mask_text(str(exc))}", file=sys.stderr)
            return ExitCode.HARNESS_FAILURE
        except KeyboardInterrupt as exc:
            return _cancelled(exc)
        except Exception as exc:  # a crash is a harness failure (4), never a NO-GO (1)
            return _disk_full(exc) if is_disk_full(exc) else _crashed(exc, args)


def _disk_full(exc: BaseException) -> int:
    """A full disk is no bug: one line, no traceback (it could not be written anyway)."""
    assert isinstance(exc, OSError)
    where = f" writing {exc.filename}" if exc.filename else ""
    print(f"harness: failure: the disk is full ({exc.strerror}{where}); what was written "
          "before stays; free some space (or choose another --reports) and run again",
          file=sys.stderr)
    return ExitCode.HARNESS_FAILURE


def _crashed(exc: BaseException, args: argparse.Namespace) -> int:
    log = write_crash_log(exc, _run_dir_of(args))
    first = mask_text(str(exc)).strip().splitlines()[:1] or [""]
    print(f"harness: failure: unexpected {type(exc).__name__}: {first[0][:300]} "
          f"(a bug in the harness, not a verdict; traceback: {log})", file=sys.stderr)
    return ExitCode.HARNESS_FAILURE


def _cancelled(exc: KeyboardInterrupt) -> int:
    """A cancellation that no command turned into a verdict: stop what it started, exit 3."""
    name = getattr(exc, "signal_name", "SIGINT")
    stopped = cancel.stop_descendants()
    print(f"harness: cancelled by {name}; nothing was decided (exit 3); "
          f"{stopped} process(es) it had started were stopped; evidence measured so far is kept "
          "on disk", file=sys.stderr)
    return ExitCode.INCONCLUSIVE


def _run_dir_of(args: argparse.Namespace) -> Path | None:
    """The run directory the command works in, if it has one yet (for the crash log)."""
    candidates = [cancel.current_run_dir(), getattr(args, "run_dir", None),
                  os.environ.get("HARNESS_RUN_DIR")]
    for candidate in candidates:
        if isinstance(candidate, str | Path) and str(candidate) and Path(candidate).is_dir():
            return Path(candidate)
    return None


def write_crash_log(exc: BaseException, run_dir: Path | None) -> Path | str:
    """The masked traceback in RUN_DIR/harness-crash.log, else in a new temporary file; where
    neither can be written (a full disk), on stderr, and the path says so."""
    text = mask_text("".join(traceback.format_exception(exc)))
    if run_dir is not None:
        try:
            path = run_dir / CRASH_LOG
            with path.open("a", encoding="utf-8") as out:
                out.write(text)
            return path
        except OSError:
            pass
    try:
        fd, name = tempfile.mkstemp(prefix="harness-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return Path(name)
    except OSError:
        sys.stderr.write(text)
        return "printed above (no file could be written)"
