"""The `--project DIR` option every project command shares, and the project it opens."""

from __future__ import annotations

import argparse

from harness.project import Project, open_project


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", metavar="DIR",
                        help="the gate project: a folder with harness.toml, features/, "
                             "journeys/ (default: the current directory; `harness init` makes "
                             "one)")


def project_from(args: argparse.Namespace) -> Project:
    return open_project(getattr(args, "project", None))
