"""`python -m harness_browser.probe`: can this machine launch the browser the harness would use?

`harness doctor` runs this in a child process (so a hung or crashing Chromium cannot take the
CLI with it) and reads one JSON object: {executable, version, launches, error}.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from harness_browser.browser import chromium_executable, launch_args
from harness_browser.options import BrowserOptions


def probe() -> dict[str, Any]:
    """Launch the chosen Chromium once, open a blank page, and report what happened.

    `executable` is the path launched (Playwright's own path when it chose its bundled browser);
    `launches` is False with the error text when anything failed. Never raises.
    """
    result: dict[str, Any] = {"executable": None, "version": None, "launches": False,
                              "error": None}
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            exe = chromium_executable(bundled=pw.chromium.executable_path)
            result["executable"] = exe or pw.chromium.executable_path
            options = BrowserOptions.from_env()  # the launch a run would make
            browser = pw.chromium.launch(**launch_args(exe, options), timeout=30_000)
            try:
                result["version"] = browser.version
                page = browser.new_page()
                page.set_content("<p>ok</p>")
                result["launches"] = page.text_content("p") == "ok"
            finally:
                browser.close()
    except Exception as exc:  # the probe reports, it does not fail
        result["error"] = f"{type(exc).__name__}: {exc}".strip()[:2000]
    return result


def main() -> int:
    """Print the probe as JSON; exit 0 when the browser launches, 1 otherwise."""
    result = probe()
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0 if result["launches"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
