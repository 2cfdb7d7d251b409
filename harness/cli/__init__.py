"""`harness` command line: one module per command, this one only dispatches and maps errors to
exit codes (0 GO, 1 NO-GO, 2 usage/config, 3 INCONCLUSIVE, 4 harness failure)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from harness.errors import ConfigError, HarnessError, TargetError
from harness.model import ExitCode

# command name -> module under harness.cli that defines `add_arguments(parser)` and `run(args)`
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "make a gate project for your store (or --example demo)"),
    "steps": ("steps", "list every step phrase the features can use, with the evidence it reads"),
    "doctor": ("doctor", "check this machine: Python, packages, browser, Allure, limits"),
    "demo-shop": ("demo_shop", "start the bundled demo insurance shop"),
    "load": ("load", "run a Locust load profile against the target"),
    "run": ("run", "take a release through every gate: GO / NO-GO / INCONCLUSIVE"),
    "verdict": ("verdict", "re-judge a run directory from the evidence on disk"),
    "report": ("report", "generate the Allure 3 report of a run directory"),
    "history": ("history", "list the releases of a project: decision, version, date, why"),
    "diff": ("diff", "what changed between two runs: status changes, measured moves"),
    "verify": ("verify", "check that a run's evidence is unchanged since its verdict"),
    "gray": ("gray", "compare gray-release cohorts"),
    "check": ("check", "spot-check a page: cooling-off notice or a journey's steps"),
}


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
        module = importlib.import_module(f"harness.cli.{module_name}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args))
    except (ConfigError, TargetError) as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except HarnessError as exc:
        print(f"harness: failure: {exc}", file=sys.stderr)
        return ExitCode.HARNESS_FAILURE
    except KeyboardInterrupt:
        print("harness: interrupted; evidence measured so far is kept on disk", file=sys.stderr)
        return ExitCode.HARNESS_FAILURE
