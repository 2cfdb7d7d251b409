"""`harness record URL -o journeys/<product>.py`: write a journey from a person's clicks.

Playwright's recorder (`playwright codegen --target python`) runs in its own process
(harness_browser.record, so the judge never loads Playwright); what it recorded becomes a Python
journey that the step recorder counts like any other. Needs a display.
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="where the buyer starts, e.g. your store's "
                        "product list on staging")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the journey to write, journeys/<product>.py")
    parser.add_argument("--from-recording", metavar="FILE",
                        help="convert a script `playwright codegen --target python` already "
                             "wrote, instead of recording")


def run(args: argparse.Namespace) -> int:
    command = [sys.executable, "-m", "harness_browser.record", args.url, "-o", args.output]
    if args.from_recording:
        command += ["--from-recording", args.from_recording]
    return subprocess.run(command, check=False).returncode
