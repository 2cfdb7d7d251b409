"""`harness check`: spot-check one page or one journey, without a whole gate run.

    harness check notice URL --text PATTERN [--selector CSS] [--wait-for CSS]
                         [--viewport WxH|NAME ...] [--json]
    harness check steps JOURNEY_FILE [--base-url URL] [--viewport NAME] [--json]

The browser runs in a child process (`python -m harness_browser.spot`), so this command, like the
rest of
the judge, never loads Playwright; the measurement it prints is judged here by the same gates
as the features. Exit 0 passed, 1 failed, 3 could not check (the page did not load or answered
an HTTP error, a journey did not get to the end), 2 usage error, 4 the browser failed. A notice
that is not on a page that did load is FAILED: a person would not see it; a navigation that
ended on the browser's own error page could not be checked. The page is measured once it has
settled (load, no request in flight, a quiet DOM) and, with --wait-for, once that selector shows.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import ConfigError, EvidenceError, ToolError
from harness.gates.browser import flow_length_gate, notice_spot_gate
from harness.model import ExitCode, Outcome, Status
from harness.readers.browser import read_journey, read_notice_spots

DEFAULT_VIEWPORTS = ("desktop", "desktop-hd", "phone", "phone-small", "wechat")
CHILD_TIMEOUT_S = 60.0
_LABEL = {Status.PASSED: "PASSED", Status.FAILED: "FAILED",
          Status.INCONCLUSIVE: "COULD NOT CHECK"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    notice = sub.add_parser("notice", help="is a notice fully visible on the first screen?")
    notice.add_argument("url", help="http(s) URL of the page that must show the notice")
    notice.add_argument("--text", help="regular expression the notice's text matches")
    notice.add_argument("--selector", help="CSS selector of the notice")
    notice.add_argument("--wait-for", metavar="CSS",
                        help="wait until this selector is visible before measuring (a "
                             "single-page app that draws late)")
    notice.add_argument("--viewport", action="append", dest="viewports", metavar="WxH|NAME",
                        help="repeatable; default: " + ", ".join(DEFAULT_VIEWPORTS))
    notice.add_argument("--min-font-px", type=float, default=12.0)
    notice.add_argument("--min-contrast", type=float, default=4.5)
    notice.add_argument("--screenshots", type=Path, help="save notice-<viewport>.png here")
    notice.add_argument("--json", action="store_true", help="print JSON instead of text")
    steps = sub.add_parser("steps", help="how many steps does a journey file take?")
    steps.add_argument("journey", type=Path,
                       help="journey file: .toml, or .py defining journey(page, base_url)")
    steps.add_argument("--base-url", help="http(s) URL the journey's relative URLs join to")
    steps.add_argument("--viewport", default="desktop")
    steps.add_argument("--max-steps", type=int, default=5,
                       help="most counted steps allowed (default 5, the company rule)")
    steps.add_argument("--out", type=Path, help="keep journey.json and screenshots here")
    steps.add_argument("--json", action="store_true", help="print JSON instead of text")


def run(args: argparse.Namespace) -> int:
    report = check_notice(args) if args.what == "notice" else check_steps(args)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(report))
    return int(report["exit_code"])


def check_notice(args: argparse.Namespace) -> dict[str, Any]:
    """Measure the notice at each viewport in one child browser, judge each viewport."""
    require_http_url(args.url, "URL")
    if not (args.text or args.selector):
        raise ConfigError("check notice needs a non-empty --text PATTERN and/or --selector CSS")
    try:
        re.compile(args.text or "")
    except re.error as exc:
        raise ConfigError(f"--text {args.text!r} is not a regular expression: {exc}") from exc
    viewports = args.viewports or list(DEFAULT_VIEWPORTS)
    command = ["notice", args.url, "--min-font-px", str(args.min_font_px),
               "--min-contrast", str(args.min_contrast)]
    command += ["--pattern", args.text] if args.text else []
    command += ["--selector", args.selector] if args.selector else []
    command += ["--wait-for", args.wait_for] if args.wait_for else []
    command += [arg for name in viewports for arg in ("--viewport", name)]
    if args.screenshots:
        command += ["--screenshots", str(args.screenshots)]
    data = _measure(command, timeout_s=CHILD_TIMEOUT_S * len(viewports))
    spots = read_notice_spots(data, "python -m harness_browser.spot notice")
    outcomes = [notice_spot_gate(s, args.min_font_px, args.min_contrast) for s in spots]
    rows = []
    for spot, outcome in zip(spots, outcomes, strict=True):
        rows.append({"viewport": spot.viewport, "width": spot.width, "height": spot.height,
                     "status": outcome.status.value, "passed": outcome.status == Status.PASSED,
                     "message": outcome.message, "reasons": list(spot.reasons),
                     "http_status": spot.http_status, "error": spot.error,
                     "text": spot.text, "measurements": dict(spot.measurements)})
    return {"check": "notice", "url": args.url, **_overall(outcomes),
            "thresholds": {"min_font_px": args.min_font_px, "min_contrast": args.min_contrast},
            "viewports": rows}


def check_steps(args: argparse.Namespace) -> dict[str, Any]:
    """Run the journey file once in a child browser and judge its counted steps."""
    if args.base_url:
        require_http_url(args.base_url, "--base-url")
    if not args.journey.is_file():
        raise ConfigError(f"{args.journey}: no such journey file")
    out = args.out or Path(tempfile.mkdtemp(prefix="harness-check-steps-"))
    command = ["steps", str(args.journey.resolve()), "--viewport", args.viewport,
               "--out", str(out)]
    command += ["--base-url", args.base_url] if args.base_url else []
    _measure(command, timeout_s=CHILD_TIMEOUT_S * 3)
    journey = read_journey(out / "journey.json")
    outcome = flow_length_gate(journey, args.max_steps)
    return {"check": "steps", "journey": journey.journey, "viewport": journey.viewport,
            **_overall([outcome]), "step_count": journey.step_count,
            "max_steps": args.max_steps, "completed": journey.completed,
            "error": journey.error, "evidence": str(out),
            "steps": [{"index": s.index, "description": s.description,
                       "screen_id": s.screen_id, "counted": s.counted,
                       "fields_filled": list(s.fields_filled)} for s in journey.steps]}


def require_http_url(url: str, what: str) -> None:
    """Only http(s) pages are spot-checked: file:// and friends would read this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{what} {url!r}: give an http:// or https:// URL")


