"""`python -m harness_browser.record URL -o journeys/<product>.py`: a journey from clicks.

Playwright's recorder (`playwright codegen --target python`, which needs a display) writes a
script; `convert_codegen` turns it into a Python journey: the recorded body becomes
`journey(page, base_url)` (browser set-up and tear-down dropped), and URLs on the recorded
origin become paths, so the journey runs against any base URL. The QA engineer then adds the
`JOURNEY = {...}` table (where the notice is) and edits instead of writing.

Exit 0 written, 2 usage error (no display, a bad output name, a recording that is not a
codegen script), 4 the recorder failed.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import ConfigError
from harness_browser.journey_spec import load_journey_file

_SETUP = ("playwright.chromium.launch", "browser.new_context", "context.new_page",
          "context.close", "browser.close")
_HEADER = '''"""Recorded from {url} with `harness record`. Edit freely: see the README, "Journeys as
Python". Add where the cooling-off notice is, e.g.:

JOURNEY = {{"notice": {{"pattern": r"犹豫期", "path": "#/insure$"}}}}
"""

import re  # noqa: F401 - recorded scripts may use it

from playwright.sync_api import Page, expect  # noqa: F401


def journey(page: Page, base_url: str) -> None:
'''


def convert_codegen(source: str, where: str = "<recording>") -> str:
    """A Python journey (file text) from what `playwright codegen --target python` wrote."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ConfigError(f"{where}, line {exc.lineno}: not valid Python: {exc.msg}") from exc
    run = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"),
               None)
    if run is None:
        raise ConfigError(f"{where}: not a `playwright codegen --target python` script "
                          "(no run(playwright) function)")
    lines = source.splitlines()
    kept = [s for s in run.body if not any(x in ast.unparse(s) for x in _SETUP)]
    if not kept:
        raise ConfigError(f"{where}: the recording has no actions")
    origin = _origin(kept)
    body = []
    for statement in kept:
        text = "\n".join(lines[statement.lineno - 1:statement.end_lineno])
        if origin:
            text = text.replace(f'"{origin}/', '"/').replace(f'"{origin}"', '"/"')
        body.append(text)
    url = origin or "the recorded page"
    return _HEADER.format(url=url) + "\n".join(body) + "\n"


def _origin(statements: list[ast.stmt]) -> str | None:
    """scheme://host[:port] of the first page.goto("...") recorded."""
    for node in (n for s in statements for n in ast.walk(s)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "goto" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            parts = urlsplit(node.args[0].value)
            return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    return None


def write_journey(recording: Path, output: Path) -> Path:
    """Convert `recording` into `output` (a .py journey) and validate it like any journey."""
    if output.suffix != ".py":
        raise ConfigError(f"{output}: harness record writes a Python journey: name it "
                          "journeys/<product>.py")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(convert_codegen(recording.read_text(encoding="utf-8"), str(recording)),
                      encoding="utf-8")
    load_journey_file(output)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness_browser.record",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--from-recording", type=Path,
                        help="convert this saved codegen script instead of recording")
    args = parser.parse_args(argv)
    try:
        recording = args.from_recording
        if recording is None:
            if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
                raise ConfigError("harness record opens a browser window: it needs a display "
                                  "(DISPLAY is not set); record on a desktop, or convert a "
                                  "saved script with --from-recording")
            recording = Path(tempfile.mkdtemp(prefix="harness-record-")) / "recorded.py"
            done = subprocess.run([sys.executable, "-m", "playwright", "codegen", "--target",
                                   "python", "-o", str(recording), args.url], check=False)
            if done.returncode != 0 or not recording.is_file():
                print(f"the recorder failed (exit {done.returncode})", file=sys.stderr)
                return 4
        print(write_journey(recording, args.output))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
