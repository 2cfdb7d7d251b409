"""`harness history [--project DIR | HISTORY_DIR]`: the releases of a project, newest last:
decision, target version, date and the criteria that decided each."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.project_args import add_project_argument, project_from
from harness.errors import ConfigError
from harness.model import ExitCode
from harness.record.history import Entry, project_history, releases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("history", nargs="?", metavar="HISTORY_DIR",
                        help="a history folder (the project's reports/ by default, or the one "
                             "[project] history / --history names)")
    add_project_argument(parser)
    parser.add_argument("--last", type=int, default=20, metavar="N",
                        help="show the last N releases (default 20; 0 = all)")


def run(args: argparse.Namespace) -> int:
    if args.history and args.project:
        raise ConfigError("give either HISTORY_DIR or --project, not both")
    folder = Path(args.history) if args.history else project_history(project_from(args))
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such history folder (run `harness run` first, or "
                          "name the folder your CI keeps between runs)")
    found = releases(folder)
    print(f"Release history: {folder}  ({len(found)} runs)")
    if not found:
        print("  no judged runs yet")
        return ExitCode.GO
    shown = found[-args.last:] if args.last > 0 else found
    for entry in shown:
        print(format_entry(entry))
    return ExitCode.GO


def format_entry(entry: Entry) -> str:
    date = entry.date[:16].replace("T", " ") or "date unknown"
    version = entry.target_version or "version unknown"
    sealed = "" if entry.sealed else "  (not sealed: no manifest, cannot be verified)"
    lines = [f"{entry.decision:13} {date:16}  {version:20} {entry.run_id}{sealed}"]
    lines += [f"{'':13} decided by: {reason}" for reason in entry.reasons[:5]]
    if len(entry.reasons) > 5:
        lines.append(f"{'':13} ... and {len(entry.reasons) - 5} more")
    return "\n".join(lines)