def _overall(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Failed anywhere -> 1; else anything not checked -> 3; else 0."""
    statuses = [o.status for o in outcomes]
    if Status.FAILED in statuses:
        status, code = Status.FAILED, ExitCode.NO_GO
    elif not statuses or any(s != Status.PASSED for s in statuses):
        status, code = Status.INCONCLUSIVE, ExitCode.INCONCLUSIVE
    else:
        status, code = Status.PASSED, ExitCode.GO
    return {"passed": status == Status.PASSED, "status": _LABEL[status].lower(),
            "exit_code": int(code),
            "reasons": [o.message for o in outcomes if o.status != Status.PASSED]}


def _measure(arguments: list[str], timeout_s: float) -> dict[str, Any]:
    """Run `python -m harness_browser.spot ARGUMENTS` and parse its one JSON object."""
    command = [sys.executable, "-m", "harness_browser.spot", *arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"the browser did not finish within {timeout_s:g} s") from exc
    if done.returncode == 2:
        raise ConfigError(done.stderr.strip() or "the browser measurement refused its arguments")
    if done.returncode != 0:
        raise ToolError(f"the browser measurement failed (exit {done.returncode}): "
                        f"{done.stderr.strip()[-1000:]}")
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        raise EvidenceError(f"the browser measurement printed no JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EvidenceError("the browser measurement printed no JSON object")
    return data


def _measured(m: dict[str, Any]) -> str:
    """What was measured, in a few words (empty when nothing was)."""
    if m.get("min_font_px") is None:
        return ""
    contrast = m.get("min_contrast")
    return (f" [{m.get('lines_in_viewport')}/{m.get('lines')} lines on screen, text "
            f"{m['min_font_px']:g} px, contrast "
            + (f"{contrast:.1f}:1]" if contrast is not None else "not measured]"))


def render(report: dict[str, Any]) -> str:
    """The report as a few readable lines."""
    if report["check"] == "notice":
        t = report["thresholds"]
        lines = [f"notice on {report['url']} (text ≥ {t['min_font_px']:g} px, contrast ≥ "
                 f"{t['min_contrast']:g}:1)"]
        for row in report["viewports"]:
            lines.append(f"  {_LABEL[Status(row['status'])]:<15} {row['message']}"
                         + _measured(row["measurements"]))
    else:
        lines = [f"journey {report['journey']} at {report['viewport']}: "
                 f"{report['step_count']} counted steps (at most {report['max_steps']})"]
        for step in report["steps"]:
            mark = "  " if not step["counted"] or step["index"] == 0 else "+1"
            lines.append(f"  {mark} [{step['index']}] {step['description']} -> "
                         f"{step['screen_id']}")
        if report["error"]:
            lines.append(f"  stopped: {report['error']}")
        lines.append(f"  evidence: {report['evidence']}")
    lines.append(f"result: {report['status'].upper()} (exit {report['exit_code']})")
    return "\n".join(lines)
